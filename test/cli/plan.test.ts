/**
 * `gastown plan`: a dry run of the planner on a local checkout, with the scripted model (a test double,
 * announced) or a real OpenAI-compatible endpoint on 127.0.0.1. Nothing talks to GitHub.
 */
import { execFile } from 'node:child_process'
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { afterEach, describe, expect, it } from 'vitest'
import { PLAN_USAGE, runPlan, shapeOfCheckout } from '../../src/cli/plan.js'
import { completion, startChatCompletionsServer } from '../support/chat-completions-server.js'
import { planJson } from '../mayor/mayor-fixture.js'

const exec = promisify(execFile)
const cleanups: (() => Promise<void>)[] = []

afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup()
})

/** A checkout of octo/todo with a README, some JavaScript and optional extra files. */
async function checkout(files: Record<string, string> = {}): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'gastown-plan-'))
  cleanups.push(() => rm(dir, { recursive: true, force: true }))
  const all: Record<string, string> = {
    'README.md': '# Todo\n\nA tiny todo app for the command line.\n',
    'src/index.js': 'export const todos = []\n',
    'package.json': '{ "name": "todo", "type": "module" }\n',
    ...files,
  }
  for (const [path, content] of Object.entries(all)) {
    await mkdir(join(dir, path, '..'), { recursive: true })
    await writeFile(join(dir, path), content)
  }
  const git = (...args: string[]) =>
    exec('git', ['-c', 'user.name=A', '-c', 'user.email=a@example.com', ...args], { cwd: dir })
  await git('init', '-q', '-b', 'trunk')
  await git('remote', 'add', 'origin', 'https://github.com/octo/todo.git')
  await git('add', '-A')
  await git('commit', '-q', '-m', 'start')
  return dir
}

async function plan(cwd: string, argv: string[], env: Record<string, string>) {
  const out: string[] = []
  const err: string[] = []
  const code = await runPlan(argv, { cwd, env, stdout: (t) => out.push(t), stderr: (t) => err.push(t) })
  return { code, stdout: out.join(''), stderr: err.join('') }
}

describe('gastown plan', () => {
  it('plans with the built-in scripted scenario, announced as a test double, as a table and a Mermaid graph', async () => {
    const dir = await checkout()
    const run = await plan(dir, ['Build a REST API for a todo list with CRUD operations and tests'], {
      GASTOWN_SCENARIO: 'todo-api',
    })
    expect(run.code, run.stderr).toBe(0)
    expect(run.stderr).toContain(
      'with the scripted model "scripted:todo-api" (a test double replaying a scenario, not an LLM)',
    )
    expect(run.stdout).toContain('(octo/todo): 7 beads')
    expect(run.stdout).toContain(
      '| 2 | `store` | Implement the in-memory todo store | developer | `design` |',
    )
    expect(run.stdout).toContain('```mermaid\ngraph TD\n')
    expect(run.stdout).toContain('  b_routes --> b_api_tests')
    expect(run.stdout).toContain('Nothing was created')
  })

  it('tells the planner what the checkout holds: name, default branch, files, languages and README', async () => {
    const dir = await checkout()
    expect((await shapeOfCheckout(join(dir, 'src'))).shape).toEqual({
      fullName: 'octo/todo',
      defaultBranch: 'trunk',
      topLevel: [
        { name: 'README.md', type: 'file' },
        { name: 'package.json', type: 'file' },
        { name: 'src', type: 'dir' },
      ],
      languages: { JavaScript: 'export const todos = []\n'.length },
      readme: '# Todo\n\nA tiny todo app for the command line.\n',
    })
    // The scripted planner fails loudly unless the prompt carries what the checkout holds.
    const scenario = join(dir, 'expects.yaml')
    await writeFile(
      scenario,
      [
        'name: expects',
        'plan:',
        '  - turns:',
        "      - expect: { user: { matches: 'octo/todo[\\s\\S]*A tiny todo app' } }",
        `        content: ${JSON.stringify(planJson([{ key: 'cli', role: 'developer' }]))}`,
        'beads: {}',
      ].join('\n'),
    )
    const run = await plan(dir, ['Add a CLI', '--json'], { GASTOWN_SCENARIO: scenario })
    expect(run.code, run.stderr).toBe(0)
    const answer = JSON.parse(run.stdout) as { scripted: boolean; plan: { beads: { key: string }[] } }
    expect(answer.scripted).toBe(true)
    expect(answer.plan.beads.map((b) => b.key)).toEqual(['cli'])
  })

  it('asks a real OpenAI-compatible endpoint with the key from the environment and the config model', async () => {
    const server = await startChatCompletionsServer()
    cleanups.push(() => server.close())
    const dir = await checkout({ '.github/gastown.yml': 'model:\n  name: tiny-planner\n' })
    server.enqueue(
      completion({
        content: planJson([
          { key: 'health', role: 'developer', title: 'Add /health' },
          { key: 'tests', role: 'tester', deps: ['health'] },
        ]),
        usage: { prompt_tokens: 900, completion_tokens: 100 },
      }),
    )
    const run = await plan(dir, ['Add a health check', '--body', 'GET /health answers 200.'], {
      OPENAI_API_KEY: 'sk-plan-test',
      OPENAI_BASE_URL: server.baseUrl,
    })
    expect(run.code, run.stderr).toBe(0)
    expect(run.stdout).toContain('2 beads, by the model "tiny-planner"')
    expect(run.stdout).toContain('Tokens: 1000 (900 prompt, 100 completion)')
    expect(server.requests).toHaveLength(1)
    expect(server.requests[0]!.headers['authorization']).toBe('Bearer sk-plan-test')
    expect(JSON.stringify(server.requests[0]!.body)).toContain('GET /health answers 200.')
    expect((server.requests[0]!.body as { model: string }).model).toBe('tiny-planner')
  })

  it('refuses to guess: no key and no scenario, an invalid config, or no goal', async () => {
    const dir = await checkout()
    const noKey = await plan(dir, ['Add a CLI'], {})
    expect(noKey.code).toBe(1)
    expect(noKey.stderr).toMatch(/set OPENAI_API_KEY.*GASTOWN_SCENARIO/)

    const broken = await checkout({ '.github/gastown.yml': 'max_workers: 0\n' })
    const invalid = await plan(broken, ['Add a CLI'], { GASTOWN_SCENARIO: 'todo-api' })
    expect(invalid.code).toBe(1)
    expect(invalid.stderr).toContain('.github/gastown.yml:1 max_workers:')

    const nothing = await plan(dir, [], { GASTOWN_SCENARIO: 'todo-api' })
    expect(nothing.code).toBe(2)
    expect(nothing.stderr).toContain(PLAN_USAGE)
  })
})
