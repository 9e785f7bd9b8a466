/**
 * A town for the worker's tests: the emulator with a small Node repository (alice/todo, bob may
 * write), goal and bead issues made through the API, a checkout made the way actions/checkout makes
 * one (with `persist-credentials: false` unless told otherwise), and WorkerDeps pointed at it all.
 */
import { execFile } from 'node:child_process'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import { Octokit } from '@octokit/rest'
import type { Bead } from '../../../src/core/bead.js'
import type { WorkflowRun } from '../../../src/sandbox/emulator/contracts.js'
import { decodeBead, encodeBead } from '../../../src/core/bead-codec.js'
import { transition } from '../../../src/core/bead-status.js'
import { loadOpenApi, type OpenApi } from '../../../src/sandbox/emulator/openapi.js'
import { SANDBOX_TIME_SCALE } from '../../../src/sandbox/serve-mayor.js'
import { startEmulator, type Emulator, type EmulatorOptions } from '../../../src/sandbox/emulator/emulator.js'
import { Octokit as CoreOctokit } from '@octokit/core'
import { loadScenario } from '../../../src/llm/scenario.js'
import { ScriptedModel } from '../../../src/llm/scripted-model.js'
import { createActionLogger } from '../../../src/worker/action/action-logger.js'
import type { WorkerDeps } from '../../../src/worker/main.js'
import type { ActionInputs } from '../../../src/worker/action/inputs.js'
import { authHeader } from '../../../src/worker/action/git-workspace.js'

const run = promisify(execFile)

/** The scenario folder of the worker's tests. */
export const SCENARIOS = fileURLToPath(new URL('../../fixtures/scenarios/', import.meta.url))

/** A model key no real endpoint knows, to prove it never leaves the worker. */
export const CANARY_KEY = 'sk-canary-key-0123456789abcdefXYZ'

export const OWNER = 'alice'
export const REPO = 'todo'

/** The sample repository: a Node module with a bug, its test, and conventions files. */
export const TODO_FILES: Record<string, string> = {
  'README.md': '# Todo\n\nA tiny module. Run the tests with `node --test`.\n',
  'AGENTS.md': 'Use ES modules and node:test. Keep functions small.\n',
  'package.json': '{\n  "name": "todo",\n  "type": "module",\n  "scripts": { "test": "node --test" }\n}\n',
  'src/sum.js': 'export function sum(a, b) {\n  return a - b\n}\n',
  '.github/gastown.yml': 'review_rounds: 2\n',
}

let openapi: OpenApi | undefined

/** A running town. */
export interface Town {
  emulator: Emulator
  alice: Octokit
  dirs: string[]
  close(): Promise<void>
}

/** Starts the emulator with alice/todo. */
export async function startWorkerTown(
  overrides: Partial<EmulatorOptions> = {},
  files = TODO_FILES,
): Promise<Town> {
  openapi ??= loadOpenApi()
  const emulator = await startEmulator({
    webhookSecret: 'worker-test',
    timeScale: SANDBOX_TIME_SCALE,
    users: [{ login: OWNER }, { login: 'bob' }],
    repos: [{ owner: OWNER, name: REPO, files, access: { bob: 'write' } }],
    openapi,
    ...overrides,
  })
  const alice = new Octokit({ baseUrl: emulator.apiUrl, auth: emulator.tokenFor(OWNER), log: quiet })
  const dirs: string[] = []
  return {
    emulator,
    alice,
    dirs,
    close: async () => {
      await emulator.close()
      for (const dir of dirs) await rm(dir, { recursive: true, force: true })
    },
  }
}

const quiet = { debug: () => {}, info: () => {}, warn: () => {}, error: () => {} }

/** Creates the goal issue; answers its number. */
export async function createGoal(town: Town, title: string, body: string): Promise<number> {
  const { data } = await town.alice.rest.issues.create({
    owner: OWNER,
    repo: REPO,
    title,
    body,
    labels: ['gastown:goal'],
  })
  return data.number
}

/** What a test says about a bead; the rest gets the values the Mayor would give it. */
export interface BeadSpec {
  goal: number
  key: string
  role: string
  title: string
  description: string
  deps?: number[]
  status?: Bead['status']
  attempt?: number
  pr?: number
  round?: number
  /** The run the Mayor recorded as dispatched for this attempt. */
  assignedTo?: string
}

/** The bead a spec describes. */
export function beadOf(spec: BeadSpec): Bead {
  return {
    id: `${spec.goal}/${spec.key}`,
    title: spec.title,
    description: spec.description,
    role: spec.role,
    status: spec.status ?? 'in_progress',
    createdAt: 1_700_000_000_000,
    updatedAt: 1_700_000_000_000,
    goal: spec.goal,
    key: spec.key,
    dependencies: spec.deps ?? [],
    attempt: spec.attempt ?? 1,
    ...(spec.pr === undefined ? {} : { pr: spec.pr }),
    ...(spec.round === undefined ? {} : { round: spec.round }),
    ...(spec.assignedTo === undefined ? {} : { assignedTo: spec.assignedTo }),
  }
}

