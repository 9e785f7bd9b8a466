import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { costOf, estimateTokens, findPrice, priceTableSchema } from '../../src/llm/pricing.js'

describe('pricing', () => {
  it('prices prompt and completion tokens separately, per million', () => {
    const price = { input_per_mtok: 2.5, output_per_mtok: 10 }
    expect(costOf({ promptTokens: 1_000_000, completionTokens: 0, totalTokens: 1_000_000 }, price)).toBe(2.5)
    expect(costOf({ promptTokens: 2000, completionTokens: 1000, totalTokens: 3000 }, price)).toBeCloseTo(
      0.015,
    )
  })

  it('costs nothing when the model has no price', () => {
    expect(costOf({ promptTokens: 5, completionTokens: 5, totalTokens: 10 }, undefined)).toBe(0)
  })

  it('finds a price under the first name that has one, ignoring inherited keys', () => {
    const table = priceTableSchema.parse({ 'gpt-4o': { input_per_mtok: 1, output_per_mtok: 2 } })
    expect(findPrice(table, 'unknown', 'gpt-4o')).toEqual({ input_per_mtok: 1, output_per_mtok: 2 })
    expect(findPrice(table, undefined, 'toString', 'constructor')).toBeUndefined()
  })

  it('rejects a price table with a negative or misspelt price', () => {
    expect(priceTableSchema.safeParse({ m: { input_per_mtok: -1, output_per_mtok: 1 } }).success).toBe(false)
    expect(priceTableSchema.safeParse({ m: { input: 1, output_per_mtok: 1 } }).success).toBe(false)
  })

  it('grows cost monotonically with tokens', () => {
    fc.assert(
      fc.property(fc.nat(1e7), fc.nat(1e7), fc.nat(1000), fc.nat(1000), (p, c, i, o) => {
        const price = { input_per_mtok: i, output_per_mtok: o }
        const base = costOf({ promptTokens: p, completionTokens: c, totalTokens: p + c }, price)
        const more = costOf({ promptTokens: p + 1, completionTokens: c + 1, totalTokens: p + c + 2 }, price)
        expect(base).toBeGreaterThanOrEqual(0)
        expect(more).toBeGreaterThanOrEqual(base)
      }),
    )
  })

  it('estimates about four characters per token, never zero for non-empty text', () => {
    expect(estimateTokens('')).toBe(0)
    expect(estimateTokens('a')).toBe(1)
    expect(estimateTokens('a'.repeat(400))).toBe(100)
  })
})
