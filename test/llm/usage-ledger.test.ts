import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import type { ChatPurpose, Usage } from '../../src/llm/chat-model.js'
import {
  ZERO_USAGE,
  addTotals,
  emptyLedger,
  mergeLedgers,
  recordUsage,
  type UsageLedger,
  type UsageTotals,
} from '../../src/llm/usage-ledger.js'

const purposeArb: fc.Arbitrary<ChatPurpose> = fc.oneof(
  fc.record({ kind: fc.constant('plan' as const), goal: fc.nat() }),
  fc.record({
    kind: fc.constant('bead' as const),
    role: fc.constantFrom('developer', 'tester', 'reviewer'),
    key: fc.constantFrom('api', 'tests', 'docs', '__proto__', 'constructor'),
    bead: fc.nat(),
    attempt: fc.integer({ min: 1, max: 3 }),
  }),
)
const usageArb: fc.Arbitrary<Usage> = fc
  .record({ promptTokens: fc.nat(100_000), completionTokens: fc.nat(100_000) })
  .map((u) => ({ ...u, totalTokens: u.promptTokens + u.completionTokens }))
// Whole cents keep sums exact, so order independence can be checked with equality.
const callArb = fc.record({ purpose: purposeArb, usage: usageArb, cost: fc.nat(1000).map((c) => c / 100) })

function sumOf(ledger: UsageLedger): UsageTotals {
  return Object.values(ledger.beads).reduce(addTotals, ledger.plan)
}

function roundCost(t: UsageTotals): UsageTotals {
  return { ...t, costUsd: Math.round(t.costUsd * 100) / 100 }
}

describe('usage ledger', () => {
  it('files plan calls under plan and bead calls under their key', () => {
    let ledger = emptyLedger()
    const usage = { promptTokens: 10, completionTokens: 5, totalTokens: 15 }
    ledger = recordUsage(ledger, { kind: 'plan', goal: 1 }, usage, 0.5)
    ledger = recordUsage(
      ledger,
      { kind: 'bead', role: 'developer', key: 'api', bead: 7, attempt: 1 },
      usage,
      1,
    )
    ledger = recordUsage(
      ledger,
      { kind: 'bead', role: 'developer', key: 'api', bead: 7, attempt: 2 },
      usage,
      1,
    )
    expect(ledger.plan).toEqual({
      calls: 1,
      promptTokens: 10,
      completionTokens: 5,
      totalTokens: 15,
      costUsd: 0.5,
    })
    expect(ledger.beads['api']).toEqual({
      calls: 2,
      promptTokens: 20,
      completionTokens: 10,
      totalTokens: 30,
      costUsd: 2,
    })
    expect(ledger.total.calls).toBe(3)
    expect(ledger.total.costUsd).toBe(2.5)
  })

  it('leaves the ledger it was given unchanged', () => {
    const before = emptyLedger()
    recordUsage(
      before,
      { kind: 'plan', goal: 1 },
      { promptTokens: 1, completionTokens: 1, totalTokens: 2 },
      1,
    )
    expect(before).toEqual({ plan: ZERO_USAGE, beads: {}, total: ZERO_USAGE })
  })

  it('keeps the total equal to the sum of plan and beads, whatever was recorded', () => {
    fc.assert(
      fc.property(fc.array(callArb), (calls) => {
        const ledger = calls.reduce((l, c) => recordUsage(l, c.purpose, c.usage, c.cost), emptyLedger())
        expect(roundCost(sumOf(ledger))).toEqual(roundCost(ledger.total))
        expect(ledger.total.calls).toBe(calls.length)
        expect(Object.getPrototypeOf(ledger.beads)).toBe(Object.prototype)
      }),
    )
  })

  it('gives the same totals in any order, and merging equals recording everything in one ledger', () => {
    fc.assert(
      fc.property(fc.array(callArb), fc.array(callArb), (first, second) => {
        const record = (calls: typeof first, from = emptyLedger()) =>
          calls.reduce((l, c) => recordUsage(l, c.purpose, c.usage, c.cost), from)
        const all = record([...first, ...second])
        const reversed = record([...second, ...first].reverse())
        const merged = mergeLedgers(record(first), record(second))
        for (const other of [reversed, merged]) {
          expect(roundCost(other.total)).toEqual(roundCost(all.total))
          expect(roundCost(other.plan)).toEqual(roundCost(all.plan))
          expect(Object.keys(other.beads).sort()).toEqual(Object.keys(all.beads).sort())
          for (const key of Object.keys(all.beads)) {
            expect(roundCost(other.beads[key]!)).toEqual(roundCost(all.beads[key]!))
          }
        }
      }),
    )
  })
})
