/**
 * The Mayor with no server to host: one GitHub Actions run handles the one event that started it, with
 * the same handlers a webhook delivery reaches, and a `schedule` (or manual) run sweeps every open goal of
 * the repository, as the reconciler does. All state lives in GitHub, so runs need nothing from each other.
 */
import { appendFile, readFile } from 'node:fs/promises'
import type { Octokit } from '@octokit/core'
import { Probot, ProbotOctokit } from 'probot'
import { z } from 'zod'
import { parseRepoName, withWriteLimits, type RepoRef } from '../github/client.js'
import { getRepoInstallation } from '../github/installations.js'
import { getRepository } from '../github/repository.js'
import { ACTIONS_BOT } from '../github/reviewer-trust.js'
import { createMayor } from './app.js'
import { realTimer, type MayorDeps, type MayorLog } from './mayor-deps.js'
import { modelFromConfig } from './model-for.js'

/** Events whose payload goes to the Mayor's handlers as a webhook delivery would. */
export const DELIVERED_EVENTS = [
  'issues',
  'issue_comment',
  'pull_request',
  'pull_request_review',
  'workflow_run',
] as const

/** Events that start a sweep of every open goal of the repository. */
export const SWEEP_EVENTS = ['schedule', 'workflow_dispatch'] as const

/** The login the default GITHUB_TOKEN acts as. */
export { ACTIONS_BOT }

const envSchema = z.object({
  GITHUB_EVENT_NAME: z.string().min(1, 'the event that started the run; GitHub Actions sets it'),
  GITHUB_EVENT_PATH: z.string().min(1, 'the file holding the event payload; GitHub Actions sets it'),
  GITHUB_REPOSITORY: z.string().min(1, 'owner/name of the repository; GitHub Actions sets it'),
  GITHUB_RUN_ID: z.string().regex(/^\d+$/, 'the run id (digits); GitHub Actions sets it'),
  GITHUB_RUN_ATTEMPT: z.string().regex(/^\d+$/).default('1'),
  GITHUB_API_URL: z.url().default('https://api.github.com'),
  GITHUB_TOKEN: z.string().optional(),
  APP_ID: z.string().optional(),
  PRIVATE_KEY: z.string().optional(),
  PRIVATE_KEY_PATH: z.string().optional(),
  GASTOWN_BOT_LOGIN: z.string().optional(),
  GASTOWN_WRITE_SPACING_MS: z.coerce
    .number()
    .int()
    .min(
      0,
      'milliseconds between content-creating requests, e.g. 50 for a GitHub Enterprise server that allows it',
    )
    .optional(),
  LOG_LEVEL: z.enum(['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent']).default('info'),
})

/** The environment of a Mayor run in GitHub Actions, checked. */
export type ActionsEnv = z.infer<typeof envSchema>

/** How the run talks to GitHub: as the app (APP_ID and key), or with a token it was given. */
export type Credentials =
  { mode: 'app'; appId: number; privateKey: string } | { mode: 'token'; token: string; botLogin: string }

/** What a run did. */
export interface ActionsOutcome {
  event: string
  action?: string
  mode: Credentials['mode']
  handled: 'event' | 'sweep' | 'ignored'
  /** Errors the Mayor logged while working; the step fails when there are any. */
  errors: number
}

/** Options of `runMayorInActions`; everything but `env` has a production default. */
export interface ActionsAdapterOptions {
  env: Readonly<Record<string, string | undefined>>
  /** The Mayor's dependencies; by default built from `env` as src/mayor/index.ts builds them. */
  deps?: MayorDeps
  /** Probot's Octokit class (tests space writes for the emulator with `withWriteSpacing`). */
  Octokit?: typeof ProbotOctokit
  readText?: (path: string) => Promise<string>
}

/** Reads and checks the run's environment; the error names every missing or wrong variable. */
export function parseActionsEnv(env: Readonly<Record<string, string | undefined>>): ActionsEnv {
  const parsed = envSchema.safeParse(
    Object.fromEntries(Object.entries(env).filter(([, value]) => value !== undefined && value !== '')),
  )
  if (parsed.success) return parsed.data
  const problems = parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`)
  throw new Error(
    `The Mayor cannot run in GitHub Actions: ${problems.join('; ')}. Run it from the workflow made by \`gastown init --mayor-in-actions\`.`,
  )
}

