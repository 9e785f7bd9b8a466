/**
 * `gastown init`: the files it writes, how it treats files a person edited, the labels it creates, and
 * end to end against the emulator: init in a fresh clone, push, label a goal, and the real Mayor plans it
 * and dispatches the worker workflow init wrote, whose run (the real bundled action) opens the PR.
 */
import { execFile } from 'node:child_process'
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import fc from 'fast-check'
import yaml from 'js-yaml'
import { afterEach, describe, expect, it } from 'vitest'
import {
  INIT_USAGE,
  MAYOR_WORKFLOW_PATH,
  WORKER_WORKFLOW_PATH,
  repoFromRemote,
  runInit,
  stamp,
  untouchedSinceInit,
} from '../../src/cli/init.js'
import { configFields, leafFields } from '../../src/cli/templates/config-fields.js'
import { renderConfigFile } from '../../src/cli/templates/config-template.js'
import { decodeBead } from '../../src/core/bead-codec.js'
import { defaultConfig, parseConfig } from '../../src/core/config.js'
import { labelSpecs } from '../../src/core/labels.js'
import { BUILT_IN_ROLE_NAMES } from '../../src/core/roles.js'
import { silentLogger } from '../../src/llm/logger.js'
import { createMayor, type Mayor } from '../../src/mayor/app.js'
import { modelFromConfig } from '../../src/mayor/model-for.js'
import type { Emulator } from '../../src/sandbox/emulator/emulator.js'
import {
  completion,
  startChatCompletionsServer,
  type ChatCompletionsServer,
} from '../support/chat-completions-server.js'
import { octokitAs, startTown } from '../sandbox/emulator/emulator-fixture.js'
import { planJson } from '../mayor/mayor-fixture.js'
import { serveMayor as serveApp } from '../../src/sandbox/serve-mayor.js'
import { settleTown } from '../../src/sandbox/settle-town.js'

const ROOT = fileURLToPath(new URL('../../', import.meta.url))
const exec = promisify(execFile)
const cleanups: (() => Promise<void>)[] = []

afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup()
})

async function tempDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'gastown-init-'))
  cleanups.push(() => rm(dir, { recursive: true, force: true }))
  return dir
}

const git = (cwd: string, ...args: string[]) =>
  exec('git', ['-c', 'user.name=Alice', '-c', 'user.email=alice@example.com', ...args], { cwd })

/** Runs init as the command line would; answers the exit code and what it printed. */
async function init(cwd: string, argv: string[], env: Record<string, string> = {}) {
  const out: string[] = []
  const err: string[] = []
  const code = await runInit(argv, {
    cwd,
    env,
    stdout: (text) => out.push(text),
    stderr: (text) => err.push(text),
  })
  return { code, stdout: out.join(''), stderr: err.join('') }
}

/** A fresh local checkout whose origin names octo/shop. */
async function localCheckout(): Promise<string> {
  const dir = await tempDir()
  await git(dir, 'init', '-q', '-b', 'main')
  await git(dir, 'remote', 'add', 'origin', 'git@github.com:octo/shop.git')
  return dir
}

