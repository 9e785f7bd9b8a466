/**
 * GitHub's primary rate limits per actor: a budget per hour window, reported in `x-ratelimit-*` headers.
 * REST counts requests (`core`); GraphQL counts points (`graphql`), a budget of its own
 * (https://docs.github.com/en/graphql/overview/rate-limits-and-query-limits-for-the-graphql-api#primary-rate-limit).
 */

/** One actor's budget in the current window. */
export interface RateWindow {
  limit: number
  used: number
  remaining: number
  /** Epoch seconds when the window resets. */
  reset: number
  resource: RateResource
}

/** Which of GitHub's primary budgets a request spends. */
export type RateResource = 'core' | 'graphql'

/** Counts requests (or points) per actor and budget. */
export interface RateLimits {
  /**
   * Counts `cost` (1 by default) against `key`'s budget of `resource` (`core` by default); `allowed` is
   * false, and nothing is counted, when the budget has not that much left.
   */
  take(
    key: string,
    limit: number,
    options?: { cost?: number; resource?: RateResource },
  ): {
    allowed: boolean
    window: RateWindow
  }
  peek(key: string, limit: number, resource?: RateResource): RateWindow
  /** Gives back one request taken in the current window (a conditional request answered 304). */
  refund(key: string, limit: number): RateWindow
}

/** The window of `key`'s budget of `resource`: REST's under the key itself, others beside it. */
function windowKey(key: string, resource: RateResource): string {
  return resource === 'core' ? key : `${key}:${resource}`
}

/** Creates the counters, windows of one hour on `clock`. */
export function createRateLimits(clock: () => number): RateLimits {
  const windows = new Map<string, { used: number; reset: number }>()
  const current = (key: string): { used: number; reset: number } => {
    const now = Math.floor(clock() / 1000)
    let window = windows.get(key)
    if (!window || window.reset <= now) {
      window = { used: 0, reset: now + 3600 }
      windows.set(key, window)
    }
    return window
  }
  const view = (
    w: { used: number; reset: number },
    limit: number,
    resource: RateResource = 'core',
  ): RateWindow => ({
    limit,
    used: w.used,
    remaining: Math.max(0, limit - w.used),
    reset: w.reset,
    resource,
  })
  return {
    take(key, limit, options = {}) {
      const resource = options.resource ?? 'core'
      const cost = options.cost ?? 1
      const window = current(windowKey(key, resource))
      if (window.used + cost > limit) return { allowed: false, window: view(window, limit, resource) }
      window.used += cost
      return { allowed: true, window: view(window, limit, resource) }
    },
    peek: (key, limit, resource = 'core') => view(current(windowKey(key, resource)), limit, resource),
    refund(key, limit) {
      const window = current(key)
      window.used = Math.max(0, window.used - 1)
      return view(window, limit)
    },
  }
}

/** GitHub's `x-ratelimit-*` headers for a window. */
export function rateHeaders(window: RateWindow): Record<string, string> {
  return {
    'x-ratelimit-limit': String(window.limit),
    'x-ratelimit-remaining': String(window.remaining),
    'x-ratelimit-reset': String(window.reset),
    'x-ratelimit-used': String(window.used),
    'x-ratelimit-resource': window.resource,
  }
}
