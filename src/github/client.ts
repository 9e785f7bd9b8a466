/**
 * The GitHub client every module of src/github takes: Probot's `context.octokit` and the worker's own
 * Octokit both fit, since both are @octokit/core with the throttling and retry plugins.
 */
import { Octokit } from '@octokit/core'
import { paginateRest } from '@octokit/plugin-paginate-rest'
import { retry } from '@octokit/plugin-retry'
import { throttling } from '@octokit/plugin-throttling'
import Bottleneck from 'bottleneck'
import {
  createWritePacer,
  GITHUB_COM_WRITE_LIMITS,
  isContentCreating,
  type PacerClock,
  type WriteLimit,
  type WritePacer,
} from './write-pacing.js'

/** What src/github needs of an Octokit: typed REST requests and GraphQL. */
export type GitHubApi = Pick<Octokit, 'request' | 'graphql'>

/** A repository, as the owner/name pair every REST route takes. */
export interface RepoRef {
  owner: string
  repo: string
}

/** `owner/name` for logs and messages. */
export function repoName(ref: RepoRef): string {
  return `${ref.owner}/${ref.repo}`
}

/** Parses `owner/name`, saying what was wrong when it is not that. */
export function parseRepoName(fullName: string): RepoRef {
  const match = /^([A-Za-z0-9_.-]+)\/([A-Za-z0-9_.-]+)$/.exec(fullName.trim())
  if (!match) {
    throw new Error(
      `"${fullName}" is not a repository name: expected "owner/name", e.g. "octo-org/todo-api".`,
    )
  }
  return { owner: match[1]!, repo: match[2]! }
}

/** The Octokit class for code outside Probot: REST, GraphQL, pagination, throttling and retry. */
export const GitHubOctokit = Octokit.plugin(throttling, retry, paginateRest)

/** Options for `createGitHubClient`. */
export interface ClientOptions {
  token: string
  /** REST base URL, e.g. GITHUB_API_URL; GitHub Enterprise and the emulator are reached the same way. */
  baseUrl?: string
  userAgent?: string
  /** Warnings from throttling go here; never given the token. */
  log?: { warn: (message: string) => void; debug?: (message: string) => void }
  /** How often a rate-limited request is retried before it fails. */
  maxRateLimitRetries?: number
  /**
   * Milliseconds between content-creating requests (a GitHub Enterprise server or the emulator). When
   * absent, writes go one at a time, paced only as GitHub.com's limits require (write-pacing.ts).
   */
  writeSpacingMs?: number
  /** The limits writes are paced by when `writeSpacingMs` is absent; GitHub.com's by default. */
  writeLimits?: readonly WriteLimit[]
  /** The pacer's clock; tests inject one. */
  pacerClock?: PacerClock
}

/** Builds a client that waits out primary and secondary rate limits and retries 5xx answers. */
export function createGitHubClient(options: ClientOptions): InstanceType<typeof GitHubOctokit> {
  const maxRetries = options.maxRateLimitRetries ?? 4
  const warn = options.log?.warn ?? (() => {})
  const octokit = new GitHubOctokit({
    auth: options.token,
    baseUrl: options.baseUrl ?? 'https://api.github.com',
    userAgent: options.userAgent ?? 'gastown-github',
    log: {
      debug: options.log?.debug ?? (() => {}),
      info: () => {},
      warn,
      error: warn,
    },
    throttle: {
      // Octokit's own pause (1 s per write, 3 s per notifying write) is replaced by the pacer below.
      ...writeThrottle(options.writeSpacingMs ?? 0),
      onRateLimit: (
        retryAfter: number,
        request: { method: string; url: string },
        _octokit: unknown,
        retryCount: number,
      ) => {
        warn(`rate limit on ${request.method} ${request.url}: retry ${retryCount + 1} in ${retryAfter}s`)
        return retryCount < maxRetries
      },
      onSecondaryRateLimit: (
        retryAfter: number,
        request: { method: string; url: string },
        _octokit: unknown,
        retryCount: number,
      ) => {
        warn(
          `secondary rate limit on ${request.method} ${request.url}: retry ${retryCount + 1} in ${retryAfter}s`,
        )
        return retryCount < maxRetries
      },
    },
  })
  if (options.writeSpacingMs === undefined) {
    paceWrites(octokit, createWritePacer(options.writeLimits ?? GITHUB_COM_WRITE_LIMITS, options.pacerClock))
  }
  return octokit
}

/** Makes every content-creating request of `octokit` wait for `pacer` first; reads go at once. */
function paceWrites(octokit: Pick<Octokit, 'hook'>, pacer: WritePacer): void {
  octokit.hook.before('request', async (request) => {
    if (isContentCreating(request.method, request.url, request.query)) await pacer.take()
  })
}