describe('the config file init writes', () => {
  it('means every default while commented, and states exactly the defaults when uncommented', () => {
    const commented = parseConfig(renderConfigFile())
    expect(commented.ok && commented.config).toEqual(defaultConfig())
    const active = parseConfig(renderConfigFile({ active: true }))
    expect(active.ok && active.config).toEqual(defaultConfig())
    // Commented out, not merely equal: no setting line is live.
    expect(
      renderConfigFile()
        .split('\n')
        .filter((line) => line !== '' && !line.startsWith('#')),
    ).toEqual([])
  })

  it('carries the description of every setting in the schema', () => {
    const text = renderConfigFile()
    for (const field of leafFields(configFields())) expect(text).toContain(field.description)
    expect(text).toContain('#  iterations: 30')
    expect(text).toContain("#protected_paths: ['.github/**', .gitattributes]".replace(/'/g, ''))
  })
})

describe('init stamps', () => {
  it('tells a file init wrote from any edit of it', () => {
    fc.assert(
      fc.property(fc.string(), fc.string({ minLength: 1 }), fc.nat(), (body, insert, at) => {
        const written = stamp(body)
        expect(untouchedSinceInit(written)).toBe(true)
        const firstLine = written.indexOf('\n') + 1
        const position = firstLine + (at % (body.length + 1))
        const edited = written.slice(0, position) + insert + written.slice(position)
        expect(untouchedSinceInit(edited)).toBe(false)
      }),
    )
  })

  it('reads the repository from https, ssh and local remotes, never echoing a credential', () => {
    expect(repoFromRemote('https://github.com/octo/shop.git')).toEqual({ owner: 'octo', repo: 'shop' })
    expect(repoFromRemote('git@github.com:octo/shop.git')).toEqual({ owner: 'octo', repo: 'shop' })
    expect(repoFromRemote('ssh://git@ghe.example.com/octo/shop')).toEqual({ owner: 'octo', repo: 'shop' })
    expect(repoFromRemote('http://x-access-token:ghs_secret@127.0.0.1:4000/alice/town.git/')).toEqual({
      owner: 'alice',
      repo: 'town',
    })
    expect(() => repoFromRemote('https://x:ghs_secret@example.com/just-one')).toThrow(
      /https:\/\/\*\*\*@example.com\/just-one.*--repo owner\/name/,
    )
  })
})

describe('gastown init in a checkout', () => {
  it('writes the worker workflow, the config and, when asked, the Mayor workflow', async () => {
    const dir = await localCheckout()
    const run = await init(dir, ['--skip-labels', '--mayor-in-actions'])
    expect(run.code, run.stderr).toBe(0)
    const worker = await readFile(join(dir, WORKER_WORKFLOW_PATH), 'utf8')
    const example = await readFile(join(ROOT, 'docs/examples/gastown-worker.yml'), 'utf8')
    expect(worker).toBe(stamp(example))
    // The worker refuses a checkout that kept its token: every checkout init writes keeps none.
    for (const text of [worker, await readFile(join(dir, MAYOR_WORKFLOW_PATH), 'utf8')]) {
      const steps = Object.values(
        (yaml.load(text) as { jobs: Record<string, { steps: { uses?: string; with?: object }[] }> }).jobs,
      ).flatMap((job) => job.steps)
      const checkouts = steps.filter((step) => step.uses?.startsWith('actions/checkout@'))
      expect(checkouts.length).toBeGreaterThan(0)
      for (const step of checkouts) expect(step.with).toMatchObject({ 'persist-credentials': false })
    }
    const mayor = await readFile(join(dir, MAYOR_WORKFLOW_PATH), 'utf8')
    expect(mayor).toBe(stamp(await readFile(join(ROOT, 'src/cli/templates/gastown-mayor.yml'), 'utf8')))
    const config = await readFile(join(dir, '.github/gastown.yml'), 'utf8')
    expect(config).toBe(stamp(renderConfigFile()))
    expect(run.stdout).toContain('Gas Town for octo/shop')
    expect(run.stdout).toContain('gh secret set OPENAI_API_KEY --repo octo/shop')
    expect(run.stdout).toContain('gh variable set GASTOWN_APP_ID --repo octo/shop')
    expect(run.stdout).toContain('labels: not created (--skip-labels)')
  })

  it('keeps a file the person edited, updates one nobody touched, and replaces an edit only with --force', async () => {
    const dir = await localCheckout()
    expect((await init(dir, ['--skip-labels'])).code).toBe(0)
    const configPath = join(dir, '.github/gastown.yml')
    const workerPath = join(dir, WORKER_WORKFLOW_PATH)
    const edited = (await readFile(configPath, 'utf8')).replace('#max_workers: 4', 'max_workers: 2')
    await writeFile(configPath, edited)
    // An older init's worker file, never edited since: safe to bring up to date.
    await writeFile(workerPath, stamp('name: Gas Town worker\non: workflow_dispatch\n'))

    const again = await init(dir, ['--skip-labels'])
    expect(again.code).toBe(0)
    expect(again.stdout).toContain(
      '.github/gastown.yml: kept: you changed it (gastown init --force replaces it)',
    )
    expect(again.stdout).toContain(`${WORKER_WORKFLOW_PATH}: updated (you had not changed it)`)
    expect(await readFile(configPath, 'utf8')).toBe(edited)
    expect(await readFile(workerPath, 'utf8')).toBe(
      stamp(await readFile(join(ROOT, 'docs/examples/gastown-worker.yml'), 'utf8')),
    )

    const third = await init(dir, ['--skip-labels'])
    expect(third.stdout).toContain(`${WORKER_WORKFLOW_PATH}: up to date`)
    expect(third.stdout).toContain('.github/gastown.yml: kept')

    const forced = await init(dir, ['--skip-labels', '--force'])
    expect(forced.stdout).toContain('.github/gastown.yml: replaced your edited file (--force)')
    expect(await readFile(configPath, 'utf8')).toBe(stamp(renderConfigFile()))
  })

  it('says what to do outside a git checkout, and on a wrong option', async () => {
    const dir = await tempDir()
    const outside = await init(dir, ['--skip-labels'])
    expect(outside.code).toBe(1)
    expect(outside.stderr).toContain(
      'is not inside a git checkout: clone your repository and run gastown init in it.',
    )
    const wrong = await init(dir, ['--frobnicate'])
    expect(wrong.code).toBe(2)
    expect(wrong.stderr).toContain(INIT_USAGE)
    const help = await init(dir, ['--help'])
    expect(help).toMatchObject({ code: 0, stdout: `${INIT_USAGE}\n` })
  })
})

/** The real Mayor, served by Probot over HTTP, receiving the emulator's signed webhooks. */
async function serveMayor(emulator: Emulator, modelKey: string): Promise<Mayor> {
  const mayor = createMayor({
    modelFor: modelFromConfig({ OPENAI_API_KEY: modelKey }, silentLogger),
    now: () => Date.now(),
    random: () => 0.5,
    setTimer: (fn, ms) => {
      const handle = setTimeout(fn, ms)
      return () => clearTimeout(handle)
    },
    reconcileIntervalMs: 0,
    reportGraceMs: 3_600_000,
  })
  const served = await serveApp(emulator, mayor.app)
  cleanups.push(async () => {
    mayor.stop()
    await served.close()
  })
  return mayor
}

/** Waits until deliveries, the Mayor's queue and the runner are all quiet. */
describe('gastown init end to end', () => {
  it('sets up a fresh repository so a labelled goal is planned, dispatched to the workflow init wrote, and done', async () => {
    const model: ChatCompletionsServer = await startChatCompletionsServer()
    cleanups.push(() => model.close())
    const emulator = await startTown({
      users: [{ login: 'alice' }],
      repos: [
        {
          owner: 'alice',
          name: 'shop',
          files: { 'README.md': '# Shop\n\nA tiny shop.\n', 'package.json': '{ "name": "shop" }\n' },
        },
      ],
      actions: { 'gastown-github/gastown@v1': ROOT },
      secrets: { OPENAI_API_KEY: 'sk-test-init' },
    })
    cleanups.push(() => emulator.close())
    const token = emulator.tokenFor('alice')
    const dir = await tempDir()
    await git(
      dir,
      'clone',
      '-q',
      `${emulator.gitUrl}/alice/shop.git`.replace('://', `://x-access-token:${token}@`),
      '.',
    )

    // The emulator has no content-creation limit: labels 10 ms apart, not GitHub.com's second.
    const env = { GITHUB_TOKEN: token, GITHUB_API_URL: emulator.apiUrl, GASTOWN_WRITE_SPACING_MS: '10' }
    const first = await init(dir, [], env)
    expect(first.code, first.stderr).toBe(0)
    const specs = labelSpecs([...BUILT_IN_ROLE_NAMES])
    expect(first.stdout).toContain(`labels: ${specs.length} created, 0 already there`)
    const { data: labels } = await octokitAs(emulator, 'alice').rest.issues.listLabelsForRepo({
      owner: 'alice',
      repo: 'shop',
      per_page: 100,
    })
    expect(labels.map((l) => l.name).sort()).toEqual(specs.map((s) => s.name).sort())

    // The person points the model at their endpoint, then runs init again: their edit stays.
    const configPath = join(dir, '.github/gastown.yml')
    await writeFile(
      configPath,
      (await readFile(configPath, 'utf8'))
        .replace('#model:', 'model:')
        .replace('#  base_url: null', `  base_url: ${model.baseUrl}`),
    )
    const second = await init(dir, [], env)
    expect(second.stdout).toContain('.github/gastown.yml: kept')
    expect(second.stdout).toContain(`labels: 0 created, ${specs.length} already there`)
    await git(dir, 'add', '.github')
    await git(dir, 'commit', '-q', '-m', 'Set up Gas Town')
    await git(dir, 'push', '-q', 'origin', 'main')

    const mayor = await serveMayor(emulator, 'sk-test-mayor')
    model.enqueue(
      completion({ content: planJson([{ key: 'hello', role: 'developer', title: 'Add hello.js' }]) }),
      completion({
        toolCalls: [
          {
            name: 'write_file',
            arguments: JSON.stringify({ path: 'hello.js', content: "console.log('hello')\n" }),
          },
        ],
      }),
      completion({
        toolCalls: [
          { name: 'finish', arguments: JSON.stringify({ summary: 'Added hello.js, which prints hello.' }) },
        ],
      }),
    )
    const alice = octokitAs(emulator, 'alice')
    const { data: goal } = await alice.rest.issues.create({
      owner: 'alice',
      repo: 'shop',
      title: 'Say hello',
      body: 'Add a script that prints hello.',
    })
    await alice.rest.issues.addLabels({
      owner: 'alice',
      repo: 'shop',
      issue_number: goal.number,
      labels: ['gastown:goal'],
    })
    await settleTown(emulator, mayor)

    const runs = emulator.runner.list('alice/shop')
    expect(runs).toHaveLength(1)
    const run = runs[0]!
    expect(run.conclusion, run.log).toBe('success')
    expect(run.path).toBe(WORKER_WORKFLOW_PATH)
    expect(model.requests).toHaveLength(3)
    expect(model.requests[0]!.headers['authorization']).toBe('Bearer sk-test-mayor')
    expect(model.requests[1]!.headers['authorization']).toBe('Bearer sk-test-init')

    const { data: pulls } = await alice.rest.pulls.list({ owner: 'alice', repo: 'shop', state: 'open' })
    expect(pulls).toHaveLength(1)
    const pull = pulls[0]!
    const beadNumber = Number(/Closes #(\d+)/.exec(pull.body ?? '')?.[1])
    expect(run.inputs).toEqual({ bead: String(beadNumber), attempt: '1' })

    await alice.rest.pulls.merge({ owner: 'alice', repo: 'shop', pull_number: pull.number })
    await settleTown(emulator, mayor)
    const { data: bead } = await alice.rest.issues.get({
      owner: 'alice',
      repo: 'shop',
      issue_number: beadNumber,
    })
    const decoded = decodeBead({
      ...bead,
      labels: bead.labels.map((l) => (typeof l === 'string' ? l : (l.name ?? ''))),
    })
    expect(decoded.ok && decoded.bead).toMatchObject({ key: 'hello', status: 'completed', goal: goal.number })
    const { data: closedGoal } = await alice.rest.issues.get({
      owner: 'alice',
      repo: 'shop',
      issue_number: goal.number,
    })
    expect(closedGoal.state).toBe('closed')
    expect(emulator.violations()).toEqual([])
    // The workflow init wrote is the example, stamped, and still parses as YAML.
    expect(yaml.load(await readFile(join(dir, WORKER_WORKFLOW_PATH), 'utf8'))).toMatchObject({
      name: 'Gas Town worker',
    })
  })
})
