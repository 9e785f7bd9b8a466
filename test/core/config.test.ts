import { Ajv2020 } from 'ajv/dist/2020.js'
import fc from 'fast-check'
import yaml from 'js-yaml'
import { describe, expect, it } from 'vitest'
import { z } from 'zod'
import {
  configJsonSchema,
  configSchema,
  defaultConfig,
  formatConfigErrors,
  parseConfig,
  type ConfigError,
} from '../../src/core/config.js'
import { formatPath } from '../../src/core/config-issues.js'

/** Every default, written out by hand so a changed default is a deliberate change. */
const DEFAULTS = {
  model: {
    name: 'gpt-4o-mini',
    base_url: null,
    api_key_env: 'OPENAI_API_KEY',
    context_window: 128000,
    timeout_seconds: 120,
    max_retries: 4,
    prices: {
      'gpt-4o-mini': { input_per_mtok: 0.15, output_per_mtok: 0.6 },
      'gpt-4o': { input_per_mtok: 2.5, output_per_mtok: 10 },
    },
  },
  max_workers: 4,
  role_limits: {},
  max_beads: 30,
  max_attempts: 3,
  retry: { base_delay_seconds: 30, max_delay_seconds: 900 },
  review_rounds: 2,
  lease_minutes: 60,
  roles: {},
  budgets: { iterations: 30, tokens: 400000, wall_time_minutes: 30, cost_usd: 2 },
  merge: 'manual',
  dependency_links: false,
  project: null,
  protected_paths: ['.github/**', '.gitattributes'],
  commands: { timeout_seconds: 300, max_output_bytes: 65536, deny: ['^\\s*git\\s+push\\b', '\\bsudo\\b'] },
  isolation: 'required',
  plan_approval: false,
  allow_approve: false,
  worker_workflow: 'gastown-worker.yml',
}

function errorsOf(text: string): ConfigError[] {
  const result = parseConfig(text)
  if (result.ok) throw new Error(`expected errors for:\n${text}`)
  return result.errors
}

describe('parseConfig defaults', () => {
  it.each([
    ['an empty file', ''],
    ['a file of comments', '# nothing here yet\n\n# really\n'],
    ['a null document', '~\n'],
  ])('gives every default for %s', (_, text) => {
    expect(parseConfig(text)).toEqual({ ok: true, config: DEFAULTS })
  })

  it('fills the defaults around the fields a file sets', () => {
    const result = parseConfig('budgets:\n  iterations: 12\nmodel:\n  name: llama3\n')
    expect(result.ok && result.config.budgets).toEqual({ ...DEFAULTS.budgets, iterations: 12 })
    expect(result.ok && result.config.model).toEqual({ ...DEFAULTS.model, name: 'llama3' })
    expect(result.ok && result.config.max_workers).toBe(4)
  })

  it('gives each parse its own default lists and maps', () => {
    const first = defaultConfig()
    first.protected_paths.push('x')
    first.commands.deny.length = 0
    first.model.prices['gpt-4o-mini']!.input_per_mtok = 99
    expect(defaultConfig()).toEqual(DEFAULTS)
  })

  it('reads a complete file', () => {
    const text = `
model:
  name: anthropic/claude-3.5-sonnet
  base_url: https://openrouter.ai/api/v1
  api_key_env: OPENROUTER_API_KEY
  context_window: 200000
  timeout_seconds: 60
  max_retries: 2
  prices:
    anthropic/claude-3.5-sonnet: { input_per_mtok: 3, output_per_mtok: 15 }
max_workers: 8
role_limits: { reviewer: 1, qa: 2 }
max_beads: 12
max_attempts: 5
retry: { base_delay_seconds: 10, max_delay_seconds: 60 }
review_rounds: 1
lease_minutes: 90
roles:
  developer:
    prompt_append: Use pnpm.
  qa:
    description: Checks the app by hand-written scripts.
    prompt: You are QA.
    output: pr
    tools: [read_file, run_command]
budgets: { iterations: 50, tokens: 900000, wall_time_minutes: 45, cost_usd: 5.5 }
merge: auto
project: { owner: acme, number: 7 }
protected_paths: [".github/**", "secrets/**"]
commands:
  timeout_seconds: 120
  max_output_bytes: 32768
  deny: ["rm -rf /"]
plan_approval: true
allow_approve: true
worker_workflow: town.yaml
`
    const result = parseConfig(text)
    expect(result.ok).toBe(true)
    if (!result.ok) return
    expect(result.config.model.base_url).toBe('https://openrouter.ai/api/v1')
    expect(result.config.model.prices).toEqual({
      'anthropic/claude-3.5-sonnet': { input_per_mtok: 3, output_per_mtok: 15 },
    })
    expect(result.config.role_limits).toEqual({ reviewer: 1, qa: 2 })
    expect(result.config.roles.qa?.tools).toEqual(['read_file', 'run_command'])
    expect(result.config.project).toEqual({ owner: 'acme', number: 7, status_field: 'Status' })
    expect(result.config.merge).toBe('auto')
    expect(result.config.budgets.cost_usd).toBe(5.5)
    expect(result.config.worker_workflow).toBe('town.yaml')
  })
})