/** The credentials the environment gives: an app's id and key win over a token. */
export async function credentialsFrom(
  env: ActionsEnv,
  readText: (path: string) => Promise<string> = (path) => readFile(path, 'utf8'),
): Promise<Credentials> {
  if (env.APP_ID) {
    const appId = Number(env.APP_ID)
    if (!Number.isInteger(appId) || appId <= 0) {
      throw new Error(
        `APP_ID must be the app's numeric id (its settings page shows it), not "${env.APP_ID}".`,
      )
    }
    const key = env.PRIVATE_KEY ?? (env.PRIVATE_KEY_PATH ? await readText(env.PRIVATE_KEY_PATH) : undefined)
    if (!key) {
      throw new Error(
        'APP_ID is set but the private key is not: set PRIVATE_KEY (the .pem text, from a secret) or PRIVATE_KEY_PATH.',
      )
    }
    // Secrets stored on one line carry the key's line breaks as "\n".
    return { mode: 'app', appId, privateKey: key.includes('\\n') ? key.replace(/\\n/g, '\n') : key }
  }
  if (env.GITHUB_TOKEN) {
    return { mode: 'token', token: env.GITHUB_TOKEN, botLogin: env.GASTOWN_BOT_LOGIN ?? ACTIONS_BOT }
  }
  throw new Error(
    "The Mayor has no credentials: set APP_ID and PRIVATE_KEY (the Gas Town app), or GITHUB_TOKEN (the run's token or one from actions/create-github-app-token).",
  )
}

/**
 * An Octokit whose app-level listings are narrowed to this repository, so the Mayor's own reconciler
 * sweeps this repository alone: the installations list holds this repository's installation, and an
 * installation's repositories are this one. With a token instead of the app's key, `GET /app` answers the
 * token's identity too: an installation token cannot call the app routes (they need the app's JWT), yet
 * the Mayor asks who it is to tell its own comments and events from people's.
 */
export function scopedToRepository(
  Base: typeof ProbotOctokit,
  repo: RepoRef,
  credentials: Credentials,
): typeof ProbotOctokit {
  const scope = (octokit: Octokit) => {
    octokit.hook.wrap('request', async (request, options) => {
      const answer = (data: unknown) => ({ status: 200, url: String(options.url), headers: {}, data })
      if (options.method !== 'GET') return request(options)
      // `request` is bound to these options: another route goes through `octokit.request`, auth included.
      switch (routePath(options)) {
        case '/app':
          if (credentials.mode === 'app') return request(options)
          return answer({ slug: credentials.botLogin.replace(/\[bot\]$/, ''), name: credentials.botLogin })
        case '/app/installations': {
          if (credentials.mode === 'token') {
            return answer([{ id: TOKEN_INSTALLATION, account: { login: repo.owner } }])
          }
          return answer([await getRepoInstallation(octokit, repo)])
        }
        case '/installation/repositories': {
          const repository = {
            ...(await getRepository(octokit, repo)),
            owner: { login: repo.owner },
            name: repo.repo,
          }
          return answer({ total_count: 1, repository_selection: 'selected', repositories: [repository] })
        }
        default:
          return request(options)
      }
    })
    return {}
  }
  return Base.plugin(scope) as unknown as typeof ProbotOctokit
}

/** The installation id a token run reports; a token ignores it, but Probot needs one that is not 0. */
const TOKEN_INSTALLATION = 1

/** A logger over Probot's that counts the errors logged through it and its children. */
function countingLog(base: MayorLog, count: { errors: number }): MayorLog {
  return {
    info: (data, message) => base.info(data, message),
    warn: (data, message) => base.warn(data, message),
    debug: (data, message) => base.debug(data, message),
    error: (data, message) => {
      count.errors += 1
      base.error(data, message)
    },
    child: (bindings) => countingLog(base.child(bindings), count),
  }
}

/** The Mayor's dependencies for one run, built from the environment as src/mayor/index.ts builds them. */
function depsFromEnv(env: Readonly<Record<string, string | undefined>>, log: MayorLog): MayorDeps {
  return {
    modelFor: modelFromConfig(env, log),
    now: Date.now,
    random: Math.random,
    setTimer: realTimer,
    // One event per process: the schedule trigger is the periodic sweep.
    reconcileIntervalMs: 0,
  }
}

