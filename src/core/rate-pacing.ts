/**
 * Whether the Mayor dispatches now or waits for GitHub's budget: a dispatch commits the installation to
 * the requests of a bead's whole life, so new work waits while a secondary rate limit holds, or while the
 * primary budget left is no more than what the beads already running will need. Pure: the clock is passed in.
 * https://docs.github.com/en/rest/using-the-rest-api/rate-limits-for-the-rest-api
 */

/** What the last answers of GitHub said about one installation's budget. */
export interface RateBudgetState {
  /** `x-ratelimit-limit`, `x-ratelimit-remaining` and `x-ratelimit-reset` (as ms) of the core resource. */
  limit?: number
  remaining?: number
  resetAt?: number
  /** Until when a secondary rate limit asked the Mayor to wait (`retry-after`), in ms. */
  secondaryUntil?: number
}

/** A dispatch held back: until when, and why, in words for the goal's progress comment. */
export interface PacingHold {
  until: number
  reason: string
}

/** The smallest reserve of primary budget dispatch leaves for running beads and goal steps. */
export const MIN_DISPATCH_RESERVE = 100

/** The reserve for a primary limit of `limit` requests an hour: 5 %, and at least MIN_DISPATCH_RESERVE. */
export function dispatchReserve(limit: number): number {
  return Math.max(MIN_DISPATCH_RESERVE, Math.ceil(limit * 0.05))
}

/** Why and until when dispatch waits now, or undefined when it may go on. */
export function pacingHold(
  state: RateBudgetState | undefined,
  now: number,
  reserve?: number,
): PacingHold | undefined {
  if (!state) return undefined
  if (state.secondaryUntil !== undefined && state.secondaryUntil > now) {
    return {
      until: state.secondaryUntil,
      reason: 'GitHub answered with a secondary rate limit (too many requests at once)',
    }
  }
  const { limit, remaining, resetAt } = state
  if (remaining === undefined || resetAt === undefined || resetAt <= now) return undefined
  const kept = reserve ?? dispatchReserve(limit ?? 5000)
  if (remaining > kept) return undefined
  return {
    until: resetAt,
    reason: `only ${remaining} of the installation's ${limit ?? 'hourly'} GitHub requests are left this hour (${kept} are kept for the beads already running)`,
  }
}