describe('parseConfig errors', () => {
  it.each([
    [
      'budgets:\n  iterations: thirty\n',
      'budgets.iterations',
      2,
      /got "thirty"; expected a whole number from 1 to 1000/,
    ],
    ['budgets:\n  iterations: 0\n', 'budgets.iterations', 2, /got 0; expected a whole number from 1 to 1000/],
    ['max_workers: 2.5\n', 'max_workers', 1, /expected a whole number/],
    ['merge: automatic\n', 'merge', 1, /got "automatic"; expected one of "manual", "auto"/],
    ['merge: Auto\n', 'merge', 1, /Did you mean "auto"\?/],
    ['plan_approval: yes\n', 'plan_approval', 1, /got "yes"; expected true or false/],
    ['model:\n  base_url: ftp://x\n', 'model.base_url', 2, /expected an http\(s\) URL/],
    ['model:\n  base_url: 3\n', 'model.base_url', 2, /expected an http\(s\) URL, or null/],
    ['model:\n  api_key_env: my key\n', 'model.api_key_env', 2, /environment variable name/],
    ['\n\nproject:\n  number: 3\n', 'project.owner', 3, /is required; expected non-empty text/],
    ['project: yes\n', 'project', 1, /expected a mapping with owner, number, status_field, or null/],
    ['protected_paths: docs/**\n', 'protected_paths', 1, /expected a list of non-empty texts/],
    [
      "protected_paths: ['*a*a*a*a*b']\n",
      'protected_paths[0]',
      1,
      /the glob is refused: its segment "\*a\*a\*a\*a\*b" has 5 "\*" \(at most 3\)/,
    ],
    ["protected_paths: ['!src/**']\n", 'protected_paths[0]', 1, /a leading "!" negates the whole glob/],
    ['worker_workflow: worker\n', 'worker_workflow', 1, /a workflow file name/],
    [
      'model:\n  prices:\n    gpt-4.1: { input_per_mtok: -1, output_per_mtok: 1 }\n',
      'model.prices["gpt-4.1"].input_per_mtok',
      3,
      /at least 0/,
    ],
    ['budgets:\n  tokns: 5\n', 'budgets.tokns', 2, /unknown setting "tokns"\. Did you mean "tokens"\?/],
    ['max_worker: 3\n', 'max_worker', 1, /Did you mean "max_workers"\?/],
    ['colour: red\n', 'colour', 1, /unknown setting "colour"\. The settings here are: model, max_workers/],
    ['roles:\n  QA: { description: d, prompt: p, output: pr }\n', 'roles.QA', 2, /not a valid role name/],
    ['roles:\n  qa:\n    prompt: p\n', 'roles.qa.description', 2, /custom role "qa" must set description/],
    [
      'roles:\n  developer:\n    tools:\n      - read_file\n      - run_comand\n',
      'roles.developer.tools[1]',
      5,
      /Did you mean "run_command"\?/,
    ],
    ['roles:\n  reviewer:\n    output: pr\n', 'roles.reviewer.output', 3, /cannot change/],
    [
      'role_limits:\n  reviewr: 1\n',
      'role_limits.reviewr',
      2,
      /"reviewr" is not a role\. Did you mean "reviewer"\?/,
    ],
    ['role_limits:\n  Bad!: 1\n', 'role_limits["Bad!"]', 2, /a role name/],
    [
      'commands:\n  deny:\n    - ok\n    - "(unclosed"\n',
      'commands.deny[1]',
      4,
      /not a valid regular expression/,
    ],
    [
      'retry:\n  base_delay_seconds: 100\n  max_delay_seconds: 10\n',
      'retry.max_delay_seconds',
      3,
      /at least base_delay_seconds \(100\)/,
    ],
  ])('reports %j at %s, line %i', (text, path, line, message) => {
    const errors = errorsOf(text)
    const error = errors.find((candidate) => candidate.path === path)
    expect(error, JSON.stringify(errors)).toBeDefined()
    expect(error?.line).toBe(line)
    expect(error?.message).toMatch(message)
  })

  it('reports every mistake at once, in line order', () => {
    const errors = errorsOf('merge: sometimes\nbudgets:\n  iterations: x\n  cost_usd: -1\nmax_beads: 0\n')
    expect(errors.map((error) => [error.path, error.line])).toEqual([
      ['merge', 1],
      ['budgets.iterations', 3],
      ['budgets.cost_usd', 4],
      ['max_beads', 5],
    ])
  })

  it('reports the column of the offending key in a flow mapping', () => {
    const [error] = errorsOf('budgets: { iterations: 5, tokens: lots }\n')
    expect(error).toMatchObject({ path: 'budgets.tokens', line: 1, column: 27 })
  })

  it('reports a YAML syntax error with its line', () => {
    const [error] = errorsOf('model:\n  name: x\n    bad: indent\n')
    expect(error).toMatchObject({ path: '', line: 3 })
    expect(error?.message).toMatch(/^YAML syntax error: /)
  })

  it('reports a key given twice', () => {
    const [error] = errorsOf('max_workers: 1\nmax_workers: 2\n')
    expect(error?.line).toBe(2)
    expect(error?.message).toMatch(/duplicated mapping key/)
  })

  it('reports a file that is not a mapping', () => {
    expect(errorsOf('- a\n- b\n')).toEqual([
      { path: '', line: 1, message: 'expected a mapping of settings (key: value lines), got a list.' },
    ])
  })

  it('does not read YAML dates or other types as anything but text', () => {
    const result = parseConfig('model:\n  name: 2024-01-01\n')
    expect(result.ok && result.config.model.name).toBe('2024-01-01')
  })

  it('finds the line of any number or switch given a wrong value', () => {
    const leaves: ReadonlyArray<readonly string[]> = [
      ['max_workers'],
      ['max_beads'],
      ['review_rounds'],
      ['plan_approval'],
      ['allow_approve'],
      ['merge'],
      ['budgets', 'iterations'],
      ['budgets', 'cost_usd'],
      ['retry', 'base_delay_seconds'],
      ['commands', 'timeout_seconds'],
      ['model', 'max_retries'],
      ['model', 'context_window'],
    ]
    const valid = fc.record(
      {
        max_workers: fc.integer({ min: 1, max: 9 }),
        max_beads: fc.integer({ min: 1, max: 50 }),
        review_rounds: fc.integer({ min: 0, max: 5 }),
        plan_approval: fc.boolean(),
        allow_approve: fc.boolean(),
        merge: fc.constantFrom('manual', 'auto'),
        budgets: fc.record(
          {
            iterations: fc.integer({ min: 1, max: 99 }),
            cost_usd: fc.double({ min: 0, max: 9, noNaN: true }),
          },
          { requiredKeys: [] },
        ),
        retry: fc.record({ base_delay_seconds: fc.integer({ min: 0, max: 100 }) }, { requiredKeys: [] }),
        commands: fc.record({ timeout_seconds: fc.integer({ min: 1, max: 99 }) }, { requiredKeys: [] }),
        model: fc.record(
          {
            max_retries: fc.integer({ min: 0, max: 9 }),
            context_window: fc.integer({ min: 2000, max: 9000 }),
          },
          { requiredKeys: [] },
        ),
      },
      { requiredKeys: [] },
    )
    fc.assert(
      fc.property(valid, fc.constantFrom(...leaves), fc.boolean(), (config, leaf, flow) => {
        expect(parseConfig(yaml.dump(config, { flowLevel: flow ? 1 : -1 })).ok).toBe(true)
        const broken = structuredClone(config) as Record<string, unknown>
        let at = broken
        for (const key of leaf.slice(0, -1)) at = (at[key] ??= {}) as Record<string, unknown>
        at[leaf.at(-1)!] = 'WRONG-VALUE'
        const text = yaml.dump(broken, { flowLevel: flow ? 1 : -1 })
        const errors = errorsOf(text)
        const expectedLine = text.split('\n').findIndex((line) => line.includes('WRONG-VALUE')) + 1
        expect(errors).toHaveLength(1)
        expect(errors[0]).toMatchObject({ path: leaf.join('.'), line: expectedLine })
      }),
    )
  })
})

