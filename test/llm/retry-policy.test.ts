import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { DEFAULT_RETRY_POLICY, backoffMs, decideRetry, requestedWaitMs } from '../../src/llm/retry-policy.js'

const policy = DEFAULT_RETRY_POLICY

describe('retry policy', () => {
  it('reads retry-after-ms before Retry-After', () => {
    expect(requestedWaitMs(new Headers({ 'retry-after-ms': '250', 'retry-after': '9' }), 0)).toBe(250)
    expect(requestedWaitMs(new Headers({ 'retry-after': '3' }), 0)).toBe(3000)
    expect(requestedWaitMs(new Headers({ 'retry-after': '1.5' }), 0)).toBe(1500)
  })

  it('reads Retry-After as an HTTP date relative to the given clock, never negative', () => {
    const now = Date.parse('2025-01-01T00:00:00Z')
    const headers = new Headers({ 'retry-after': 'Wed, 01 Jan 2025 00:00:07 GMT' })
    expect(requestedWaitMs(headers, now)).toBe(7000)
    expect(requestedWaitMs(headers, now + 60_000)).toBe(0)
  })

  it('ignores absent or unreadable headers', () => {
    expect(requestedWaitMs(undefined, 0)).toBeUndefined()
    expect(requestedWaitMs(new Headers(), 0)).toBeUndefined()
    expect(requestedWaitMs(new Headers({ 'retry-after': 'soon' }), 0)).toBeUndefined()
    expect(requestedWaitMs(new Headers({ 'retry-after-ms': '-5' }), 0)).toBeUndefined()
  })

  it('backs off exponentially within the bounds, jitter taking at most a quarter', () => {
    fc.assert(
      fc.property(fc.nat(20), fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }), (retry, r) => {
        const wait = backoffMs(retry, policy, () => r)
        const full = Math.min(policy.baseDelayMs * 2 ** retry, policy.maxDelayMs)
        expect(wait).toBeLessThanOrEqual(full)
        expect(wait).toBeGreaterThanOrEqual(Math.floor(full * 0.75))
      }),
    )
    expect(backoffMs(0, policy, () => 0)).toBe(500)
    expect(backoffMs(1, policy, () => 0)).toBe(1000)
    expect(backoffMs(10, policy, () => 0)).toBe(8000)
  })

  it('retries a retryable failure until maxRetries, then gives up', () => {
    fc.assert(
      fc.property(fc.nat(10), fc.nat(10), (maxRetries, done) => {
        const decision = decideRetry({
          retryable: true,
          requestedWaitMs: undefined,
          retriesDone: done,
          policy: { ...policy, maxRetries },
          random: () => 0.5,
        })
        expect(decision.retry).toBe(done < maxRetries)
      }),
    )
  })

  it('never retries what is not retryable', () => {
    const decision = decideRetry({
      retryable: false,
      requestedWaitMs: 1,
      retriesDone: 0,
      policy,
      random: Math.random,
    })
    expect(decision).toEqual({ retry: false, reason: 'not retryable' })
  })

  it('waits what the server asks, and refuses waits beyond the cap', () => {
    const base = { retryable: true, retriesDone: 0, policy, random: () => 0 }
    expect(decideRetry({ ...base, requestedWaitMs: 7000 })).toEqual({ retry: true, delayMs: 7000 })
    const refused = decideRetry({ ...base, requestedWaitMs: 3_600_000 })
    expect(refused.retry).toBe(false)
    expect(refused.retry === false && refused.reason).toMatch(/asked to wait 3600 s, longer than the 60 s/)
  })
})
