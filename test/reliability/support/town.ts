/**
 * A town for reliability and security tests: the emulator, and a Mayor served by Probot on its own port
 * that can be killed and replaced by a fresh one, as a crashed and restarted server would be. It keeps
 * what the tests look for: every request the Mayor sent (with its body), every webhook delivery as sent
 * (headers and body, so a test can replay one), and every request the planner model received.
 *
 * It builds on test/mayor/mayor-fixture.ts (plans, played workers) and differs where these tests need
 * more: emulator options (token lifetime, seed, faults at start), a replaceable Mayor, and recordings.
 */
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { retry } from '@octokit/plugin-retry'
import { Octokit } from '@octokit/rest'
import { createNodeMiddleware, Probot, ProbotOctokit } from 'probot'
import { decodeBead } from '../../../src/core/bead-codec.js'
import type { Bead } from '../../../src/core/bead.js'
import { withWriteSpacing } from '../../../src/github/client.js'
import type { ChatModel, ChatRequest, ChatResponse } from '../../../src/llm/chat-model.js'
import { silentLogger } from '../../../src/llm/logger.js'
import { parseScenario } from '../../../src/llm/scenario.js'
import { ScriptedModel } from '../../../src/llm/scripted-model.js'
import { createMayor, type Mayor } from '../../../src/mayor/app.js'
import type { MayorDeps } from '../../../src/mayor/mayor-deps.js'
import type { Emulator, EmulatorOptions, RepoOptions } from '../../../src/sandbox/emulator/emulator.js'
import { SANDBOX_TIME_SCALE } from '../../../src/sandbox/serve-mayor.js'
import { quietLog, startTown } from '../../sandbox/emulator/emulator-fixture.js'
import { IDLE_WORKFLOW, type MayorTown } from '../../mayor/mayor-fixture.js'

export const OWNER = 'alice'

/** Timers of the Mayor due within this many ms are waited for by settle(); later ones are not. */
const SOON_MS = 20_000
export const REPO = 'town'

/** One request the Mayor sent to GitHub. */
export interface SentRequest {
  method: string
  url: string
  body: string
  /** Which Mayor (1, 2, ...) sent it. */
  mayor: number
}

/** One webhook delivery as the emulator sent it: enough to replay it byte for byte. */
export interface SentDelivery {
  url: string
  headers: Record<string, string>
  body: string
}

/** Called before each request the Mayor sends; a test may wait here, or kill the Mayor. */
export type RequestHook = (request: {
  method: string
  url: string
  body: string
  mayor: number
}) => Promise<void> | void

/** Options of a town. */
export interface ChaosTownOptions {
  /** Plan answers, one conversation per planning; an array holds the answers to repair requests too. */
  plans: (string | string[])[]
  /** How many times the plan conversations are offered (a Mayor killed mid-planning plans again). */
  planRepeats?: number
  /** Replaces the scripted planner altogether (e.g. an OpenAI client pointed at a local server). */
  planner?: ChatModel
  config?: string
  workflow?: string
  files?: Record<string, string>
  emulator?: Partial<EmulatorOptions>
  deps?: Partial<MayorDeps>
  /** Runs before the planner answers; the Mayor may be killed meanwhile. */
  beforePlan?: (request: ChatRequest) => Promise<void>
}

/** A running town whose Mayor can be killed and replaced. */
export interface ChaosTown extends MayorTown {
  /** The current Mayor's number: 1 for the first, counting up with each replacement. */
  readonly generation: number
  /** The current Mayor's webhook URL. */
  readonly webhookUrl: string
  /** Every request any Mayor sent, bodies included. */
  readonly sent: SentRequest[]
  /** Every delivery the emulator posted, as posted. */
  readonly posted: SentDelivery[]
  /** Every request the planner model received. */
  readonly planRequests: ChatRequest[]
  /** The installation tokens the Mayors sent, to revoke them as GitHub would on expiry. */
  readonly installationTokens: Set<string>
  /** Called before each request a Mayor sends. */
  onRequest: RequestHook | undefined
  /**
   * Kills the Mayor as a process dies: its server stops answering, its timers stop, and every request
   * it would still send fails without reaching GitHub. Work it had queued is lost.
   */
  killMayor(): Promise<void>
  /** Starts a fresh Mayor (new createMayor, Probot and server) and runs its start-up sweep. */
  startMayor(): Promise<void>
  /** Kills the Mayor and starts a fresh one. */
  restartMayor(): Promise<void>
}

const RetryingOctokit = Octokit.plugin(retry)

/** Thrown at a dead Mayor's requests: they never leave the process. */
export class MayorDeadError extends Error {
  override readonly name = 'MayorDeadError'
}

// The emulator has no content-creation limit: space writes 10 ms apart, wait out a secondary rate limit
// 10 ms per second asked, and retry a 5xx after 10, 40, 90 ms rather than GitHub.com's 1, 4, 9 s.
// A mixin's constructor must take any arguments, as Probot passes them on.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
const Spaced = withWriteSpacing(ProbotOctokit, 10, 10) as unknown as new (...args: any[]) => object
const FastOctokit = class extends Spaced {
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  constructor(...args: any[]) {
    const options = (args[0] ?? {}) as { retry?: object }
    super({ ...options, retry: { ...options.retry, retryAfterBaseValue: 10 } }, ...args.slice(1))
  }
} as unknown as typeof ProbotOctokit

