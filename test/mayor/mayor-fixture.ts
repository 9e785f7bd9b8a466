/**
 * A town for Mayor tests: the emulator with a sample repository, the real Mayor served by Probot over
 * HTTP and receiving the emulator's signed webhooks, and the scripted model (a test double for the LLM)
 * answering the planner. Workers are played by the tests, through git and the REST API, as a worker would.
 */
import { execFile } from 'node:child_process'
import { mkdtemp, rm, writeFile, mkdir } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { promisify } from 'node:util'
import { Octokit } from '@octokit/rest'
import type { Probot } from 'probot'
import type { Bead } from '../../src/core/bead.js'
import { decodeBead, encodeBead } from '../../src/core/bead-codec.js'
import { transition } from '../../src/core/bead-status.js'
import { createMayor, type Mayor } from '../../src/mayor/app.js'
import { timerSet, type MayorDeps } from '../../src/mayor/mayor-deps.js'
import { SANDBOX_TIME_SCALE, serveMayor } from '../../src/sandbox/serve-mayor.js'
import { parseScenario } from '../../src/llm/scenario.js'
import { ScriptedModel } from '../../src/llm/scripted-model.js'
import { silentLogger } from '../../src/llm/logger.js'
import type { ChatModel, ChatRequest } from '../../src/llm/chat-model.js'
import type { Emulator, RepoOptions, UserOptions } from '../../src/sandbox/emulator/emulator.js'
import { startTown, quietLog, TOWN_USERS } from '../sandbox/emulator/emulator-fixture.js'
import { IDLE_WORKFLOW, settleTown } from '../../src/sandbox/settle-town.js'

const run = promisify(execFile)

export { IDLE_WORKFLOW }

/** The same, but every run fails, as a crashing worker would. */
export const FAILING_WORKFLOW = IDLE_WORKFLOW.replace(/- run: echo .*$/m, '- run: exit 1')

/** A worker workflow whose run lasts 5 s: a step a test counts ends before the run does. */
export const SLOW_WORKFLOW = IDLE_WORKFLOW.replace(/- run: echo .*$/m, '- run: sleep 5')

/** Whether the Mayor sent a logged request: its app and installation tokens act as its bot. */
export function isMayorRequest(entry: { actor: string | null }): boolean {
  return entry.actor?.endsWith('[bot]') === true && entry.actor !== 'github-actions[bot]'
}

/** A plan as the scripted planner answers it. */
export function planJson(beads: { key: string; role: string; deps?: string[]; title?: string }[]): string {
  return JSON.stringify({
    beads: beads.map((b) => ({
      key: b.key,
      title: b.title ?? `Do ${b.key}`,
      description: `Work for ${b.key}.`,
      role: b.role,
      depends_on: b.deps ?? [],
      acceptance_criteria: [`${b.key} works`],
    })),
  })
}

/** What a town for a test is made of. */
export interface MayorTown {
  emulator: Emulator
  mayor: Mayor
  probot: Probot
  as(login: string): Octokit
  /** Waits until the emulator has delivered everything, the Mayor's queue is empty and no run is active. */
  settle(): Promise<void>
  beads(): Promise<Bead[]>
  /** Every request the planner's model was sent, in order (this fixture's towns only). */
  modelRequests?: ChatRequest[]
  close(): Promise<void>
}

/** Options of a test town. */
export interface TownOptions {
  /** Plan answers, one conversation per planning; an array holds the answers to the repair requests too. */
  plans: (string | string[])[]
  config?: string
  workflow?: string
  files?: Record<string, string>
  deps?: Partial<MayorDeps>
  /** Accounts besides the town's people, e.g. an organisation that owns the board. */
  accounts?: UserOptions[]
}

/** Starts the emulator and the Mayor, served by Probot on a local port. */
export async function startMayorTown(options: TownOptions): Promise<MayorTown> {
  const files: Record<string, string> = {
    'README.md': '# Town\n\nA small repository.\n',
    'package.json': '{ "name": "town", "type": "module" }\n',
    '.github/workflows/gastown-worker.yml': options.workflow ?? IDLE_WORKFLOW,
    ...(options.config !== undefined ? { '.github/gastown.yml': options.config } : {}),
    ...options.files,
  }
  const repo: RepoOptions = {
    owner: 'alice',
    name: 'town',
    files,
    access: { bob: 'write', tina: 'triage', rita: 'read' },
  }
  const emulator = await startTown({
    repos: [repo],
    timeScale: SANDBOX_TIME_SCALE,
    users: [...TOWN_USERS, ...(options.accounts ?? [])],
  })
  const scenario = parseScenario(
    [
      'name: mayor-test',
      options.plans.length === 0 ? 'plan: []' : 'plan:',
      ...options.plans.map(
        (plan) =>
          `  - turns:\n${(Array.isArray(plan) ? plan : [plan]).map((turn) => `      - content: ${JSON.stringify(turn)}`).join('\n')}`,
      ),
      'beads: {}',
    ].join('\n'),
    'mayor-test.yaml',
  )
  const scripted = new ScriptedModel(scenario, { logger: silentLogger })
  const modelRequests: ChatRequest[] = []
  const model: ChatModel = {
    name: scripted.name,
    scripted: scripted.scripted,
    complete: (request) => {
      modelRequests.push(request)
      return scripted.complete(request)
    },
  }
  const timers = timerSet()
  const deps: MayorDeps = {
    modelFor: async () => model,
    now: () => Date.now(),
    random: () => 0.5,
    setTimer: timers.setTimer,
    reconcileIntervalMs: 0,
    reportGraceMs: 3_600_000,
    ...options.deps,
  }
  const mayor = createMayor(deps)
  const served = await serveMayor(emulator, mayor.app)
  const probot = served.probot

  const as = (login: string) =>
    new Octokit({ baseUrl: emulator.apiUrl, auth: emulator.tokenFor(login), log: quietLog })
  const settle = () => settleTown(emulator, mayor)
  const beads = async () => {
    const { data } = await as('alice').rest.issues.listForRepo({
      owner: 'alice',
      repo: 'town',
      labels: 'gastown:bead',
      state: 'all',
      per_page: 100,
    })
    return data
      .map((issue) => decodeBead(issue as Parameters<typeof decodeBead>[0]))
      .flatMap((d) => (d.ok ? [d.bead] : []))
      .sort((a, b) => a.number! - b.number!)
  }
  return {
    emulator,
    mayor,
    probot,
    as,
    settle,
    beads,
    modelRequests,
    async close() {
      mayor.stop()
      timers.cancelAll()
      await served.close()
      await emulator.close()
    },
  }
}

