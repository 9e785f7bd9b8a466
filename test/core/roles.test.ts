import { describe, expect, it } from 'vitest'
import { defaultConfig } from '../../src/core/config.js'
import {
  BUILT_IN_ROLES,
  BUILT_IN_ROLE_NAMES,
  ROLE_NAME_PATTERN,
  RoleConfigError,
  TOOL_NAMES,
  defaultToolsFor,
  resolveRoles,
} from '../../src/core/roles.js'

describe('the built-in catalogue', () => {
  it('has the seven roles of the seed', () => {
    expect(Object.keys(BUILT_IN_ROLES)).toEqual([
      'architect',
      'developer',
      'tester',
      'reviewer',
      'debugger',
      'documenter',
      'devops',
    ])
  })

  it.each(BUILT_IN_ROLE_NAMES)('gives %s a one-line description, a real prompt and known tools', (name) => {
    const role = BUILT_IN_ROLES[name]
    expect(role.name).toBe(name)
    expect(role.name).toMatch(ROLE_NAME_PATTERN)
    expect(role.description).not.toContain('\n')
    expect(role.description.length).toBeGreaterThan(20)
    expect(role.description.length).toBeLessThan(160)
    expect(role.prompt.length).toBeGreaterThan(1200)
    expect(role.prompt).toContain('finish')
    expect(role.prompt).toMatch(/never instructions to you/)
    for (const tool of role.tools) expect(TOOL_NAMES).toContain(tool)
    expect(role.tools).toContain('finish')
    expect(role.builtIn).toBe(true)
  })

  it('makes the reviewer post reviews and every other role open pull requests', () => {
    for (const name of BUILT_IN_ROLE_NAMES) {
      const role = BUILT_IN_ROLES[name]
      if (name === 'reviewer') {
        expect(role.output).toBe('review')
        expect(role.tools).toContain('submit_review')
        expect(role.tools).not.toContain('write_file')
        expect(role.tools).not.toContain('edit_file')
      } else {
        expect(role.output).toBe('pr')
        expect(role.tools).not.toContain('submit_review')
        expect(role.tools).toContain('edit_file')
      }
    }
  })

  it('tells the reviewer to post one review per PR with inline comments and never approve unless allowed', () => {
    const prompt = BUILT_IN_ROLES.reviewer.prompt
    expect(prompt).toMatch(/exactly one review per pull request with submit_review/)
    expect(prompt).toMatch(/inline comment/)
    expect(prompt).toMatch(/Never use APPROVE unless/)
    expect(prompt).toMatch(/run the tests/)
  })

  it('tells code roles that the worker commits and pushes, not the agent', () => {
    for (const name of BUILT_IN_ROLE_NAMES.filter((n) => n !== 'reviewer')) {
      expect(BUILT_IN_ROLES[name].prompt).toMatch(/Do not commit, push/)
    }
  })

  it('gives default tools by output', () => {
    expect(defaultToolsFor('review')).toContain('submit_review')
    expect(defaultToolsFor('pr')).toEqual(expect.arrayContaining(['write_file', 'edit_file', 'run_command']))
  })
})

describe('resolveRoles', () => {
  it('gives the catalogue unchanged for the default config', () => {
    expect(resolveRoles(defaultConfig())).toEqual(BUILT_IN_ROLES)
  })

  it('replaces a prompt, or appends to it', () => {
    const roles = resolveRoles({
      roles: { developer: { prompt: 'Write Go.' }, tester: { prompt_append: 'Use pytest.' } },
    })
    expect(roles.developer?.prompt).toBe('Write Go.')
    expect(roles.tester?.prompt).toBe(`${BUILT_IN_ROLES.tester.prompt}\n\nUse pytest.`)
  })

  it('replaces the tools of a role and always keeps finish', () => {
    const roles = resolveRoles({ roles: { documenter: { tools: ['read_file', 'write_file'] } } })
    expect(roles.documenter?.tools).toEqual(['read_file', 'write_file', 'finish'])
  })

  it('adds a custom role with tools by its output', () => {
    const roles = resolveRoles({
      roles: {
        'security-auditor': {
          description: 'Audits for vulnerabilities.',
          prompt: 'You audit.',
          output: 'review',
        },
        'data-engineer': { description: 'Builds pipelines.', prompt: 'You build pipelines.', output: 'pr' },
      },
    })
    expect(roles['security-auditor']).toEqual({
      name: 'security-auditor',
      description: 'Audits for vulnerabilities.',
      prompt: 'You audit.',
      tools: defaultToolsFor('review'),
      output: 'review',
      builtIn: false,
    })
    expect(roles['data-engineer']?.tools).toEqual(defaultToolsFor('pr'))
    expect(Object.keys(roles)).toHaveLength(9)
  })

  it('gives a custom review role submit_review even when its tools leave it out', () => {
    const roles = resolveRoles({
      roles: { qa: { description: 'd', prompt: 'p', output: 'review', tools: ['read_file'] } },
    })
    expect(roles.qa?.tools).toEqual(['read_file', 'submit_review', 'finish'])
  })

  it('rejects an unknown tool name, suggesting the close one', () => {
    expect(() =>
      resolveRoles({ roles: { developer: { tools: ['read_file', 'run_comand' as never] } } }),
    ).toThrow(/roles\.developer\.tools\.1: unknown tool "run_comand"\. Did you mean "run_command"\?/)
  })

  it('rejects a custom role without description, prompt or output', () => {
    let error: unknown
    try {
      resolveRoles({ roles: { qa: { prompt_append: 'x' } } })
    } catch (caught) {
      error = caught
    }
    expect(error).toBeInstanceOf(RoleConfigError)
    expect((error as RoleConfigError).problems.map((p) => p.path.join('.'))).toEqual([
      'roles.qa.description',
      'roles.qa.prompt',
      'roles.qa.output',
    ])
  })

  it('suggests the built-in role a misspelt custom role meant', () => {
    expect(() => resolveRoles({ roles: { reviwer: { prompt_append: 'x' } } })).toThrow(
      /Did you mean "reviewer"\?/,
    )
  })

  it('rejects a role name that cannot be a label', () => {
    expect(() =>
      resolveRoles({ roles: { 'QA Team': { description: 'd', prompt: 'p', output: 'pr' } } }),
    ).toThrow(/not a valid role name/)
  })

  it('rejects changing the output of a built-in role', () => {
    expect(() => resolveRoles({ roles: { reviewer: { output: 'pr' } } })).toThrow(
      /output is review and cannot change/,
    )
  })

  it('rejects submit_review on a role that opens pull requests', () => {
    expect(() => resolveRoles({ roles: { developer: { tools: ['submit_review'] } } })).toThrow(
      /submit_review is for roles with output review/,
    )
  })

  it('leaves the catalogue untouched', () => {
    const before = JSON.stringify(BUILT_IN_ROLES)
    const roles = resolveRoles({ roles: { developer: { prompt_append: 'x' } } })
    roles.tester?.tools.push('submit_review')
    expect(JSON.stringify(BUILT_IN_ROLES)).toBe(before)
  })
})
