/**
 * The Mayor in GitHub Actions as GitHub runs it: the template's Mayor workflow and the example worker
 * workflow sit in the repository, and the emulator's runner starts them on the events their `on:` takes,
 * with GitHub's rule that events caused by a GITHUB_TOKEN start no workflow (dispatch aside). With the
 * default token the worker's end starts no Mayor run: the schedule moves the goal. With the app the
 * worker's `workflow_run` starts the Mayor at once.
 */
import { generateKeyPairSync } from 'node:crypto'
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import yaml from 'js-yaml'
import { afterEach, describe, expect, it } from 'vitest'
import { decodeBead } from '../../src/core/bead-codec.js'
import type { Emulator } from '../../src/sandbox/emulator/emulator.js'
import { SANDBOX_TIME_SCALE } from '../../src/sandbox/serve-mayor.js'
import { octokitAs, quietRuns, startTown } from '../sandbox/emulator/emulator-fixture.js'
import { planJson } from './mayor-fixture.js'

const ROOT = fileURLToPath(new URL('../../', import.meta.url))
// Each Mayor run is a real process started with tsx, one at a time per repository (the template's
// concurrency group): a generous safety net, not a measure.

const PLAN = planJson([
  { key: 'schema', role: 'architect' },
  { key: 'api', role: 'developer', deps: ['schema'] },
])

/** A worker's part, played with the run's GITHUB_TOKEN: a branch, a PR closing the bead, the bead in review. */
const PLAYED_WORKER = `
import { execFileSync } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { decodeBead, encodeBead } from '${ROOT}src/core/bead-codec.ts'
import { transition } from '${ROOT}src/core/bead-status.ts'

const env = process.env
const repo = env.GITHUB_REPOSITORY
const n = Number(env.BEAD)
async function call(method, path, body) {
  const response = await fetch(env.GITHUB_API_URL + path, {
    method,
    headers: { authorization: 'token ' + env.GH_TOKEN, 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  })
  if (!response.ok) throw new Error(method + ' ' + path + ': ' + response.status + ' ' + (await response.text()))
  return response.json()
}
// As the real worker does: the Mayor writes the dispatch into the marker just after GitHub answers it.
let bead
for (let tries = 0; ; tries += 1) {
  const issue = await call('GET', '/repos/' + repo + '/issues/' + n)
  const decoded = decodeBead({ ...issue, labels: issue.labels.map((l) => l.name) })
  if (!decoded.ok) throw new Error(decoded.error.message)
  bead = decoded.bead
  if (bead.status === 'in_progress' || tries >= 20) break
  await new Promise((resolve) => setTimeout(resolve, 250))
}
const dir = mkdtempSync(join(tmpdir(), 'played-worker-'))
const git = (...args) =>
  execFileSync('git', ['-c', 'user.name=worker', '-c', 'user.email=worker@example.com', ...args], { cwd: dir, stdio: 'pipe' })
git('clone', '-q', (env.GITHUB_SERVER_URL + '/' + repo + '.git').replace('://', '://x-access-token:' + env.GH_TOKEN + '@'), '.')
const branch = 'gastown/' + n + '-' + bead.key
git('checkout', '-q', '-b', branch)
writeFileSync(join(dir, bead.key + '.txt'), bead.title + '\\n')
git('add', '-A')
git('commit', '-q', '-m', bead.title + '\\n\\nGastown-Bead: #' + n)
git('push', '-q', 'origin', branch)
rmSync(dir, { recursive: true, force: true })
const pr = await call('POST', '/repos/' + repo + '/pulls', { title: bead.title, head: branch, base: 'main', body: 'Closes #' + n })
const next = encodeBead(transition(bead, 'in_review', { now: Date.now(), pr: pr.number }))
await call('PATCH', '/repos/' + repo + '/issues/' + n, { body: next.body, labels: next.labels })
`

interface WorkflowDoc {
  name: string
  on: Record<string, unknown>
  jobs: Record<string, { steps: Record<string, unknown>[] } & Record<string, unknown>>
}

let emulator: Emulator | undefined
let dir: string | undefined

afterEach(async () => {
  await emulator?.close()
  emulator = undefined
  if (dir) await rm(dir, { recursive: true, force: true })
  dir = undefined
})

/** The template's Mayor workflow, its steps replaced by its Mayor step run from this checkout. */
async function mayorWorkflow(scenario: string): Promise<string> {
  const doc = yaml.load(
    await readFile(join(ROOT, 'src/cli/templates/gastown-mayor.yml'), 'utf8'),
  ) as WorkflowDoc
  const job = doc.jobs['mayor']!
  const step = job.steps.find((s) => s['id'] === 'mayor')!
  job.steps = [
    {
      ...step,
      'working-directory': ROOT,
      env: {
        ...(step['env'] as Record<string, string>),
        GASTOWN_SCENARIO: scenario,
        // The emulator shortens GitHub's waits a hundredfold, as the sandbox does.
        GASTOWN_WRITE_SPACING_MS: '10',
      },
    },
  ]
  return yaml.dump(doc, { lineWidth: -1 })
}

/** The example worker workflow (name, triggers, permissions, concurrency), its steps a played worker. */
async function workerWorkflow(script: string): Promise<{ text: string; name: string }> {
  const doc = yaml.load(await readFile(join(ROOT, 'docs/examples/gastown-worker.yml'), 'utf8')) as WorkflowDoc
  delete (doc as Partial<WorkflowDoc> & Record<string, unknown>)['run-name']
  doc.jobs['work']!.steps = [
    {
      'working-directory': ROOT,
      run: `node --import tsx ${script}`,
      env: { GH_TOKEN: '${{ github.token }}', BEAD: '${{ inputs.bead }}' },
    },
  ]
  return { text: yaml.dump(doc, { lineWidth: -1 }), name: doc.name }
}

