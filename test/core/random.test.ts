import { describe, expect, it } from 'vitest'
import { mulberry32 } from '../../src/core/random.js'

describe('mulberry32', () => {
  it('repeats the same sequence for the same seed', () => {
    const a = mulberry32(42)
    const b = mulberry32(42)
    const first = Array.from({ length: 100 }, a)
    expect(Array.from({ length: 100 }, b)).toEqual(first)
  })

  it('gives a different sequence for another seed', () => {
    const a = Array.from({ length: 10 }, mulberry32(1))
    const b = Array.from({ length: 10 }, mulberry32(2))
    expect(a).not.toEqual(b)
  })

  it('stays in [0, 1) and spreads over the interval', () => {
    const random = mulberry32(7)
    const buckets = new Array<number>(10).fill(0)
    for (let i = 0; i < 10_000; i += 1) {
      const x = random()
      expect(x).toBeGreaterThanOrEqual(0)
      expect(x).toBeLessThan(1)
      buckets[Math.floor(x * 10)]! += 1
    }
    // Each tenth should hold about 1 000 draws; 800 is far outside what a uniform source misses.
    for (const count of buckets) expect(count).toBeGreaterThan(800)
  })
})
