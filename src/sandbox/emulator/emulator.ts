/**
 * The GitHub emulator: one HTTP server on 127.0.0.1 answering REST (at `/` and `/api/v3`), GraphQL (at
 * `/graphql` and `/api/graphql`) and git (at `/<owner>/<repo>.git`), every REST exchange checked against
 * GitHub's OpenAPI description, with signed webhook deliveries, a request log and fault injection.
 */
import { generateKeyPair } from 'node:crypto'
import { mkdtemp } from 'node:fs/promises'
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { parse, type DocumentNode } from 'graphql'
import { createActors, type Actors } from './actors.js'
import type {
  ActionsRunner,
  GitHost,
  GraphqlEndpoint,
  Permission,
  RepositoryEvent,
  WorkflowRun,
} from './contracts.js'
import { createActionsRunner } from './actions-runner.js'
import { createFaults, type FaultRule, type Faults } from './faults.js'
import { createGitHost } from './git-host.js'
import { createIssuesGraphql } from './graphql-issues.js'
import { createGraphqlEndpoint } from './graphql-projects.js'
import { loadOpenApi, type OpenApi } from './openapi.js'
import { createRandomSource, type RandomSource } from './random-source.js'
import { createRateLimits, rateHeaders } from './rate-limits.js'
import { createRequestLog, type RequestLogEntry, type RouteStats } from './request-log.js'
import { allRoutes } from './routes/index.js'
import type { Services } from './routes/route-context.js'
import { onBranchMoved } from './routes/branch-moves.js'
import { createRepoEvents, scheduleEvent } from './repo-events.js'
import { createRestHandler, type Violation } from './rest-handler.js'
import {
  createSecondaryRateLimit,
  graphqlMutationFields,
  secondaryLimitError,
} from './secondary-rate-limit.js'
import { graphqlRateLimitFor, rateLimitFor } from './routes/rate-limit-key.js'
import { rateLimitPoints } from './graphql-node-limit.js'
import type { TokenPermissions } from './contracts.js'
import { projectsRefusal, workflowTokenPermissions } from './permissions.js'
import { registeredAppPermissions } from './app-manifest.js'
import { onRunUpdate } from './run-events.js'
import { createShapes } from './shapes.js'
import {
  contentResolver,
  createState,
  nodeIdFor,
  type EmulatorState,
  type InstallationRecord,
  type RepoRecord,
} from './state.js'
import { createWebhookSender, type Delivery } from './webhooks.js'
import { createWebPages } from './web-pages.js'

/** A user account of the emulated GitHub. */
export interface UserOptions {
  login: string
  type?: 'User' | 'Organization'
}

/** A repository to create at start (or later with `createRepo`). */
export interface RepoOptions {
  owner: string
  name: string
  defaultBranch?: string
  private?: boolean
  description?: string
  /** Files of the initial commit on the default branch. */
  files?: Record<string, string>
  /** Collaborators' access by login; the owner is admin. */
  access?: Record<string, Permission>
  labels?: { name: string; color?: string; description?: string }[]
  /** Whether the app is installed on the owner (silently, before start); true when absent. */
  installed?: boolean
}

/** Options of `startEmulator`. */
export interface EmulatorOptions {
  /** Port on 127.0.0.1; 0 (the default) picks a free one. */
  port?: number
  appId?: number
  appSlug?: string
  appName?: string
  /** The account that owns the app (the first user when absent). */
  appOwner?: string
  /** PEM private key of the app; generated (RSA 2048) when absent. */
  appPrivateKey?: string
  webhookUrl?: string
  webhookSecret: string
  users?: UserOptions[]
  repos?: RepoOptions[]
  /** Lifetime of installation tokens; GitHub's is one hour. */
  installationTokenTtlMs?: number
  faults?: FaultRule[]
  seed?: number
  /** JSON-lines request log file. */
  logFile?: string
  /** Milliseconds since the epoch; the real clock when absent. */
  clock?: () => number
  /** A description already loaded (shared between emulators of one process to save start-up time). */
  openapi?: OpenApi
  /** Where bare repositories live; a fresh temporary directory when absent. */
  gitRoot?: string
  /** How many workflow runs may be in progress at once (the number of runners); 2 when absent. */
  runners?: number
  /** `uses:` values mapped to local directories holding an action.yml (e.g. this project's action). */
  actions?: Record<string, string>
  /** Repository secrets for workflow runs. */
  secrets?: Record<string, string>
  /** Repository variables, the runner's `vars` context. */
  variables?: Record<string, string>
  /** Its runner plays a GitHub-hosted ubuntu-24.04 runner, where `unshare` is refused. */
  refuseUnshare?: boolean
  fetch?: typeof fetch
  /**
   * GitHub seconds per second of `clock` in the secondary rate limits' windows; 1 (GitHub's) when absent.
   * A sandbox whose clients wait 10 ms per second of `retry-after` compresses time by 100.
   */
  timeScale?: number
  /** The permissions the app registers; this project's app.yml when absent. Installation tokens carry them. */
  appPermissions?: TokenPermissions
  /**
   * The repositories' "Workflow permissions" setting, for a workflow without `permissions:`: `read`
   * (contents and packages read, GitHub's default since February 2023) when absent, or `write`.
   */
  defaultWorkflowPermissions?: 'read' | 'write'
}

