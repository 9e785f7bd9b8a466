/**
 * A Mayor job that fails on GitHub's passing trouble runs again after a pause, instead of waiting for
 * the next event or sweep: a 5xx that outlived Octokit's own retries, a secondary rate limit (Probot's
 * Octokit only logs those), or an installation token that died before its cached lifetime ran out
 * (expired early, or revoked). Jobs read their state from GitHub, so running one again is safe.
 */
import { createHash } from 'node:crypto'
import { cappedBackoffMs } from '../core/retry-policy.js'
import { statusOf, type GitHubApi } from '../github/client.js'
import { GitHubRefusal, graphqlErrorsOf } from '../github/github-error.js'

/** How many more runs a job gets after failing on passing trouble. */
export const JOB_RETRIES = 5

const MAX_DELAY_MS = 60_000

/** Whether GraphQL refused a request on its spent primary budget (a 200 with a RATE_LIMITED error). */
function isGraphqlRateLimit(error: unknown): boolean {
  return graphqlErrorsOf(answerOf(error))?.some((e) => e.type === 'RATE_LIMITED') === true
}

/** GitHub's answer a failure holds: a refusal we worded (GitHubRefusal) keeps it as its cause. */
function answerOf(error: unknown): unknown {
  return error instanceof GitHubRefusal ? error.cause : error
}

/** What passing trouble a failure is, or undefined when running the job again would not help. */
export function passingFailure(error: unknown): 'server' | 'rate-limit' | 'token' | undefined {
  // GraphQL's spent primary budget is a 200 whose error says RATE_LIMITED, with the reset in its headers
  // (https://docs.github.com/en/graphql/overview/rate-limits-and-node-limits-for-the-graphql-api#exceeding-the-rate-limit).
  if (isGraphqlRateLimit(error)) return 'rate-limit'
  const status = statusOf(error)
  if (status === undefined) return undefined
  if (status >= 500) return 'server'
  if (status === 429) return 'rate-limit'
  if (status === 403 && /rate limit/i.test((error as Error).message)) return 'rate-limit'
  if (status === 401) return 'token'
  return undefined
}

/**
 * The request a failure happened at (`METHOD url` and a digest of its body), to tell a job that got
 * further from one stuck. The body counts: every GraphQL request has the same URL, and so has every
 * issue a job creates, yet failing at the tenth bead's creation after the ninth's is progress.
 */
export function failedRequest(error: unknown): string | undefined {
  const request = (error as { request?: { method?: string; url?: string; body?: unknown } }).request
  if (request?.url === undefined) return undefined
  // Octokit keeps the body as the object it sent (JSON), or as the string it was given.
  const text =
    request.body === undefined || request.body === null
      ? undefined
      : typeof request.body === 'string'
        ? request.body
        : JSON.stringify(request.body)
  const digest = text === undefined ? '' : ` ${createHash('sha256').update(text).digest('hex').slice(0, 16)}`
  return `${request.method ?? 'GET'} ${request.url}${digest}`
}

/** The longest a job waits for GitHub's primary rate limit to reset (its window is an hour). */
const MAX_RESET_WAIT_MS = 3_600_000

/**
 * The pause before run `attempt` + 1: what GitHub asked for (`retry-after`), else doubling from `baseMs`.
 * A spent primary budget (`x-ratelimit-remaining: 0`) waits for its reset, however far: running the job
 * sooner would only be refused again.
 * https://docs.github.com/en/rest/using-the-rest-api/rate-limits-for-the-rest-api#exceeding-the-rate-limit
 */
export function jobRetryDelayMs(error: unknown, attempt: number, baseMs: number, now = Date.now()): number {
  type Headers = Record<string, string | number | undefined>
  // A REST refusal keeps its headers on the response; a GraphQL answer with errors on the error itself.
  const answer = answerOf(error)
  const headers =
    (answer as { response?: { headers?: Headers } }).response?.headers ??
    (answer as { headers?: Headers }).headers
  const retryAfter = Number(headers?.['retry-after'] ?? 0)
  const backoff = cappedBackoffMs(baseMs, attempt - 1, MAX_DELAY_MS)
  const reset = Number(headers?.['x-ratelimit-reset'])
  // GraphQL refuses a query that costs more points than remain, so its budget may be spent above 0.
  const spent = String(headers?.['x-ratelimit-remaining']) === '0' || isGraphqlRateLimit(error)
  if (spent && Number.isFinite(reset) && reset * 1000 > now) {
    return Math.min(MAX_RESET_WAIT_MS, Math.max(backoff, reset * 1000 - now))
  }
  return Math.min(MAX_DELAY_MS, Math.max(Number.isFinite(retryAfter) ? retryAfter * 1000 : 0, backoff))
}

/**
 * Asks for a fresh installation token, which replaces the cached one, so the next request does not
 * send the dead token again. False when the client cannot renew (a plain token, say).
 */
export async function renewInstallationToken(api: GitHubApi): Promise<boolean> {
  const auth = (api as { auth?: (options: object) => Promise<unknown> }).auth
  if (typeof auth !== 'function') return false
  try {
    await auth({ type: 'installation', refresh: true })
    return true
  } catch {
    return false
  }
}