/** Creates a bead issue as the Mayor would, dispatched (in_progress at its attempt) unless told otherwise. */
export async function createBeadIssue(town: Town, spec: BeadSpec): Promise<number> {
  const encoded = encodeBead(beadOf(spec))
  const { data } = await town.alice.rest.issues.create({
    owner: OWNER,
    repo: REPO,
    title: encoded.title,
    body: encoded.body,
    labels: encoded.labels,
  })
  return data.number
}

/** Rewrites a bead issue's marker, as the Mayor would. */
export async function writeBead(town: Town, number: number, spec: BeadSpec): Promise<void> {
  const encoded = encodeBead(beadOf(spec))
  await town.alice.rest.issues.update({
    owner: OWNER,
    repo: REPO,
    issue_number: number,
    body: encoded.body,
    labels: encoded.labels,
  })
}

/**
 * Dispatches the next attempt of a bead as the Mayor does: through `ready` to `in_progress` with the
 * attempt counted up, keeping what the marker holds (error, failures, round, PR).
 */
export async function redispatch(town: Town, number: number): Promise<Bead> {
  const { data } = await town.alice.rest.issues.get({ owner: OWNER, repo: REPO, issue_number: number })
  const decoded = decodeBead({
    ...data,
    labels: data.labels.map((l) => (typeof l === 'string' ? l : (l.name ?? ''))),
  })
  if (!decoded.ok) throw new Error(decoded.error.message)
  let bead = decoded.bead
  if (bead.status !== 'ready') bead = transition(bead, 'ready', { now: bead.updatedAt + 1 })
  bead = transition(bead, 'in_progress', { now: bead.updatedAt + 1, attempt: bead.attempt + 1 })
  const encoded = encodeBead(bead)
  await town.alice.rest.issues.update({
    owner: OWNER,
    repo: REPO,
    issue_number: number,
    body: encoded.body,
    labels: encoded.labels,
  })
  return bead
}

/**
 * Clones the repository as actions/checkout does; with `persist` (its default, which the worker
 * refuses) the auth header stays in .git/config, else (`persist-credentials: false`) it does not.
 */
export async function checkout(
  town: Town,
  token: string,
  options: { persist?: boolean } = {},
): Promise<string> {
  const dir = await mkdtemp(path.join(tmpdir(), 'worker-ws-'))
  town.dirs.push(dir)
  const url = `${town.emulator.url}/${OWNER}/${REPO}.git`
  await run('git', ['-c', `http.extraheader=${authHeader(token)}`, 'clone', '--quiet', url, dir])
  if (options.persist === true) {
    await run('git', ['config', '--local', `http.${town.emulator.url}/.extraheader`, authHeader(token)], {
      cwd: dir,
    })
  }
  return dir
}

/** Options of a worker's dependencies in a test. */
export interface DepsOptions {
  login?: string
  /** Who dispatched the run (GITHUB_ACTOR); alice, who opens the beads, unless told otherwise. */
  dispatcher?: string
  scenario: string
  runId: string
  workspace: string
  /** Extra variables in the environment the agent's commands are scrubbed from. */
  env?: Record<string, string>
  now?: () => number
  /** The worker's waits; by default they return at once, and are recorded in `waits`. */
  sleep?: (ms: number) => Promise<void>
}