export type { Violation } from './rest-handler.js'

/** A running emulator. */
export interface Emulator {
  url: string
  /** REST base URL for Octokit's `baseUrl` and Probot's `baseUrl` (GitHub Enterprise style). */
  apiUrl: string
  graphqlUrl: string
  /** Base for clone URLs: `${gitUrl}/<owner>/<repo>.git`. */
  gitUrl: string
  appId: number
  appSlug: string
  appPrivateKey: string
  webhookSecret: string
  state: EmulatorState
  git: GitHost
  runner: ActionsRunner
  graphql: GraphqlEndpoint
  faults: Faults
  actors: Actors
  /** The personal access token of a user. */
  tokenFor(login: string): string
  createRepo(options: RepoOptions): Promise<RepoRecord>
  /** Installs the app on an account, sending installation.created. */
  installApp(account: string, sender?: string): InstallationRecord
  setWebhookUrl(url: string | undefined): void
  violations(): Violation[]
  deliveries(): Delivery[]
  requests(): RequestLogEntry[]
  stats(): Record<string, RouteStats>
  /**
   * Starts every workflow of the repository's default branch that has a `schedule`, as GitHub does when its
   * cron fires (the emulator keeps no cron clock: the caller says when). Awaited by `settled`.
   */
  runSchedule(repo: string): void
  /** Resolves once every queued webhook delivery has been answered and every event's runs are queued. */
  settled(): Promise<void>
  close(): Promise<void>
}

const restPrefix = '/api/v3'