/** The HTTP status of an Octokit RequestError, or undefined for anything else. */
export function statusOf(error: unknown): number | undefined {
  if (typeof error === 'object' && error !== null && 'status' in error) {
    const status = (error as { status: unknown }).status
    if (typeof status === 'number') return status
  }
  return undefined
}

/**
 * Throttle settings that space content-creating requests `writeSpacingMs` apart instead of Octokit's one
 * second (three for requests that notify people), in limiters of their own. GitHub.com wants that spacing
 * (80 content-creating requests a minute); a GitHub Enterprise server or the emulator may allow faster.
 * Secondary rate limits are still waited out, `retryAfterBaseMs` per second GitHub asks for.
 */
export function writeThrottle(writeSpacingMs: number, retryAfterBaseMs = 1000) {
  const group = (name: string) =>
    new Bottleneck.Group({
      id: `gastown-${name}-${writeSpacingMs}`,
      maxConcurrent: 1,
      minTime: writeSpacingMs,
    })
  return {
    write: group('write'),
    notifications: group('notifications'),
    retryAfterBaseValue: retryAfterBaseMs,
  }
}

/**
 * An Octokit class (Probot's, say) whose every instance, installation clients included, uses
 * `writeThrottle(writeSpacingMs)`; Probot merges its own throttle handlers in below this.
 */
// A mixin's constructor must take any arguments: TypeScript requires `any[]` there.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export function withWriteSpacing<T extends new (...args: any[]) => object>(
  Base: T,
  writeSpacingMs: number,
  retryAfterBaseMs = 1000,
): T {
  const throttle = writeThrottle(writeSpacingMs, retryAfterBaseMs)
  return class extends Base {
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    constructor(...args: any[]) {
      const options = (args[0] ?? {}) as { throttle?: object }
      super({ ...options, throttle: { ...options.throttle, ...throttle } }, ...args.slice(1))
    }
  }
}

/**
 * An Octokit class (Probot's, say) whose instances pace content-creating requests by GitHub.com's
 * documented limits (write-pacing.ts) instead of the throttling plugin's fixed second (three for
 * requests that notify people), so a merge's completion write and its dependents' dispatches go out at
 * once. GitHub counts the limits per installation: each installation has one pacer, shared by every
 * client Probot makes for it. Writes still go one at a time, and Probot's rate-limit handlers stay.
 */
// A mixin's constructor must take any arguments: TypeScript requires `any[]` there.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export function withWritePacing<T extends new (...args: any[]) => object>(
  Base: T,
  limits: readonly WriteLimit[] = GITHUB_COM_WRITE_LIMITS,
  clock?: PacerClock,
): T {
  const throttle = writeThrottle(0)
  const pacers = new Map<string, WritePacer>()
  return class extends Base {
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    constructor(...args: any[]) {
      const options = (args[0] ?? {}) as { throttle?: object; auth?: { installationId?: unknown } }
      super({ ...options, throttle: { ...options.throttle, ...throttle } }, ...args.slice(1))
      const key = String(options.auth?.installationId ?? 'app')
      const pacer = pacers.get(key) ?? createWritePacer(limits, clock)
      pacers.set(key, pacer)
      paceWrites(this as unknown as Pick<Octokit, 'hook'>, pacer)
    }
  }
}

/**
 * The Mayor's Octokit class for a real GitHub: writes spaced `writeSpacingMs` apart when it is given
 * (GASTOWN_WRITE_SPACING_MS, for a GitHub Enterprise server that asks for it), else paced by GitHub.com's
 * documented limits.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export function withWriteLimits<T extends new (...args: any[]) => object>(
  Base: T,
  writeSpacingMs: number | undefined,
): T {
  return writeSpacingMs === undefined ? withWritePacing(Base) : withWriteSpacing(Base, writeSpacingMs)
}

/**
 * GASTOWN_WRITE_SPACING_MS: milliseconds between content-creating requests, for a GitHub Enterprise
 * server (or the sandbox's emulator) that wants a fixed spacing; undefined when unset, and writes are
 * then paced by GitHub.com's documented limits.
 */
export function writeSpacingFrom(env: Readonly<Record<string, string | undefined>>): number | undefined {
  const text = env['GASTOWN_WRITE_SPACING_MS']
  if (text === undefined || text === '') return undefined
  if (!/^\d+$/.test(text)) {
    throw new Error(`GASTOWN_WRITE_SPACING_MS must be a whole number of milliseconds, not "${text}".`)
  }
  return Number(text)
}