/** A ChatModel that records every request and can hold the answer back. */
class RecordingPlanner implements ChatModel {
  readonly name: string
  readonly scripted: boolean
  constructor(
    private readonly inner: ChatModel,
    private readonly requests: ChatRequest[],
    private readonly before?: (request: ChatRequest) => Promise<void>,
  ) {
    this.name = inner.name
    this.scripted = inner.scripted
  }

  async complete(request: ChatRequest): Promise<ChatResponse> {
    this.requests.push(request)
    if (this.before) await this.before(request)
    return this.inner.complete(request)
  }
}

/** The scripted planner for `plans`, each conversation offered `repeats` times. */
function scriptedPlanner(plans: (string | string[])[], repeats: number): ChatModel {
  const conversations = Array.from({ length: repeats }, () => plans).flat()
  const scenario = parseScenario(
    [
      'name: reliability-test',
      conversations.length === 0 ? 'plan: []' : 'plan:',
      ...conversations.map(
        (plan) =>
          `  - turns:\n${(Array.isArray(plan) ? plan : [plan]).map((turn) => `      - content: ${JSON.stringify(turn)}`).join('\n')}`,
      ),
      'beads: {}',
    ].join('\n'),
    'reliability-test.yaml',
  )
  return new ScriptedModel(scenario, { logger: silentLogger })
}