/**
 * alice/work with both workflows and `merge: auto`; the Mayor runs with the workflow's token, or with
 * `app` as the app (vars.GASTOWN_APP_ID and secrets.GASTOWN_APP_PRIVATE_KEY, as docs/mayor-in-actions.md says).
 */
async function town(app = false): Promise<Emulator> {
  dir = await mkdtemp(join(tmpdir(), 'gastown-mia-'))
  const scenario = join(dir, 'planner.yaml')
  await writeFile(
    scenario,
    [
      'name: mayor-in-actions',
      'plan:',
      `  - turns:\n      - content: ${JSON.stringify(PLAN)}`,
      'beads: {}',
    ].join('\n'),
  )
  const script = join(dir, 'played-worker.mts')
  await writeFile(script, PLAYED_WORKER)
  const worker = await workerWorkflow(script)
  const mayor = await mayorWorkflow(scenario)
  // The template's workflow_run trigger names the worker workflow by its `name:`.
  expect(mayor).toContain(worker.name)
  const appPrivateKey = generateKeyPairSync('rsa', {
    modulusLength: 2048,
    publicKeyEncoding: { type: 'spki', format: 'pem' },
    privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
  }).privateKey
  const started = await startTown({
    timeScale: SANDBOX_TIME_SCALE,
    runners: 2,
    appPrivateKey,
    ...(app
      ? { variables: { GASTOWN_APP_ID: '1' }, secrets: { GASTOWN_APP_PRIVATE_KEY: appPrivateKey } }
      : {}),
  })
  await started.createRepo({
    owner: 'alice',
    name: 'work',
    files: {
      'README.md': '# Work\n',
      '.github/gastown.yml': 'merge: auto\n',
      '.github/workflows/gastown-worker.yml': worker.text,
      '.github/workflows/gastown-mayor.yml': mayor,
    },
  })
  if (app) started.installApp('alice')
  return started
}

async function beads() {
  const { data } = await octokitAs(emulator!, 'alice').rest.issues.listForRepo({
    owner: 'alice',
    repo: 'work',
    labels: 'gastown:bead',
    state: 'all',
  })
  return data
    .map((issue) =>
      decodeBead({ ...issue, labels: issue.labels.map((l) => (typeof l === 'string' ? l : (l.name ?? ''))) }),
    )
    .flatMap((d) => (d.ok ? [d.bead] : []))
    .sort((a, b) => a.number! - b.number!)
    .map((b) => [b.key, b.status])
}

const mayorRuns = () =>
  emulator!.runner
    .list('alice/work')
    .filter((run) => run.path.endsWith('gastown-mayor.yml'))
    .reverse()

async function labelGoal(): Promise<void> {
  const alice = octokitAs(emulator!, 'alice')
  const { data: goal } = await alice.rest.issues.create({
    owner: 'alice',
    repo: 'work',
    title: 'Build a todo API',
    body: 'A REST API for a todo list.',
  })
  await alice.rest.issues.addLabels({
    owner: 'alice',
    repo: 'work',
    issue_number: goal.number,
    labels: ['gastown:goal'],
  })
  await quietRuns(emulator!, 'alice/work')
}

describe('the Mayor in Actions, started by the events GitHub would start it on', () => {
  it("with the workflow's token: the worker's end starts no Mayor run, and the schedule moves the goal", async () => {
    emulator = await town()
    await labelGoal()
    // The label (alice's) started the Mayor; what the Mayor did with its GITHUB_TOKEN (beads, labels,
    // comments) started nothing but the worker it dispatched, whose PR and end started nothing either.
    // (The issue's `opened` starts a run too, whose job the template's `if:` skips.)
    expect(new Set(mayorRuns().map((r) => r.event))).toEqual(new Set(['issues']))
    expect(await beads()).toEqual([
      ['schema', 'in_review'],
      ['api', 'pending'],
    ])

    // Each schedule tick is a sweep; mergeability is computed lazily, so merging may take a second one.
    for (let tick = 0; tick < 3 && JSON.stringify(await beads()).includes('pending'); tick += 1) {
      emulator.runSchedule('alice/work')
      await quietRuns(emulator, 'alice/work')
    }
    expect(await beads()).toEqual([
      ['schema', 'completed'],
      ['api', 'in_review'],
    ])
    expect(new Set(mayorRuns().map((r) => r.event))).toEqual(new Set(['issues', 'schedule']))
    expect(mayorRuns().every((r) => r.conclusion === 'success')).toBe(true)
    expect(emulator.violations()).toEqual([])
  }, 300_000)

  it("with the app: the worker's end starts the Mayor's workflow_run run at once", async () => {
    emulator = await town(true)
    await labelGoal()
    const events = mayorRuns().map((r) => r.event)
    // The app's own events (beads, labels, comments) start Mayor runs too, as on GitHub: the Mayor ignores
    // its own events, and the concurrency group cancels older waiting runs.
    expect(events).toContain('workflow_run')
    const workflowRun = mayorRuns().find((r) => r.event === 'workflow_run')!
    expect(workflowRun.actor.login).toBe('gastown[bot]')
    expect(mayorRuns().map((r) => r.conclusion)).not.toContain('failure')
    // GitHub computes a PR's mergeability lazily (null on the first read): when the workflow_run run read
    // it too early, the merge waits for the next event or the schedule's sweep.
    for (let tick = 0; tick < 3 && JSON.stringify(await beads()).includes('pending'); tick += 1) {
      emulator.runSchedule('alice/work')
      await quietRuns(emulator, 'alice/work')
    }
    expect(await beads()).toEqual([
      ['schema', 'completed'],
      ['api', 'in_review'],
    ])
    expect(emulator.violations()).toEqual([])
  }, 300_000)
})
