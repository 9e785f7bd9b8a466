import { Ajv2020 } from 'ajv/dist/2020.js'
import { describe, expect, it } from 'vitest'
import { selectTools, TOOL_NAMES, TOOLS, toToolSpec } from '../../../../src/worker/agent/tools/index.js'

describe('tool registry', () => {
  it('holds the eight tools', () => {
    expect([...TOOL_NAMES].sort()).toEqual(
      [
        'edit_file',
        'finish',
        'list_files',
        'read_file',
        'run_command',
        'search',
        'submit_review',
        'write_file',
      ].sort(),
    )
  })

  it('selects the tools of a role in order and always adds finish', () => {
    expect(selectTools(['read_file', 'submit_review']).map((tool) => tool.name)).toEqual([
      'read_file',
      'submit_review',
      'finish',
    ])
    expect(selectTools(['finish', 'finish']).map((tool) => tool.name)).toEqual(['finish'])
  })

  it('throws on an unknown tool name, listing the known ones', () => {
    expect(() => selectTools(['read_file', 'rm_rf'])).toThrow(
      /unknown tool "rm_rf"; the tools are read_file, /,
    )
  })

  it('generates JSON Schemas that accept and refuse what the zod schemas do', () => {
    const ajv = new Ajv2020({ strict: false })
    const samples: Record<string, [unknown, boolean][]> = {
      read_file: [
        [{ path: 'a' }, true],
        [{ path: 'a', start_line: 0 }, false],
        [{ path: 'a', extra: 1 }, false],
      ],
      write_file: [
        [{ path: 'a', content: '' }, true],
        [{ path: 'a' }, false],
      ],
      edit_file: [
        [{ path: 'a', old_text: 'x', new_text: 'y' }, true],
        [{ path: 'a', old_text: 'x' }, false],
      ],
      list_files: [
        [{}, true],
        [{ depth: 'deep' }, false],
      ],
      search: [
        [{ pattern: 'x', ignore_case: true }, true],
        [{ pattern: '' }, false],
      ],
      run_command: [
        [{ command: 'ls' }, true],
        [{ command: 'ls', timeout_seconds: 0 }, false],
      ],
      finish: [
        [{ summary: 'done' }, true],
        [{}, false],
      ],
      submit_review: [
        [{ pr: 1, event: 'COMMENT', body: 'b' }, true],
        [{ pr: 1, event: 'LGTM', body: 'b' }, false],
        [
          {
            pr: 1,
            event: 'COMMENT',
            body: 'b',
            comments: [{ path: 'a', line: 1, body: 'c', side: 'RIGHT' }],
          },
          true,
        ],
      ],
    }
    for (const tool of TOOLS.values()) {
      const spec = toToolSpec(tool)
      expect(spec.parameters).not.toHaveProperty('$schema')
      expect(spec.parameters.type).toBe('object')
      const validate = ajv.compile(spec.parameters)
      for (const [args, valid] of samples[tool.name] ?? []) {
        expect(validate(args), `${tool.name} ${JSON.stringify(args)}`).toBe(valid)
        expect(tool.schema.safeParse(args).success, `${tool.name} zod ${JSON.stringify(args)}`).toBe(valid)
      }
      expect(samples[tool.name]).toBeDefined()
    }
  })
})