/** Starts the emulator and a first Mayor. */
export async function startChaosTown(options: ChaosTownOptions): Promise<ChaosTown> {
  const posted: SentDelivery[] = []
  const recordingFetch: typeof fetch = async (input, init) => {
    const headers: Record<string, string> = {}
    new Headers(init?.headers).forEach((value, key) => void (headers[key] = value))
    posted.push({ url: String(input), headers, body: typeof init?.body === 'string' ? init.body : '' })
    return fetch(input, init)
  }
  const repo: RepoOptions = {
    owner: OWNER,
    name: REPO,
    files: {
      'README.md': '# Town\n\nA small repository.\n',
      'package.json': '{ "name": "town", "type": "module" }\n',
      '.github/workflows/gastown-worker.yml': options.workflow ?? IDLE_WORKFLOW,
      ...(options.config !== undefined ? { '.github/gastown.yml': options.config } : {}),
      ...options.files,
    },
    access: { bob: 'write', tina: 'triage', rita: 'read' },
  }
  const emulator: Emulator = await startTown({
    repos: [repo],
    fetch: recordingFetch,
    timeScale: SANDBOX_TIME_SCALE,
    ...options.emulator,
  })

  const planRequests: ChatRequest[] = []
  const planner = new RecordingPlanner(
    options.planner ?? scriptedPlanner(options.plans, options.planRepeats ?? 1),
    planRequests,
    options.beforePlan,
  )
  const sent: SentRequest[] = []
  const installationTokens = new Set<string>()
  // The Mayor's timers, with when each is due, so settle() can wait for the ones due soon (job retries).
  const timers = new Map<NodeJS.Timeout, { due: number; fired: Promise<void> }>()

  let generation = 0
  let current:
    { mayor: Mayor; probot: Probot; server: Server; url: string; alive: { value: boolean } } | undefined

  const town: ChaosTown = {
    emulator,
    get mayor() {
      return current!.mayor
    },
    get probot() {
      return current!.probot
    },
    get generation() {
      return generation
    },
    get webhookUrl() {
      return current!.url
    },
    sent,
    posted,
    planRequests,
    installationTokens,
    onRequest: undefined,
    // People's clients retry a 5xx, as a person would click again: faults are meant for the Mayor.
    as: (login: string) =>
      new RetryingOctokit({
        baseUrl: emulator.apiUrl,
        auth: emulator.tokenFor(login),
        log: quietLog,
        retry: { retryAfterBaseValue: 10 },
      }),
    async settle() {
      // Each side can wake the other: deliveries queue Mayor jobs, jobs cause deliveries and runs.
      // A job that failed on passing trouble runs again on a timer: wait for those due soon too.
      for (let quiet = 0; quiet < 2;) {
        const before = emulator.deliveries().length
        await emulator.settled()
        await current?.mayor.idle()
        await emulator.runner.idle()
        await emulator.settled()
        await current?.mayor.idle()
        const soon = [...timers.values()].filter((t) => t.due <= Date.now() + SOON_MS)
        await Promise.all(soon.map((t) => t.fired))
        quiet = emulator.deliveries().length === before && soon.length === 0 ? quiet + 1 : 0
      }
    },
    async beads(): Promise<Bead[]> {
      const data = await town.as(OWNER).paginate(town.as(OWNER).rest.issues.listForRepo, {
        owner: OWNER,
        repo: REPO,
        labels: 'gastown:bead',
        state: 'all',
        per_page: 100,
      })
      return data
        .map((issue) => decodeBead(issue as Parameters<typeof decodeBead>[0]))
        .flatMap((d) => (d.ok ? [d.bead] : []))
        .sort((a, b) => a.number! - b.number!)
    },
    async killMayor() {
      if (!current) return
      const dying = current
      current = undefined
      dying.alive.value = false
      dying.mayor.stop()
      dying.server.closeAllConnections()
      await new Promise<void>((resolve) => dying.server.close(() => resolve()))
      emulator.setWebhookUrl(undefined)
      // Work it had queued runs into MayorDeadError at its next request and ends; wait for that, so a
      // test never sees the dead Mayor's last steps race the new one.
      await dying.mayor.idle()
    },
    async startMayor() {
      generation += 1
      const number = generation
      const alive = { value: true }
      const mayorFetch: typeof fetch = async (target, init) => {
        if (!alive.value) throw new MayorDeadError(`Mayor ${number} is dead; its request never left`)
        // Probot gives auth-app a request without its baseUrl, so a token asked for outside a request
        // (a renewal) goes to api.github.com, here as on GitHub Enterprise: send it where GitHub is.
        const input = String(target).replace('https://api.github.com', emulator.apiUrl)
        const request = {
          method: init?.method ?? 'GET',
          url: input,
          body: typeof init?.body === 'string' ? init.body : '',
          mayor: number,
        }
        await town.onRequest?.(request)
        if (!alive.value) throw new MayorDeadError(`Mayor ${number} is dead; its request never left`)
        sent.push(request)
        const authorization = new Headers(init?.headers).get('authorization') ?? ''
        if (/^token ghs_/.test(authorization)) installationTokens.add(authorization.slice('token '.length))
        return fetch(input, init)
      }
      const deps: MayorDeps = {
        modelFor: async () => planner,
        now: () => Date.now(),
        random: () => 0.5,
        setTimer: (fn, ms) => {
          let fire = () => {}
          const fired = new Promise<void>((resolve) => (fire = resolve))
          const handle = setTimeout(() => {
            timers.delete(handle)
            if (alive.value) fn()
            fire()
          }, ms)
          timers.set(handle, { due: Date.now() + ms, fired })
          return () => {
            clearTimeout(handle)
            timers.delete(handle)
            fire()
          }
        },
        reconcileIntervalMs: 0,
        reportGraceMs: 3_600_000,
        jobRetryBaseMs: 50,
        ...options.deps,
      }
      const mayor = createMayor(deps)
      const probot = new Probot({
        appId: emulator.appId,
        privateKey: emulator.appPrivateKey,
        secret: emulator.webhookSecret,
        baseUrl: emulator.apiUrl,
        // GASTOWN_TEST_LOG=info shows the Mayor's log while debugging a test.
        logLevel: (process.env['GASTOWN_TEST_LOG'] as 'info' | undefined) ?? 'fatal',
        request: { fetch: mayorFetch },
        Octokit: FastOctokit,
      })
      const middleware = await createNodeMiddleware(mayor.app, { probot })
      const server: Server = createServer((req, res) => {
        void middleware(req, res, () => {
          res.writeHead(404).end()
        })
      })
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
      const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/github/webhooks`
      current = { mayor, probot, server, url, alive }
      emulator.setWebhookUrl(url)
      if (number > 1) await mayor.reconcile()
    },
    async restartMayor() {
      await town.killMayor()
      await town.startMayor()
    },
    async close() {
      await town.killMayor()
      for (const handle of timers.keys()) clearTimeout(handle)
      await emulator.close()
    },
  }
  await town.startMayor()
  return town
}

/** The comments on an issue, bodies only. */
export async function commentsOn(town: MayorTown, issue: number): Promise<string[]> {
  const data = await town.as(OWNER).paginate(town.as(OWNER).rest.issues.listComments, {
    owner: OWNER,
    repo: REPO,
    issue_number: issue,
    per_page: 100,
  })
  return data.map((c) => c.body ?? '')
}

/** Every issue of the repository (pull requests left out). */
export async function allIssues(town: MayorTown) {
  const data = await town.as(OWNER).paginate(town.as(OWNER).rest.issues.listForRepo, {
    owner: OWNER,
    repo: REPO,
    state: 'all',
    per_page: 100,
  })
  return data.filter((issue) => issue.pull_request === undefined)
}

/** Opens a goal as `by` and labels it `gastown:goal`. */
export async function openGoal(
  town: MayorTown,
  options: { title?: string; body?: string; by?: string } = {},
): Promise<number> {
  const by = options.by ?? OWNER
  const { data } = await town.as(by).rest.issues.create({
    owner: OWNER,
    repo: REPO,
    title: options.title ?? 'Build a todo API',
    body: options.body ?? 'A REST API for a todo list with CRUD operations and tests.',
  })
  await town.as(by).rest.issues.addLabels({
    owner: OWNER,
    repo: REPO,
    issue_number: data.number,
    labels: ['gastown:goal'],
  })
  return data.number
}
