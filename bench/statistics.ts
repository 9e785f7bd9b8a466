/** Summary statistics for benchmark samples. */

/** The value below which `p` percent of the samples fall (nearest rank); NaN for no samples. */
export function percentile(samples: readonly number[], p: number): number {
  if (samples.length === 0) return Number.NaN
  const sorted = [...samples].sort((a, b) => a - b)
  const rank = Math.ceil((p / 100) * sorted.length)
  return sorted[Math.min(sorted.length - 1, Math.max(0, rank - 1))]!
}

/** The arithmetic mean; NaN for no samples. */
export function mean(samples: readonly number[]): number {
  if (samples.length === 0) return Number.NaN
  return samples.reduce((sum, value) => sum + value, 0) / samples.length
}

/** Rounds to `digits` decimals, for reports. */
export function round(value: number, digits = 3): number {
  const scale = 10 ** digits
  return Math.round(value * scale) / scale
}
