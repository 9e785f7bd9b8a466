/**
 * Seeded pseudo-random numbers for the pure core: callers pass a `random` function in, never reach for
 * `Math.random`, so a simulation or a jittered delay is the same every time for the same seed.
 */

/** A source of numbers in [0, 1), like `Math.random`. */
export type Random = () => number

/**
 * Mulberry32: a small, fast 32-bit generator; good enough for jitter and simulations, not for secrets.
 * The same seed always yields the same sequence.
 */
export function mulberry32(seed: number): Random {
  let state = seed >>> 0
  return () => {
    state = (state + 0x6d2b79f5) >>> 0
    let t = state
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}
