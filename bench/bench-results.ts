/** The benchmark's result object: the headline keys every run prints, and the targets they are held to. */
import { z } from 'zod'

const figure = z.number().nullable()

/** The headline figures; null for a part the run skipped. */
export const headlineSchema = z.object({
  makespan_ratio_ours: figure,
  makespan_ratio_rounds: figure,
  makespan_ratio_fifo: figure,
  dispatch_latency_p50_ms: figure,
  dispatch_latency_p99_ms: figure,
  webhook_ack_p99_ms: figure,
  api_calls_per_bead: figure,
  content_creating_calls_per_bead: figure,
  worker_overhead_ms: figure,
  mayor_rss_mb_1000_beads: figure,
  max_concurrent_workers: figure,
  beads_per_hour_per_installation: figure,
})

/** The headline figures. */
export type Headline = z.infer<typeof headlineSchema>

/** The headline keys, in the order they print. */
export const HEADLINE_KEYS = Object.keys(headlineSchema.shape) as (keyof Headline)[]

/** What each figure is held to: at most (`max`) or at least (`min`). */
export const TARGETS: Record<keyof Headline, { max?: number; min?: number } | undefined> = {
  makespan_ratio_ours: { max: 1.05 },
  makespan_ratio_rounds: undefined,
  makespan_ratio_fifo: undefined,
  dispatch_latency_p50_ms: undefined,
  dispatch_latency_p99_ms: { max: 250 },
  webhook_ack_p99_ms: { max: 100 },
  api_calls_per_bead: { max: 12 },
  content_creating_calls_per_bead: { max: 3 },
  worker_overhead_ms: { max: 2000 },
  mayor_rss_mb_1000_beads: { max: 200 },
  max_concurrent_workers: { min: 100 },
  beads_per_hour_per_installation: { min: 70 },
}

/** Whether a figure meets its target: true, false, or null when it has none or was not measured. */
export function meetsTarget(key: keyof Headline, value: number | null): boolean | null {
  const target = TARGETS[key]
  if (!target || value === null) return null
  return (
    (target.max === undefined || value <= target.max) && (target.min === undefined || value >= target.min)
  )
}
