/**
 * When to try a failed model call again and how long to wait first: the server's Retry-After when it
 * sends one, otherwise exponential backoff with jitter. Pure: the random source and clock are passed in.
 */
import { cappedBackoffMs } from '../core/retry-policy.js'

/** How many times to retry, and the bounds on waiting. */
export interface RetryPolicy {
  /** Retries after the first try; 0 turns retrying off. */
  maxRetries: number
  /** The first backoff wait, doubled for each further retry. */
  baseDelayMs: number
  /** The longest backoff wait. */
  maxDelayMs: number
  /** A server asking for a longer wait than this fails the call at once rather than stall the worker. */
  maxRetryAfterMs: number
}

/** Four retries, 0.5 s doubling to 8 s, and at most a minute when the server names the wait. */
export const DEFAULT_RETRY_POLICY: RetryPolicy = Object.freeze({
  maxRetries: 4,
  baseDelayMs: 500,
  maxDelayMs: 8000,
  maxRetryAfterMs: 60_000,
})

/** The wait a response asks for: `retry-after-ms`, else `Retry-After` in seconds or as an HTTP date. */
export function requestedWaitMs(headers: Headers | undefined, nowMs: number): number | undefined {
  const millis = Number.parseFloat(headers?.get('retry-after-ms') ?? '')
  if (Number.isFinite(millis) && millis >= 0) return millis
  const value = headers?.get('retry-after')?.trim()
  if (value === undefined || value === '') return undefined
  if (/^\d+(\.\d+)?$/.test(value)) return Number.parseFloat(value) * 1000
  const date = Date.parse(value)
  if (Number.isNaN(date)) return undefined
  return Math.max(0, date - nowMs)
}

/** The backoff wait before retry number `retry` (0 for the first), with up to 25% jitter taken off. */
export function backoffMs(retry: number, policy: RetryPolicy, random: () => number): number {
  const full = cappedBackoffMs(policy.baseDelayMs, retry, policy.maxDelayMs)
  return Math.round(full * (1 - 0.25 * random()))
}

/** Whether to retry, and after how long; when not, why not. */
export type RetryDecision = { retry: true; delayMs: number } | { retry: false; reason: string }

/** Decides about one failure, given whether its kind is retryable and what the server asked for. */
export function decideRetry(input: {
  retryable: boolean
  requestedWaitMs: number | undefined
  retriesDone: number
  policy: RetryPolicy
  random: () => number
}): RetryDecision {
  const { retryable, requestedWaitMs: asked, retriesDone, policy, random } = input
  if (!retryable) return { retry: false, reason: 'not retryable' }
  if (retriesDone >= policy.maxRetries) {
    return { retry: false, reason: `gave up after ${retriesDone + 1} tries` }
  }
  if (asked !== undefined) {
    if (asked > policy.maxRetryAfterMs) {
      return {
        retry: false,
        reason: `the server asked to wait ${Math.ceil(asked / 1000)} s, longer than the ${Math.ceil(policy.maxRetryAfterMs / 1000)} s we wait`,
      }
    }
    return { retry: true, delayMs: asked }
  }
  return { retry: true, delayMs: backoffMs(retriesDone, policy, random) }
}
