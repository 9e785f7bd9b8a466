/**
 * The Mayor as a user runs it (`npm run mayor`): src/mayor/serve.ts, Probot's own `run` with the Mayor
 * and its paced writes, configured only through Probot's environment settings (GHE_HOST for the
 * emulator, as for GitHub Enterprise).
 */
import { spawn, type ChildProcess } from 'node:child_process'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, expect, it } from 'vitest'
import type { WorkflowRun } from '../../src/sandbox/emulator/contracts.js'
import type { Emulator } from '../../src/sandbox/emulator/emulator.js'
import { octokitAs, startTown } from '../sandbox/emulator/emulator-fixture.js'
import { IDLE_WORKFLOW, planJson } from './mayor-fixture.js'

let emulator: Emulator | undefined
let mayor: ChildProcess | undefined
let dir: string | undefined

afterEach(async () => {
  if (mayor && mayor.exitCode === null) {
    const exited = new Promise((resolve) => mayor!.once('exit', resolve))
    mayor.kill('SIGTERM')
    await exited
  }
  await emulator?.close()
  if (dir) await rm(dir, { recursive: true, force: true })
})

async function freePort(): Promise<number> {
  const server = createServer()
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as { port: number }
  await new Promise((resolve) => server.close(resolve))
  return port
}

/** Resolves when the child's output shows `pattern`; rejects when it exits first. */
function outputShows(child: ChildProcess, pattern: RegExp, output: () => string): Promise<void> {
  return new Promise((resolve, reject) => {
    const look = () => {
      if (!pattern.test(output())) return
      child.stdout!.off('data', look)
      child.stderr!.off('data', look)
      resolve()
    }
    child.stdout!.on('data', look)
    child.stderr!.on('data', look)
    child.once('exit', (code) => reject(new Error(`probot run exited with ${code}:\n${output()}`)))
  })
}

/** Resolves with the first run queued in `repo`. */
function firstRun(emulator: Emulator, repo: string): Promise<WorkflowRun> {
  return new Promise((resolve) => {
    emulator.runner.onUpdate((run) => {
      if (run.repo === repo) resolve(run)
    })
  })
}

it("runs under Probot's run, plans a labelled goal and dispatches its first bead", async () => {
  emulator = await startTown({
    repos: [
      {
        owner: 'alice',
        name: 'town',
        files: { 'README.md': '# Town\n', '.github/workflows/gastown-worker.yml': IDLE_WORKFLOW },
        access: { bob: 'write' },
      },
    ],
  })
  dir = await mkdtemp(join(tmpdir(), 'gastown-probot-run-'))
  const scenario = join(dir, 'plan.yaml')
  await writeFile(
    scenario,
    `name: probot-run\nplan:\n  - turns:\n      - content: ${JSON.stringify(planJson([{ key: 'api', role: 'developer' }]))}\nbeads: {}\n`,
  )
  const port = await freePort()
  const url = new URL(emulator.url)
  mayor = spawn(process.execPath, ['--import', 'tsx', 'src/mayor/serve.ts'], {
    env: {
      PATH: process.env['PATH'],
      APP_ID: String(emulator.appId),
      PRIVATE_KEY: emulator.appPrivateKey,
      WEBHOOK_SECRET: emulator.webhookSecret,
      GHE_HOST: url.host,
      GHE_PROTOCOL: 'http',
      HOST: '127.0.0.1',
      PORT: String(port),
      // Info, for Probot's "Listening on" line: the test waits for it rather than polling the port.
      LOG_LEVEL: 'info',
      GASTOWN_SCENARIO: scenario,
      GASTOWN_RECONCILE_MINUTES: '0',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let output = ''
  mayor.stdout!.on('data', (chunk) => (output += String(chunk)))
  mayor.stderr!.on('data', (chunk) => (output += String(chunk)))
  emulator.setWebhookUrl(`http://127.0.0.1:${port}/api/github/webhooks`)
  await outputShows(mayor, /Listening on http:/, () => output)
  const dispatched = firstRun(emulator, 'alice/town')

  const alice = octokitAs(emulator, 'alice')
  await alice.rest.issues.create({
    owner: 'alice',
    repo: 'town',
    title: 'Todo API',
    labels: ['gastown:goal'],
  })
  const run = await dispatched
  expect(run.inputs).toEqual({ bead: '2', attempt: '1' })
  const { data: bead } = await alice.rest.issues.get({ owner: 'alice', repo: 'town', issue_number: 2 })
  expect(bead.labels.map((l) => (typeof l === 'string' ? l : l.name))).toContain('gastown:role/developer')
  // The planner announced the scripted model rather than passing it off as an LLM.
  const { data: comments } = await alice.rest.issues.listComments({
    owner: 'alice',
    repo: 'town',
    issue_number: 1,
  })
  expect(comments.some((c) => (c.body ?? '').includes('gastown:plan '))).toBe(true)
  expect(output).toMatch(/scripted model/i)
  expect(emulator.violations()).toEqual([])
}, 120_000)