/** Starts an emulator on 127.0.0.1. */
export async function startEmulator(options: EmulatorOptions): Promise<Emulator> {
  const clock = options.clock ?? Date.now
  // Key generation runs on libuv's thread pool, so it overlaps with parsing the description below.
  const appKey = options.appPrivateKey ? Promise.resolve(options.appPrivateKey) : generateAppKey()
  const random: RandomSource = createRandomSource(options.seed ?? 1)
  const openapi = options.openapi ?? loadOpenApi()
  const state = createState(clock)
  const faults = createFaults(options.faults ?? [], random)
  const log = createRequestLog(options.logFile)
  const violations: Violation[] = []
  const addViolation = (violation: Violation): void => void violations.push(violation)
  for (const user of options.users ?? []) state.account(user.login, user.type ?? 'User')
  const appPrivateKey = await appKey
  const appId = options.appId ?? 1
  const actors = createActors({
    state,
    random,
    clock,
    appId,
    appSlug: options.appSlug ?? 'gastown',
    appName: options.appName ?? 'Gas Town',
    appOwner: options.appOwner ?? options.users?.[0]?.login ?? 'gastown-owner',
    appPrivateKey,
    installationTokenTtlMs: options.installationTokenTtlMs ?? 3_600_000,
    appPermissions: options.appPermissions ?? registeredAppPermissions(),
  })
  for (const user of options.users ?? []) actors.tokenFor(user.login)

  const server = createServer()
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(options.port ?? 0, '127.0.0.1', () => resolve())
  })
  const port = (server.address() as AddressInfo).port
  const url = `http://127.0.0.1:${port}`
  const apiUrl = `${url}${restPrefix}`
  const graphqlUrl = `${url}/api/graphql`
  const shapes = createShapes(state, apiUrl, url)
  const git = createGitHost({
    root: options.gitRoot ?? (await mkdtemp(join(tmpdir(), 'gastown-emulator-'))),
    authorize: actors.authorize,
    clock: () => new Date(clock()),
  })

  const webhooks = createWebhookSender({
    url: options.webhookUrl,
    secret: options.webhookSecret,
    appId,
    random,
    faults,
    fetch: options.fetch ?? fetch,
    now: () => performance.now(),
    check: openapi.check.checkWebhook,
    onViolation: (route, detail) => addViolation({ route, kind: 'webhook', detail }),
  })

  // Events start the workflows that take them once the runner exists (below); settled() awaits their admission.
  let startRuns: (event: RepositoryEvent) => void = () => undefined
  const events = createRepoEvents(state, shapes, actors, webhooks, (event) => startRuns(event))

  const graphql = createGraphqlEndpoint({
    resolver: contentResolver(state),
    serverUrl: url,
    ownerType: (login) => {
      const account = state.accounts.get(login.toLowerCase())
      return account?.type === 'Organization' ? 'Organization' : account ? 'User' : null
    },
    clock: () => new Date(clock()),
  })

  // Each run gets its own GITHUB_TOKEN, revoked when the run completes.
  const runTokens = new Map<number, string>()
  const runner = createActionsRunner({
    gitHost: git,
    workRoot: await mkdtemp(join(tmpdir(), 'gastown-runs-')),
    concurrency: options.runners ?? 2,
    serverUrl: url,
    apiUrl,
    graphqlUrl,
    gitUrl: url,
    actions: options.actions ?? {},
    secrets: options.secrets ?? {},
    variables: options.variables ?? {},
    refuseUnshare: options.refuseUnshare ?? false,
    defaultBranch: (repo) => state.repos.get(repo.toLowerCase())?.defaultBranch ?? null,
    tokenFor: (run, permissions) => {
      const granted = workflowTokenPermissions(permissions, options.defaultWorkflowPermissions ?? 'read')
      const token = runTokens.get(run.id) ?? actors.createRunToken(run.repo, granted)
      runTokens.set(run.id, token)
      return token
    },
    clock: () => new Date(clock()),
  })

  const services: Services = {
    state,
    shapes,
    actors,
    git,
    runner,
    graphql,
    events,
    faults,
    rateLimits: createRateLimits(clock),
    random,
    clock,
    apiUrl,
    htmlUrl: url,
  }

  const issuesGraphql = createIssuesGraphql({ state, git, serverUrl: url, services })
  // One count of content-creating requests per actor, whether they come by REST or as GraphQL mutations.
  const secondaryLimit = createSecondaryRateLimit({ clock, timeScale: options.timeScale ?? 1 })

  runner.onUpdate((run: WorkflowRun) => {
    onRunUpdate(services, run)
    const token = runTokens.get(run.id)
    if (run.status === 'completed' && token) {
      actors.revokeToken(token)
      runTokens.delete(run.id)
    }
  })
  // Work started outside a request (a push's synchronize event), awaited by `settled`.
  const background = new Set<Promise<unknown>>()
  const track = (task: Promise<unknown>): void => {
    const guarded = task.catch(() => undefined).finally(() => background.delete(guarded))
    background.add(guarded)
  }
  startRuns = (event) => track(runner.trigger(event))
  git.onPush((push) => {
    const repo = state.repos.get(push.repo.toLowerCase())
    if (!repo || !push.ref.startsWith('refs/heads/')) return
    const branch = push.ref.slice('refs/heads/'.length)
    track(onBranchMoved(services, repo, branch, push.before, push.after, push.pusher.login))
    events.pushed(repo, push, push.pusher.login)
  })

  const answerRest = createRestHandler({
    services,
    openapi,
    routes: allRoutes,
    log,
    addViolation,
    prefix: restPrefix,
    secondaryLimit,
  })
  const answerPage = createWebPages({ state, git })
  server.on('request', (req, res) => {
    void handle(req, res).catch((error: unknown) => {
      if (!res.headersSent) {
        res.writeHead(500, { 'content-type': 'application/json; charset=utf-8' })
        res.end(JSON.stringify({ message: 'Server Error', detail: String(error) }))
      } else {
        res.destroy()
      }
    })
  })

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const rawUrl = req.url ?? '/'
    const pathname = rawUrl.split('?')[0] ?? '/'
    if (/\/(info\/refs|git-upload-pack|git-receive-pack)$/.test(pathname) && (await git.handle(req, res)))
      return
    if (await answerPage(req, res)) return
    const body = await readBody(req)
    if (req.method === 'POST' && (pathname === '/graphql' || pathname === '/api/graphql')) {
      return answerGraphql(req, res, body)
    }
    return answerRest(req, res, body)
  }

  async function answerGraphql(req: IncomingMessage, res: ServerResponse, raw: Buffer): Promise<void> {
    const started = performance.now()
    const requestId = random.uuid()
    const auth = actors.authenticate(req.headers.authorization)
    const credential = auth.ok ? auth.credential : null
    let mutation = false
    let faultName: string | undefined
    // What the request cost in GraphQL points, once known (the log records it).
    const cost: { points?: number } = {}
    const rate: Record<string, string> = {}
    const answer = (status: number, body: unknown, headers: Record<string, string> = {}): void => {
      sendJson(res, status, body, { ...rate, ...headers })
      log.record({
        time: new Date(clock()).toISOString(),
        requestId,
        actor: credential?.actor.login ?? null,
        method: 'POST',
        route: '/graphql',
        status,
        ms: Math.round((performance.now() - started) * 100) / 100,
        ...(mutation ? { mutation } : {}),
        ...(faultName ? { fault: faultName } : {}),
        ...(cost.points !== undefined ? { points: cost.points } : {}),
      })
    }
    if (!credential) {
      return answer(401, {
        message: 'This endpoint requires you to be authenticated.',
        documentation_url:
          'https://docs.github.com/graphql/guides/forming-calls-with-graphql#authenticating-with-graphql',
      })
    }
    let request: { query: string; variables?: Record<string, unknown> }
    try {
      request = JSON.parse(raw.toString('utf8'))
    } catch {
      return answer(400, { message: 'Problems parsing JSON' })
    }
    // Parsed once here for what the request costs; a document that does not parse is refused below.
    const document = parsedDocument(request.query)
    const fields = graphqlMutationFields(document)
    mutation = fields.length > 0
    // GraphQL's own primary budget, in points a query costs by its connections (one for a document that
    // does not parse), refused with a 200 and a RATE_LIMITED error as GitHub answers it.
    cost.points = document ? rateLimitPoints(document, request.variables ?? {}) : 1
    const budget = graphqlRateLimitFor(credential)
    const taken = services.rateLimits.take(budget.key, budget.limit, {
      cost: cost.points,
      resource: 'graphql',
    })
    Object.assign(rate, rateHeaders(taken.window))
    if (!taken.allowed) {
      return answer(200, {
        errors: [{ type: 'RATE_LIMITED', message: `API rate limit exceeded for ${credential.actor.login}.` }],
      })
    }
    // Faults reach GraphQL as they reach REST: a query is `POST /graphql`, a mutation
    // `POST /graphql:<field>` (`POST /graphql:createIssue`), so a test can fail one kind of write.
    const fault = faults.forRequest('POST', mutation ? `/graphql:${fields.join(',')}` : '/graphql')
    if (fault.latencyMs > 0) await new Promise((resolve) => setTimeout(resolve, fault.latencyMs))
    if (fault.secondaryRateLimit) {
      faultName = 'secondary-rate-limit'
      const refusal = secondaryLimitError(requestId, fault.secondaryRateLimit.retryAfter)
      return answer(refusal.status, refusal.body(), refusal.extra.headers)
    }
    if (mutation) {
      const content = secondaryLimit.take(rateLimitFor(credential).key)
      if (!content.allowed) {
        const refusal = secondaryLimitError(requestId, content.retryAfter)
        return answer(refusal.status, refusal.body(), refusal.extra.headers)
      }
    }
    if (fault.status !== undefined) {
      faultName = `status ${fault.status}`
      return answer(fault.status, { message: 'Server Error' })
    }
    if (fault.graphqlError !== undefined) {
      faultName = 'graphql-error'
      return answer(200, { data: null, errors: [{ message: fault.graphqlError }] })
    }
    const result =
      projectsRefusal(credential, request.query) ??
      (issuesGraphql.answers(request.query)
        ? await issuesGraphql.execute(request, credential)
        : await graphql.execute(request, credential.actor))
    if (fault.appliedThen500) {
      // Done, but the answer is lost: a client that tries again must look before it writes again.
      faultName = 'applied-then-500'
      return answer(500, { message: 'Server Error' })
    }
    answer(200, result)
  }

  const createRepo = async (repoOptions: RepoOptions): Promise<RepoRecord> => {
    const owner = state.account(repoOptions.owner)
    const fullName = `${owner.login}/${repoOptions.name}`
    if (state.repos.has(fullName.toLowerCase()))
      throw new Error(`Repository ${fullName} exists already in the emulator.`)
    const id = state.nextId()
    const now = state.timestamp()
    const repo: RepoRecord = {
      id,
      nodeId: nodeIdFor('R', id),
      owner,
      name: repoOptions.name,
      fullName,
      private: repoOptions.private ?? false,
      defaultBranch: repoOptions.defaultBranch ?? 'main',
      description: repoOptions.description ?? null,
      createdAt: now,
      updatedAt: now,
      pushedAt: now,
      access: new Map(Object.entries(repoOptions.access ?? {}).map(([login, p]) => [login.toLowerCase(), p])),
      nextNumber: 1,
      labels: new Map(),
    }
    for (const login of repo.access.keys()) actors.tokenFor(state.account(login).login)
    for (const label of repoOptions.labels ?? []) {
      const labelId = state.nextId()
      repo.labels.set(label.name.toLowerCase(), {
        id: labelId,
        nodeId: nodeIdFor('LA', labelId),
        name: label.name,
        color: label.color ?? 'ededed',
        description: label.description ?? null,
        default: false,
      })
    }
    await git.createRepo(fullName, { defaultBranch: repo.defaultBranch, files: repoOptions.files ?? {} })
    state.repos.set(fullName.toLowerCase(), repo)
    if ((repoOptions.installed ?? true) && !state.installationFor(owner.login)) addInstallation(owner.login)
    return repo
  }

  const addInstallation = (account: string): InstallationRecord => {
    const id = state.nextId()
    const installation: InstallationRecord = {
      id,
      account: state.account(account),
      createdAt: state.timestamp(),
    }
    state.installations.set(id, installation)
    return installation
  }

  for (const repo of options.repos ?? []) await createRepo(repo)

  return {
    url,
    apiUrl,
    graphqlUrl,
    gitUrl: url,
    appId,
    appSlug: actors.app.slug,
    appPrivateKey,
    webhookSecret: options.webhookSecret,
    state,
    git,
    runner,
    graphql,
    faults,
    actors,
    tokenFor: actors.tokenFor,
    createRepo,
    installApp(account, sender) {
      const existing = state.installationFor(account)
      if (existing) return existing
      const installation = addInstallation(account)
      events.installationCreated(installation.id, sender ?? account)
      return installation
    },
    runSchedule(fullName) {
      const repo = state.repos.get(fullName.toLowerCase())
      if (!repo) throw new Error(`Repository ${fullName} does not exist in the emulator.`)
      startRuns(scheduleEvent(state, shapes, repo))
    },
    setWebhookUrl: webhooks.setUrl,
    violations: () => [...violations],
    deliveries: webhooks.deliveries,
    requests: log.entries,
    stats: log.stats,
    async settled() {
      while (background.size > 0) await Promise.allSettled([...background])
      await webhooks.settled()
    },
    async close() {
      await runner.close()
      await webhooks.settled()
      server.closeAllConnections()
      await new Promise<void>((resolve) => server.close(() => resolve()))
      await log.close()
      await git.close()
    },
  }
}

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = []
    req.on('data', (chunk: Buffer) => chunks.push(chunk))
    req.on('end', () => resolve(Buffer.concat(chunks)))
    req.on('error', reject)
  })
}

function sendJson(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  res.writeHead(status, { ...headers, 'content-type': 'application/json; charset=utf-8' })
  res.end(JSON.stringify(body))
}

function generateAppKey(): Promise<string> {
  return new Promise((resolve, reject) => {
    generateKeyPair(
      'rsa',
      {
        modulusLength: 2048,
        publicKeyEncoding: { type: 'spki', format: 'pem' },
        privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
      },
      (error, _publicKey, privateKey) => (error ? reject(error) : resolve(privateKey)),
    )
  })
}

/** A request's GraphQL document, or undefined when it is none or does not parse. */
function parsedDocument(query: unknown): DocumentNode | undefined {
  if (typeof query !== 'string') return undefined
  try {
    return parse(query)
  } catch {
    return undefined
  }
}
