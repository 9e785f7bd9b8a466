import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { mulberry32 } from '../../src/core/random.js'
import { retryDecision, type RetryOptions } from '../../src/core/retry-policy.js'

const options: RetryOptions = { baseDelayMs: 1000, maxDelayMs: 60_000 }
const always = (value: number) => () => value

describe('retryDecision', () => {
  it('retries the first two attempts and gives up after the third by default', () => {
    expect(retryDecision(1, options, always(0.5))).toEqual({ retry: true, nextAttempt: 2, delayMs: 500 })
    expect(retryDecision(2, options, always(0.5))).toEqual({ retry: true, nextAttempt: 3, delayMs: 1000 })
    const last = retryDecision(3, options, always(0.5))
    expect(last.retry).toBe(false)
    expect(last.retry === false && last.reason).toContain('attempt 3 of 3 failed')
  })

  it('doubles the backoff each attempt up to the cap, with full jitter by default', () => {
    const wide = { ...options, maxAttempts: 10 }
    const nearlyOne = always(0.999999)
    const delays = [1, 2, 3, 4, 5, 6, 7, 8].map((a) => {
      const d = retryDecision(a, wide, nearlyOne)
      return d.retry ? d.delayMs : -1
    })
    expect(delays).toEqual([999, 1999, 3999, 7999, 15_999, 31_999, 59_999, 59_999])
    expect(retryDecision(4, wide, always(0))).toEqual({ retry: true, nextAttempt: 5, delayMs: 0 })
  })

  it('with equal jitter waits at least half the backoff', () => {
    const equal = { ...options, jitter: 'equal' as const }
    expect(retryDecision(2, equal, always(0))).toEqual({ retry: true, nextAttempt: 3, delayMs: 1000 })
    expect(retryDecision(2, equal, always(0.5))).toEqual({ retry: true, nextAttempt: 3, delayMs: 1500 })
  })

  it('keeps a faulty random source inside the bounds', () => {
    for (const value of [1, 7, -3, Number.NaN]) {
      const d = retryDecision(1, options, always(value))
      expect(d.retry && d.delayMs >= 0 && d.delayMs < 1000).toBe(true)
    }
  })

  it('refuses an attempt number or limit that makes no sense, naming it', () => {
    expect(() => retryDecision(0, options, always(0))).toThrow(/attempt must be an integer from 1, got 0/)
    expect(() => retryDecision(1.5, options, always(0))).toThrow(RangeError)
    expect(() => retryDecision(1, { ...options, maxAttempts: 0 }, always(0))).toThrow(/maxAttempts/)
    expect(() => retryDecision(1, { ...options, baseDelayMs: -1 }, always(0))).toThrow(/baseDelayMs/)
  })

  it('never retries past maxAttempts and keeps every delay within its bounds', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 2000 }),
        fc.integer({ min: 1, max: 12 }),
        fc.integer({ min: 0, max: 100_000 }),
        fc.integer({ min: 0, max: 10_000_000 }),
        fc.constantFrom('full' as const, 'equal' as const),
        fc.integer(),
        (attempt, maxAttempts, baseDelayMs, maxDelayMs, jitter, seed) => {
          const decision = retryDecision(
            attempt,
            { maxAttempts, baseDelayMs, maxDelayMs, jitter },
            mulberry32(seed),
          )
          if (attempt >= maxAttempts) {
            expect(decision.retry).toBe(false)
            return
          }
          expect(decision.retry).toBe(true)
          if (!decision.retry) return
          expect(decision.nextAttempt).toBe(attempt + 1)
          expect(decision.nextAttempt).toBeLessThanOrEqual(maxAttempts)
          const backoff = Math.min(maxDelayMs, baseDelayMs * 2 ** (attempt - 1))
          expect(decision.delayMs).toBeGreaterThanOrEqual(jitter === 'equal' ? Math.floor(backoff / 2) : 0)
          expect(decision.delayMs).toBeLessThanOrEqual(backoff)
          expect(decision.delayMs).toBeLessThanOrEqual(maxDelayMs)
          expect(Number.isInteger(decision.delayMs)).toBe(true)
        },
      ),
    )
  })

  it('gives the same delays for the same seed', () => {
    const run = (seed: number) => {
      const random = mulberry32(seed)
      return [1, 2, 1, 2].map((a) => retryDecision(a, options, random))
    }
    expect(run(9)).toEqual(run(9))
    expect(run(9)).not.toEqual(run(10))
  })
})