describe('formatConfigErrors', () => {
  it('lists each error with file, line and field for a comment', () => {
    const errors = errorsOf('merge: sometimes\nbudgets:\n  iterations: x\n')
    const text = formatConfigErrors(errors)
    expect(text).toMatch(
      /^\*\*Gas Town cannot read its configuration:\*\* `.github\/gastown.yml` has 2 errors\./,
    )
    expect(text).toContain(
      '- `.github/gastown.yml` line 1: `merge`: got "sometimes"; expected one of "manual", "auto".',
    )
    expect(text).toContain('- `.github/gastown.yml` line 3: `budgets.iterations`: got "x"')
  })

  it('words a single error and a file-level error', () => {
    const text = formatConfigErrors([{ path: '', line: 3, message: 'YAML syntax error: bad' }], 'x.yml')
    expect(text).toContain('`x.yml` has an error.')
    expect(text).toContain('- `x.yml` line 3: YAML syntax error: bad')
  })
})

describe('formatPath', () => {
  it('writes dotted keys, list indexes and quoted odd keys', () => {
    expect(formatPath(['budgets', 'iterations'])).toBe('budgets.iterations')
    expect(formatPath(['commands', 'deny', 1])).toBe('commands.deny[1]')
    expect(formatPath(['model', 'prices', 'gpt-4.1', 'input_per_mtok'])).toBe(
      'model.prices["gpt-4.1"].input_per_mtok',
    )
  })
})

