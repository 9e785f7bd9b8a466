import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ScenarioFileError, loadScenario, parseScenario } from '../../src/llm/scenario.js'

const example = fileURLToPath(new URL('../../src/llm/scenarios/hello-tools.yaml', import.meta.url))

let dir: string
beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'scenario-test-'))
})
afterAll(async () => {
  await rm(dir, { recursive: true, force: true })
})

function parseError(text: string): ScenarioFileError {
  try {
    parseScenario(text, 'bad.yaml')
  } catch (error) {
    expect(error).toBeInstanceOf(ScenarioFileError)
    return error as ScenarioFileError
  }
  throw new Error('expected parseScenario to throw')
}

describe('scenario files', () => {
  it('loads the example scenario', async () => {
    const scenario = await loadScenario(example)
    expect(scenario.name).toBe('hello-tools')
    expect(scenario.source).toBe(example)
    expect(scenario.plan).toHaveLength(1)
    expect(scenario.beads?.['hello']?.[0]?.turns).toHaveLength(3)
  })

  it('names a scenario after its file when it has no name', async () => {
    const file = path.join(dir, 'todo-api.yml')
    await writeFile(file, 'plan:\n  - turns:\n      - content: "[]"\n')
    expect((await loadScenario(file)).name).toBe('todo-api')
  })

  it('reports YAML syntax errors with their line', () => {
    const error = parseError('plan:\n  - turns: [\n      - content: x\n')
    expect(error.message).toMatch(/bad\.yaml is not valid YAML at line \d+, column \d+/)
  })

  it('names the field that breaks the format', () => {
    const error = parseError(
      [
        'beads:',
        '  api:',
        '    - turns:',
        '        - tool_calls:',
        '            - name: run',
        '              arguments: { cmd: ls }',
        '              raw_arguments: "{"',
      ].join('\n'),
    )
    expect(error.message).toContain('give arguments or raw_arguments, not both')
    expect(error.message).toContain('beads.api[0].turns[0].tool_calls[0]')
  })

  it('refuses unknown fields, empty turns, bad regular expressions and failing turns with content', () => {
    expect(parseError('plann: []').message).toContain('Unrecognized key: "plann"')
    expect(parseError('plan:\n  - turns:\n      - latency_ms: 5\n').message).toContain(
      'a turn needs content, tool_calls or fail',
    )
    expect(
      parseError('plan:\n  - turns:\n      - content: x\n        expect: { user: { matches: "(" } }\n')
        .message,
    ).toContain('not a valid regular expression')
    expect(
      parseError('plan:\n  - turns:\n      - content: x\n        fail: { message: boom }\n').message,
    ).toContain('a failing turn has no content or tool_calls')
  })

  it('says which file cannot be read', async () => {
    await expect(loadScenario(path.join(dir, 'missing.yaml'))).rejects.toThrow(
      /Cannot read scenario .*missing\.yaml/,
    )
  })
})