/** WorkerDeps for a run as `login`, with the scripted model of a scenario file; log lines are kept. */
export async function workerDeps(
  town: Town,
  options: DepsOptions,
): Promise<{ deps: WorkerDeps; lines: string[]; summaries: string[]; prompts: string[]; sent: string[] }> {
  const token = town.emulator.tokenFor(options.login ?? OWNER)
  const lines: string[] = []
  const summaries: string[] = []
  const prompts: string[] = []
  const now = options.now ?? Date.now
  const secrets = [token, CANARY_KEY]
  const logger = createActionLogger({ writeLine: (line) => void lines.push(line), now, secrets })
  const tmpRoot = await mkdtemp(path.join(tmpdir(), 'worker-tmp-'))
  town.dirs.push(tmpRoot)
  // No throttling here: its pauses between writes (1-3 s, GitHub's advice) would dominate the tests.
  // The bundled action's test runs the real client, throttling included.
  const api = new CoreOctokit({ auth: token, baseUrl: town.emulator.apiUrl, log: quiet })
  // Every request the worker sends, without its headers: what must never carry a secret.
  const sent: string[] = []
  api.hook.before('request', (request) => {
    const { headers: _headers, request: _transport, ...rest } = request
    sent.push(JSON.stringify(rest))
  })
  const deps: WorkerDeps = {
    api,
    repo: { owner: OWNER, repo: REPO },
    remote: { url: `${town.emulator.url}/${OWNER}/${REPO}.git`, token },
    workspace: options.workspace,
    tmpRoot,
    runId: options.runId,
    // The Mayor of these tests is alice: she opens the bead issues.
    dispatcher: options.dispatcher ?? OWNER,
    runUrl: `${town.emulator.url}/${OWNER}/${REPO}/actions/runs/${options.runId}`,
    clock: { now },
    sleep: options.sleep ?? (async () => {}),
    logger,
    secrets,
    createModel: async () => {
      const model = new ScriptedModel(await loadScenario(path.join(SCENARIOS, options.scenario)), {
        logger,
        sleep: async () => {},
      })
      return {
        name: model.name,
        scripted: true,
        complete: (request) => {
          for (const message of request.messages) if (message.content) prompts.push(message.content)
          return model.complete(request)
        },
      }
    },
    agentEnv: {
      ...process.env,
      GITHUB_TOKEN: token,
      'INPUT_GITHUB-TOKEN': token,
      'INPUT_API-KEY': CANARY_KEY,
      OPENAI_API_KEY: CANARY_KEY,
      ...options.env,
    },
    progressIntervalMs: 0,
    writeSummary: async (markdown) => void summaries.push(markdown),
  }
  return { deps, lines, summaries, prompts, sent }
}

/** Runs git in a directory and answers stdout. */
export async function git(dir: string, args: string[]): Promise<string> {
  return (await run('git', args, { cwd: dir })).stdout
}

/** Every text the emulator holds that the worker could have written: issues, PRs, comments, reviews. */
export function storedTexts(emulator: Emulator): string {
  const { issues, comments, reviews, reviewComments } = emulator.state
  return [
    ...[...issues.values()].flatMap((issue) => [issue.title, issue.body ?? '']),
    ...[...comments.values()].map((comment) => comment.body),
    ...[...reviews.values()].map((review) => review.body),
    ...[...reviewComments.values()].map((comment) => JSON.stringify(comment)),
  ].join('\n')
}

/** Dispatches the worker workflow for one attempt of `bead`, as the Mayor does, and waits for its run. */
export async function dispatchWorker(town: Town, bead: number, attempt = 1): Promise<WorkflowRun> {
  const { data } = await town.alice.request(
    'POST /repos/{owner}/{repo}/actions/workflows/{workflow_id}/dispatches',
    {
      owner: OWNER,
      repo: REPO,
      workflow_id: 'gastown-worker.yml',
      ref: 'main',
      inputs: { bead: String(bead), attempt: String(attempt) },
      return_run_details: true,
    },
  )
  await town.emulator.runner.idle()
  return town.emulator.runner.get((data as { workflow_run_id: number }).workflow_run_id)!
}

/** The files of the branch of the PR that closes `bead`, by path, read back through the REST API. */
export async function pullFiles(town: Town, bead: number, run: WorkflowRun): Promise<Map<string, string>> {
  const { data: pulls } = await town.alice.rest.pulls.list({ owner: OWNER, repo: REPO, state: 'all' })
  const pull = pulls.find((p) => p.body?.includes(`Closes #${bead}`))
  if (!pull) throw new Error(`no PR closes #${bead}; run log:\n${run.log}`)
  const { data: tree } = await town.alice.rest.git.getTree({
    owner: OWNER,
    repo: REPO,
    tree_sha: pull.head.sha,
    recursive: 'true',
  })
  const files = new Map<string, string>()
  for (const entry of tree.tree) {
    if (entry.type !== 'blob' || !entry.path) continue
    const { data: file } = await town.alice.rest.repos.getContent({
      owner: OWNER,
      repo: REPO,
      path: entry.path,
      ref: pull.head.sha,
    })
    if (!Array.isArray(file) && file.type === 'file') {
      files.set(entry.path, Buffer.from(file.content, 'base64').toString('utf8'))
    }
  }
  return files
}

/** The worker's inputs for one attempt of `bead`, as the worker workflow passes them; `extra` overrides. */
export function workerInputs(bead: number, attempt = 1, extra: Partial<ActionInputs> = {}): ActionInputs {
  return {
    bead,
    attempt,
    'github-token': 'unused-here',
    'api-key': '',
    'base-url': '',
    model: '',
    scenario: '',
    'max-iterations': undefined,
    'max-tokens': undefined,
    'max-minutes': undefined,
    'max-cost-usd': undefined,
    'write-spacing-ms': undefined,
    ...extra,
  }
}
