/**
 * When a failed attempt of a bead is tried again: exponential backoff with jitter, capped, and a limit on
 * attempts after which the bead needs a person (the seed retried while `retryCount < 3`).
 */
import type { Random } from './random.js'

/** How failed attempts are retried. */
export interface RetryOptions {
  /** Attempts in all, the first included; default 3. */
  maxAttempts?: number
  /** The backoff before the second attempt, before jitter. */
  baseDelayMs: number
  /** No delay is longer than this. */
  maxDelayMs: number
  /**
   * `full`: a delay anywhere in [0, backoff); spreads retries most.
   * `equal`: half the backoff plus a random part of the other half; never retries at once. Default `full`.
   */
  jitter?: 'full' | 'equal'
}

/** What to do after a failed attempt. */
export type RetryDecision =
  { retry: true; nextAttempt: number; delayMs: number } | { retry: false; reason: string }

/**
 * `baseMs * 2^doublings`, capped at `maxMs`: the exponential backoff that every retry of the town (bead
 * attempts, model calls, Mayor jobs) starts from before its own jitter.
 */
export function cappedBackoffMs(baseMs: number, doublings: number, maxMs: number): number {
  // 2 ** 1024 is Infinity, which the cap then brings back to maxMs.
  return Math.min(maxMs, baseMs * 2 ** Math.max(0, doublings))
}

/** The default number of attempts, as in the seed. */
export const DEFAULT_MAX_ATTEMPTS = 3

/**
 * Decides whether attempt `attempt` (1 for the first), which just failed, is followed by another, and after
 * how long: backoff `baseDelayMs * 2^(attempt - 1)` capped at `maxDelayMs`, with jitter drawn from `random`.
 */
export function retryDecision(attempt: number, options: RetryOptions, random: Random): RetryDecision {
  const maxAttempts = options.maxAttempts ?? DEFAULT_MAX_ATTEMPTS
  if (!Number.isInteger(attempt) || attempt < 1) {
    throw new RangeError(`retryDecision: attempt must be an integer from 1, got ${attempt}.`)
  }
  if (!Number.isInteger(maxAttempts) || maxAttempts < 1) {
    throw new RangeError(`retryDecision: maxAttempts must be an integer from 1, got ${maxAttempts}.`)
  }
  if (!(options.baseDelayMs >= 0) || !(options.maxDelayMs >= 0)) {
    throw new RangeError(
      `retryDecision: baseDelayMs and maxDelayMs must be 0 or more, got ${options.baseDelayMs} and ${options.maxDelayMs}.`,
    )
  }
  if (attempt >= maxAttempts) {
    return {
      retry: false,
      reason: `attempt ${attempt} of ${maxAttempts} failed and no attempts are left; a person must look (gastown:needs-human).`,
    }
  }
  const backoff = cappedBackoffMs(options.baseDelayMs, attempt - 1, options.maxDelayMs)
  // A faulty source (1, negative, NaN) must not overshoot the cap or go negative: keep the draw in [0, 1).
  const value = random()
  const draw = value >= 0 ? Math.min(value, 1 - Number.EPSILON) : 0
  const delay = options.jitter === 'equal' ? backoff / 2 + draw * (backoff / 2) : draw * backoff
  return { retry: true, nextAttempt: attempt + 1, delayMs: Math.floor(delay) }
}
