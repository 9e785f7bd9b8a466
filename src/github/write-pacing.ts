/**
 * Pacing of content-creating requests by GitHub.com's documented secondary rate limits, instead of a
 * fixed pause before every write: a write goes out at once while the last minute and the last hour
 * leave room for it, and waits only as long as a burst would otherwise exceed them.
 *
 * GitHub: "In general, no more than 80 content-generating requests per minute and no more than 500
 * content-generating requests per hour are allowed"
 * (https://docs.github.com/en/rest/using-the-rest-api/rate-limits-for-the-rest-api#about-secondary-rate-limits),
 * and "make requests serially instead of concurrently"
 * (https://docs.github.com/en/rest/using-the-rest-api/best-practices-for-using-the-rest-api#avoid-concurrent-requests).
 * Reads are not paced: GitHub asks for no spacing between them.
 */

/** At most `count` writes in any window of `windowMs`. */
export interface WriteLimit {
  count: number
  windowMs: number
}

/** GitHub.com's content-creation limits: 80 a minute, 500 an hour. */
export const GITHUB_COM_WRITE_LIMITS: readonly WriteLimit[] = [
  { count: 80, windowMs: 60_000 },
  { count: 500, windowMs: 3_600_000 },
]

/**
 * How long a write asked for at `now` must wait so that no window of any limit holds more than its
 * count, given the times the earlier writes went out (ascending). 0 when it may go at once.
 */
export function writeDelay(sent: readonly number[], now: number, limits: readonly WriteLimit[]): number {
  let wait = 0
  for (const limit of limits) {
    if (sent.length < limit.count) continue
    // The write that must leave the window first: the count-th most recent one.
    const oldest = sent[sent.length - limit.count]!
    wait = Math.max(wait, oldest + limit.windowMs - now)
  }
  return Math.max(0, wait)
}

/**
 * Whether a request creates content: every POST, PATCH, PUT and DELETE but minting a token, and but a
 * GraphQL query (`query`, the request's GraphQL document): GitHub counts a query as a read and only
 * mutations as content-creating
 * (https://docs.github.com/en/graphql/overview/rate-limits-and-query-limits-for-the-graphql-api#secondary-rate-limits).
 * A document that mentions `mutation` anywhere counts as a write, so none slips through unpaced.
 */
export function isContentCreating(method: string, url: string, query?: unknown): boolean {
  const verb = method.toUpperCase()
  if (verb === 'GET' || verb === 'HEAD' || verb === 'OPTIONS') return false
  const path = url.split('?')[0] ?? url
  if (/\/graphql$/.test(path) && typeof query === 'string' && !/\bmutation\b/.test(query)) return false
  // Creating an installation token creates no content (Octokit's throttling plugin exempts it too).
  return !/\/app\/installations\/[^/]+\/access_tokens$/.test(path)
}

/** What a pacer needs from outside: a clock and a way to wait. */
export interface PacerClock {
  now(): number
  sleep(ms: number): Promise<void>
}

/** Lets content-creating requests go one at a time, each as soon as the limits allow. */
export interface WritePacer {
  /** Resolves when the next write may go out, and counts it as sent. */
  take(): Promise<void>
}

/** A pacer over `limits`; writes are taken in the order they ask, one at a time. */
export function createWritePacer(
  limits: readonly WriteLimit[],
  clock: PacerClock = { now: Date.now, sleep: (ms) => new Promise((r) => setTimeout(r, ms)) },
): WritePacer {
  const longest = Math.max(0, ...limits.map((limit) => limit.windowMs))
  const sent: number[] = []
  let queue: Promise<void> = Promise.resolve()
  return {
    take() {
      const turn = queue.then(async () => {
        const delay = writeDelay(sent, clock.now(), limits)
        if (delay > 0) await clock.sleep(delay)
        const at = clock.now()
        sent.push(at)
        // Writes older than every window never count again.
        while (sent.length > 0 && sent[0]! <= at - longest) sent.shift()
      })
      queue = turn
      return turn
    },
  }
}
