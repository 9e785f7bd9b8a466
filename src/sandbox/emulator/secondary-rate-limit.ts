/**
 * GitHub's secondary rate limit on creating content: "no more than 80 content-generating requests per
 * minute and no more than 500 content-generating requests per hour", per user or installation, answered
 * with 403 (or 429) and a `retry-after` header.
 * https://docs.github.com/en/rest/using-the-rest-api/rate-limits-for-the-rest-api#about-secondary-rate-limits
 */
import type { DocumentNode } from 'graphql'
import { HttpError } from './http-error.js'

/** Content-creating requests allowed in a sliding minute. */
export const CONTENT_PER_MINUTE = 80
/** Content-creating requests allowed in a sliding hour. */
export const CONTENT_PER_HOUR = 500

/** Where GitHub documents the limit; its 403 links there. */
export const SECONDARY_LIMIT_DOCS =
  'https://docs.github.com/free-pro-team@latest/rest/overview/rate-limits-for-the-rest-api#about-secondary-rate-limits'

/**
 * Whether a request creates content. GitHub does not list the endpoints; POST is what creates issues,
 * comments, labels, links, pull requests, reviews, refs and runs, and PUT merges. An installation token
 * request creates nothing people see.
 */
export function createsContent(method: string, template: string): boolean {
  if (template === '/app/installations/{installation_id}/access_tokens') return false
  return method === 'POST' || method === 'PUT'
}

/**
 * The root fields of a GraphQL document's mutations (`createIssue`, …), none for a query or for a
 * document that did not parse: GitHub counts mutations against the same content limits ("Make too many
 * requests that create content",
 * https://docs.github.com/en/graphql/overview/rate-limits-and-query-limits-for-the-graphql-api#secondary-rate-limits).
 */
export function graphqlMutationFields(document: DocumentNode | undefined): string[] {
  return (document?.definitions ?? []).flatMap((definition) =>
    definition.kind === 'OperationDefinition' && definition.operation === 'mutation'
      ? definition.selectionSet.selections.flatMap((selection) =>
          selection.kind === 'Field' ? [selection.name.value] : [],
        )
      : [],
  )
}

/** The counters of every actor's content-creating requests. */
export interface SecondaryRateLimit {
  /** Counts one content-creating request of `key`; when refused, how many seconds GitHub asks to wait. */
  take(key: string): { allowed: true } | { allowed: false; retryAfter: number }
}

/** Options of the limiter. */
export interface SecondaryRateLimitOptions {
  /** Milliseconds since the epoch (the emulator's clock). */
  clock: () => number
  /**
   * GitHub seconds per second of `clock`, 1 for GitHub's own windows. A sandbox whose clients compress
   * their waits (Octokit's throttle spaced 100 times closer, `retry-after` read as 10 ms a second)
   * compresses the windows by as much, so a town makes as many requests per window as it would on GitHub.
   */
  timeScale?: number
}

/** Creates the limiter: sliding windows of one minute and one hour per key. */
export function createSecondaryRateLimit(options: SecondaryRateLimitOptions): SecondaryRateLimit {
  const scale = options.timeScale ?? 1
  const now = (): number => options.clock() * scale
  const history = new Map<string, number[]>()
  return {
    take(key) {
      const time = now()
      const times = (history.get(key) ?? []).filter((t) => t > time - 3_600_000)
      history.set(key, times)
      const inMinute = times.filter((t) => t > time - 60_000)
      const waitMs =
        inMinute.length >= CONTENT_PER_MINUTE
          ? inMinute[inMinute.length - CONTENT_PER_MINUTE]! + 60_000 - time
          : times.length >= CONTENT_PER_HOUR
            ? times[times.length - CONTENT_PER_HOUR]! + 3_600_000 - time
            : 0
      if (waitMs > 0) return { allowed: false, retryAfter: Math.max(1, Math.ceil(waitMs / 1000)) }
      times.push(time)
      return { allowed: true }
    },
  }
}

/** GitHub's answer to a request over a secondary rate limit. */
export function secondaryLimitError(requestId: string, retryAfter: number): HttpError {
  return new HttpError(
    403,
    `You have exceeded a secondary rate limit. Please wait a few minutes before you try again. If you reach out to GitHub Support for help, please include the request ID ${requestId}.`,
    { documentation_url: SECONDARY_LIMIT_DOCS, headers: { 'retry-after': String(retryAfter) } },
  )
}