type Walkable = { _zod: { def: { type: string; innerType?: Walkable; shape?: Record<string, Walkable> } } }

describe('the schema', () => {
  it('gives every field a description and a default', () => {
    const missing: string[] = []
    const walk = (schema: Walkable, path: string) => {
      let current = schema
      let described = false
      let defaulted = false
      for (;;) {
        described ||= z.globalRegistry.get(current as never)?.description !== undefined
        const type = current._zod.def.type
        if (type === 'default' || type === 'prefault') defaulted = true
        if (!['default', 'prefault', 'optional', 'nullable'].includes(type) || !current._zod.def.innerType)
          break
        current = current._zod.def.innerType
      }
      if (!described) missing.push(`${path}: description`)
      if (!defaulted && !path.startsWith('roles.') && path !== 'project.owner' && path !== 'project.number') {
        missing.push(`${path}: default`)
      }
      for (const [key, child] of Object.entries(current._zod.def.shape ?? {}))
        walk(child, `${path}.${key}`.replace(/^\./, ''))
    }
    for (const [key, child] of Object.entries(configSchema.shape)) walk(child as unknown as Walkable, key)
    expect(missing).toEqual([])
  })

  it('has a JSON Schema that accepts the defaults and a real file and refuses mistakes', () => {
    const ajv = new Ajv2020({ strict: false })
    const validate = ajv.compile(configJsonSchema())
    expect(validate({})).toBe(true)
    expect(validate(DEFAULTS)).toBe(true)
    expect(validate({ budgets: { iterations: 10 }, merge: 'auto', roles: { qa: { output: 'pr' } } })).toBe(
      true,
    )
    expect(validate({ merge: 'sometimes' })).toBe(false)
    expect(validate({ max_worker: 3 })).toBe(false)
    expect(validate({ budgets: { iterations: 'x' } })).toBe(false)
    expect(validate({ roles: { qa: { tools: ['nope'] } } })).toBe(false)
  })

  it('carries the descriptions and defaults into the JSON Schema', () => {
    const schema = configJsonSchema() as {
      title: string
      properties: Record<string, { description?: string; default?: unknown }>
    }
    expect(schema.title).toMatch(/gastown\.yml/)
    expect(schema.properties.max_workers).toMatchObject({
      default: 4,
      description: expect.stringMatching(/at once/),
    })
    expect(schema.properties.merge?.default).toBe('manual')
  })
})