/** Opens a goal as alice (admin) and labels it `gastown:goal`. */
export async function openGoal(town: MayorTown, title = 'Build a todo API', by = 'alice'): Promise<number> {
  const { data } = await town.as(by).rest.issues.create({
    owner: 'alice',
    repo: 'town',
    title,
    body: 'A REST API for a todo list with CRUD operations and tests.',
  })
  await town.as(by).rest.issues.addLabels({
    owner: 'alice',
    repo: 'town',
    issue_number: data.number,
    labels: ['gastown:goal'],
  })
  return data.number
}

/**
 * Plays a worker for a code bead: pushes a branch with one commit over git, opens a PR that closes the
 * bead, and moves the bead to in_review in its marker, as the worker action does.
 */
export async function playWorkerPr(
  town: MayorTown,
  bead: Bead,
  files: Record<string, string>,
  options: { writeMarker?: boolean } = {},
): Promise<number> {
  const dir = await mkdtemp(join(tmpdir(), 'gastown-worker-'))
  try {
    const token = town.emulator.tokenFor('bob')
    const url = `${town.emulator.gitUrl}/alice/town.git`.replace('://', `://x-access-token:${token}@`)
    const git = (...args: string[]) =>
      run('git', ['-c', 'user.name=worker', '-c', 'user.email=worker@example.com', ...args], { cwd: dir })
    await git('clone', '-q', url, '.')
    const branch = `gastown/${bead.number}-${bead.key}`
    await git('checkout', '-q', '-b', branch)
    for (const [path, content] of Object.entries(files)) {
      await mkdir(dirname(join(dir, path)), { recursive: true })
      await writeFile(join(dir, path), content)
    }
    await git('add', '-A')
    await git('commit', '-q', '-m', `${bead.title}\n\nGastown-Bead: #${bead.number}`)
    await git('push', '-q', 'origin', branch)
    const { data: pr } = await town.as('bob').rest.pulls.create({
      owner: 'alice',
      repo: 'town',
      title: bead.title,
      head: branch,
      base: 'main',
      body: `Closes #${bead.number}\n\nDone by a played worker.`,
    })
    if (options.writeMarker !== false) {
      await setBead(town, bead.number!, (b) => transition(b, 'in_review', { now: Date.now(), pr: pr.number }))
    }
    return pr.number
  } finally {
    await rm(dir, { recursive: true, force: true })
  }
}

/** Rewrites a bead's issue as a worker would, through the REST API. */
export async function setBead(town: MayorTown, number: number, change: (bead: Bead) => Bead): Promise<void> {
  const { data } = await town
    .as('bob')
    .rest.issues.get({ owner: 'alice', repo: 'town', issue_number: number })
  const decoded = decodeBead(data as Parameters<typeof decodeBead>[0])
  if (!decoded.ok) throw new Error(decoded.error.message)
  const encoded = encodeBead(change(decoded.bead))
  await town.as('bob').rest.issues.update({
    owner: 'alice',
    repo: 'town',
    issue_number: number,
    body: encoded.body,
    labels: encoded.labels,
    state: encoded.state,
    ...(encoded.stateReason ? { state_reason: encoded.stateReason } : {}),
  })
}

/** The two-bead plan most tests use: a developer bead and a tester bead that depends on it. */
export const CHAIN = planJson([
  { key: 'api', role: 'developer' },
  { key: 'tests', role: 'tester', deps: ['api'] },
])

/** The bodies of an issue's comments, oldest first. */
export async function comments(town: MayorTown, issue: number): Promise<string[]> {
  const { data } = await town
    .as('alice')
    .rest.issues.listComments({ owner: 'alice', repo: 'town', issue_number: issue })
  return data.map((c) => c.body ?? '')
}

/** The goal's progress comment, or '' when it has none yet. */
export async function progressComment(town: MayorTown, goal: number): Promise<string> {
  return (await comments(town, goal)).find((body) => body.includes('gastown:progress')) ?? ''
}
