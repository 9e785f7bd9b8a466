/** GitHub's primary rate limit per actor: a budget per hour window, reported in `x-ratelimit-*` headers. */

/** One actor's budget in the current window. */
export interface RateWindow {
  limit: number
  used: number
  remaining: number
  /** Epoch seconds when the window resets. */
  reset: number
  resource: string
}

/** Counts requests per actor. */
export interface RateLimits {
  /** Counts one request; `allowed` is false once the budget is spent. */
  take(key: string, limit: number): { allowed: boolean; window: RateWindow }
  peek(key: string, limit: number): RateWindow
  /** Gives back one request taken in the current window (a conditional request answered 304). */
  refund(key: string, limit: number): RateWindow
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
  const view = (w: { used: number; reset: number }, limit: number): RateWindow => ({
    limit,
    used: w.used,
    remaining: Math.max(0, limit - w.used),
    reset: w.reset,
    resource: 'core',
  })
  return {
    take(key, limit) {
      const window = current(key)
      if (window.used >= limit) return { allowed: false, window: view(window, limit) }
      window.used += 1
      return { allowed: true, window: view(window, limit) }
    },
    peek: (key, limit) => view(current(key), limit),
    refund(key, limit) {
      const window = current(key)
      window.used = Math.max(0, window.used - 1)
      return view(window, limit)
    },
  }
}