/** Runs the Mayor for the event of this Actions run and waits until its work is done. */
export async function runMayorInActions(options: ActionsAdapterOptions): Promise<ActionsOutcome> {
  const env = parseActionsEnv(options.env)
  const readText = options.readText ?? ((path: string) => readFile(path, 'utf8'))
  const credentials = await credentialsFrom(env, readText)
  const repo = parseRepoName(env.GITHUB_REPOSITORY)
  const Probots = options.Octokit ?? ProbotOctokit
  // Writes paced by GitHub.com's documented limits, or spaced as GASTOWN_WRITE_SPACING_MS says.
  const Base = withWriteLimits(Probots, env.GASTOWN_WRITE_SPACING_MS)
  const probot = new Probot({
    ...(credentials.mode === 'app'
      ? { appId: credentials.appId, privateKey: credentials.privateKey }
      : { githubToken: credentials.token }),
    Octokit: scopedToRepository(Base, repo, credentials),
    baseUrl: env.GITHUB_API_URL.replace(/\/+$/, ''),
    logLevel: env.LOG_LEVEL === 'silent' ? 'fatal' : env.LOG_LEVEL,
    logFormat: 'json',
  })
  await probot.ready()
  const count = { errors: 0 }
  const log = countingLog(probot.log as unknown as MayorLog, count).child({ run: env.GITHUB_RUN_ID })
  const deps = options.deps ?? depsFromEnv(options.env, log)
  const mayor = createMayor(deps)
  // The Mayor logs through `instance.log`; the view lends it the counting logger and nothing else.
  const view = new Proxy(probot, {
    get(target, property) {
      if (property === 'log') return log
      const value = Reflect.get(target, property, target) as unknown
      return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value
    },
  })
  await probot.load((_app, loadOptions) => mayor.app(view, loadOptions))

  const name = env.GITHUB_EVENT_NAME === 'pull_request_target' ? 'pull_request' : env.GITHUB_EVENT_NAME
  const outcome: ActionsOutcome = {
    event: env.GITHUB_EVENT_NAME,
    mode: credentials.mode,
    handled: 'ignored',
    errors: 0,
  }
  try {
    if ((DELIVERED_EVENTS as readonly string[]).includes(name)) {
      const payload = JSON.parse(await readText(env.GITHUB_EVENT_PATH)) as Record<string, unknown>
      if (typeof payload['action'] === 'string') outcome.action = payload['action']
      if (credentials.mode === 'app' && payload['installation'] === undefined) {
        // Actions payloads carry no installation; the app's token for this repository needs its id.
        payload['installation'] = await installationOf(probot, repo)
      }
      log.info({ event: name, action: outcome.action }, 'event received from GitHub Actions')
      await probot.receive({
        id: `actions-${env.GITHUB_RUN_ID}-${env.GITHUB_RUN_ATTEMPT}`,
        name: name as Parameters<Probot['receive']>[0]['name'],
        payload,
      } as Parameters<Probot['receive']>[0])
      outcome.handled = 'event'
    } else if ((SWEEP_EVENTS as readonly string[]).includes(name)) {
      log.info({ event: name }, 'sweeping every open goal of the repository')
      await mayor.reconcile()
      outcome.handled = 'sweep'
    } else {
      log.info({ event: name }, 'event ignored: the Mayor does not act on it')
    }
    await mayor.idle()
  } finally {
    mayor.stop()
  }
  outcome.errors = count.errors
  return outcome
}

/**
 * The route's path without the base URL or query: the paginate plugin asks for a list by its full URL
 * (`https://api.github.com/app/installations?per_page=100`), a plain request by its template.
 */
function routePath(options: { url?: string; baseUrl?: string }): string {
  const url = String(options.url ?? '')
  const path = options.baseUrl && url.startsWith(options.baseUrl) ? url.slice(options.baseUrl.length) : url
  return path.split('?')[0]!
}

/** The installation of the app on the repository, as a webhook payload carries it. */
async function installationOf(probot: Probot, repo: RepoRef): Promise<{ id: number; node_id: string }> {
  const app = await probot.auth()
  try {
    return await getRepoInstallation(app, repo)
  } catch (error) {
    throw new Error(
      `The Gas Town app is not installed on ${repo.owner}/${repo.repo} (or APP_ID and PRIVATE_KEY belong to another app): install it from the app's page, then re-run this workflow.`,
      { cause: error },
    )
  }
}

/** The run's job summary: what the Mayor was woken for and how it went. */
export function summaryOf(outcome: ActionsOutcome): string {
  const what =
    outcome.handled === 'sweep'
      ? 'swept every open goal of the repository'
      : outcome.handled === 'event'
        ? `handled \`${outcome.event}${outcome.action ? `.${outcome.action}` : ''}\``
        : `ignored \`${outcome.event}\`: Gas Town does not act on it`
  const as = outcome.mode === 'app' ? 'as the Gas Town app' : "with the workflow's token"
  const result =
    outcome.errors > 0
      ? `❌ ${outcome.errors} error(s) were logged; the next event or sweep tries again.`
      : '✅ Done.'
  return `### Gas Town Mayor\n\nThe Mayor ${what}, ${as}. ${result}\n`
}

/**
 * The Actions entry's whole life: run, report, answer the exit code. Errors are printed as a workflow
 * command so the run's page shows them; the job summary says what the run did.
 */
export async function actionsMain(
  env: Readonly<Record<string, string | undefined>>,
  io: { stdout: (text: string) => void } = { stdout: (text) => process.stdout.write(text) },
): Promise<number> {
  try {
    const outcome = await runMayorInActions({ env })
    if (env['GITHUB_STEP_SUMMARY']) await appendFile(env['GITHUB_STEP_SUMMARY'], summaryOf(outcome))
    if (outcome.errors > 0) {
      io.stdout(
        `::error::The Mayor logged ${outcome.errors} error(s) while handling ${outcome.event}; see the log above. The next event or sweep tries again.\n`,
      )
      return 1
    }
    return 0
  } catch (error) {
    io.stdout(`::error::${(error as Error).message.replace(/\r?\n/g, ' ')}\n`)
    return 1
  }
}
