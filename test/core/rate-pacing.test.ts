import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { dispatchReserve, MIN_DISPATCH_RESERVE, pacingHold } from '../../src/core/rate-pacing.js'

const NOW = 1_000_000

describe('pacingHold', () => {
  it('lets dispatch go on when nothing is known, or plenty of budget is left', () => {
    expect(pacingHold(undefined, NOW)).toBeUndefined()
    expect(pacingHold({}, NOW)).toBeUndefined()
    expect(pacingHold({ limit: 5000, remaining: 4000, resetAt: NOW + 60_000 }, NOW)).toBeUndefined()
  })

  it('holds dispatch until the reset once the budget left is down to the reserve', () => {
    const hold = pacingHold({ limit: 5000, remaining: 250, resetAt: NOW + 60_000 }, NOW)
    expect(hold).toEqual({ until: NOW + 60_000, reason: expect.stringContaining('only 250 of') })
    // A window already reset says nothing about the new one.
    expect(pacingHold({ limit: 5000, remaining: 0, resetAt: NOW }, NOW)).toBeUndefined()
    expect(pacingHold({ limit: 5000, remaining: 4000, resetAt: NOW + 1 }, NOW, 4000)?.until).toBe(NOW + 1)
  })

  it('holds dispatch while a secondary limit asks to wait, whatever the primary budget', () => {
    const state = { limit: 5000, remaining: 4999, resetAt: NOW + 60_000, secondaryUntil: NOW + 5000 }
    expect(pacingHold(state, NOW)).toEqual({
      until: NOW + 5000,
      reason: expect.stringContaining('secondary'),
    })
    expect(pacingHold(state, NOW + 5000)).toBeUndefined()
  })

  it('never holds past the reset for the primary budget, and keeps at least the minimum reserve', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 20_000 }),
        fc.integer({ min: 0, max: 20_000 }),
        fc.integer({ min: 1, max: 3_600_000 }),
        (limit, remaining, wait) => {
          const hold = pacingHold({ limit, remaining, resetAt: NOW + wait }, NOW)
          expect(dispatchReserve(limit)).toBeGreaterThanOrEqual(MIN_DISPATCH_RESERVE)
          if (hold) expect(hold.until).toBe(NOW + wait)
          expect(hold === undefined).toBe(remaining > dispatchReserve(limit))
        },
      ),
    )
  })
})
