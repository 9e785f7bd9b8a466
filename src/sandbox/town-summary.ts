/**
 * The summary of a town's run (report.json and the `--json` answer), built from what the town observed:
 * beads with their run times, the emulator's request log and webhook deliveries.
 */
import { lowerBound, type SimulationBead } from '../core/schedule-simulation.js'
import type { BeadOutput } from '../core/scheduler.js'
import type { Delivery } from './emulator/webhooks.js'
import type { RequestLogEntry } from './emulator/request-log.js'
import type { BeadSummary, RouteCount, TownBead, TownModel, TownRun, TownSummary } from './town-events.js'

/** Everything the summary is made from. */
export interface TownRecord {
  repo: string
  goal: TownSummary['goal']
  model: TownModel
  workers: number
  merge: 'auto' | 'manual'
  startedAt: number
  endedAt: number
  beads: readonly TownBead[]
  runs: readonly TownRun[]
  outputOf: (role: string) => BeadOutput
  requests: readonly RequestLogEntry[]
  deliveries: readonly Delivery[]
  /** The maintainer's login: its calls are the town's surroundings, not the town's cost. */
  maintainer: string
  prsMerged: number
  stopped?: string
}

/** The value at quantile `q` (0..1) of `values` by nearest rank; 0 for none. */
export function percentile(values: readonly number[], q: number): number {
  if (values.length === 0) return 0
  const sorted = [...values].sort((a, b) => a - b)
  const rank = Math.min(sorted.length, Math.max(1, Math.ceil(q * sorted.length)))
  return sorted[rank - 1]!
}

/** How long a run took, when it started and ended. */
function runMs(run: TownRun): number {
  return run.startedAt !== undefined && run.endedAt !== undefined
    ? Math.max(0, run.endedAt - run.startedAt)
    : 0
}

/** The worker time each bead took: the sum of its runs. */
export function workDurations(beads: readonly TownBead[], runs: readonly TownRun[]): Record<number, number> {
  const durations: Record<number, number> = {}
  for (const bead of beads) if (bead.number !== undefined) durations[bead.number] = 0
  for (const run of runs) {
    if (run.bead === undefined || durations[run.bead] === undefined) continue
    durations[run.bead] = durations[run.bead]! + runMs(run)
  }
  return durations
}

/** Builds the summary. */
export function summarizeTown(record: TownRecord): TownSummary {
  const iso = (ms: number | undefined) => (ms === undefined ? null : new Date(ms).toISOString())
  const beads: BeadSummary[] = [...record.beads]
    .filter((bead) => bead.number !== undefined)
    .sort((a, b) => a.number! - b.number!)
    .map((bead) => ({
      number: bead.number!,
      key: bead.key,
      title: bead.title,
      role: bead.role,
      status: bead.status,
      attempts: bead.attempt,
      runs: bead.runs,
      pr: bead.pr ?? null,
      dependencies: [...bead.dependencies],
      startedAt: iso(bead.startedAt),
      endedAt: iso(bead.endedAt),
      durationMs:
        bead.startedAt !== undefined && bead.endedAt !== undefined ? bead.endedAt - bead.startedAt : null,
      tokens: bead.tokens ?? 0,
      costUsd: bead.costUsd ?? 0,
      rebases: bead.rebases ?? 0,
    }))

  const durations = workDurations(record.beads, record.runs)
  const known = new Set(beads.map((bead) => bead.number))
  const dag: SimulationBead[] = beads.map((bead) => ({
    id: bead.number,
    role: bead.role,
    output: record.outputOf(bead.role),
    deps: bead.dependencies.filter((dep) => known.has(dep)),
  }))
  const starts = record.runs.flatMap((run) => (run.startedAt === undefined ? [] : [run.startedAt]))
  const firstStart = starts.length > 0 ? Math.min(...starts) : undefined
  const ends = record.beads.flatMap((bead) => (bead.endedAt === undefined ? [] : [bead.endedAt]))
  const allEnded = record.beads.length > 0 && ends.length === record.beads.length
  const lastEnd = allEnded ? Math.max(...ends) : record.endedAt
  const makespanMs = firstStart === undefined ? 0 : Math.max(0, lastEnd - firstStart)

  const byRouteMap = new Map<string, RouteCount>()
  const byActor: Record<string, number> = {}
  let ownCalls = 0
  for (const entry of record.requests) {
    const route = `${entry.method} ${entry.route}`
    const count = byRouteMap.get(route) ?? { route, count: 0, errors: 0 }
    count.count += 1
    if (entry.status >= 400) count.errors += 1
    byRouteMap.set(route, count)
    const actor = entry.actor ?? 'anonymous'
    byActor[actor] = (byActor[actor] ?? 0) + 1
    if (actor !== record.maintainer) ownCalls += 1
  }
  const byRoute = [...byRouteMap.values()].sort((a, b) => b.count - a.count || a.route.localeCompare(b.route))
  const answered = record.deliveries.flatMap((d) => (d.durationMs === null ? [] : [d.durationMs]))

  const summary: TownSummary = {
    ok:
      record.stopped === undefined &&
      record.goal.state === 'closed' &&
      beads.length > 0 &&
      beads.every((bead) => bead.status === 'completed'),
    repo: record.repo,
    goal: record.goal,
    model: record.model,
    workers: record.workers,
    merge: record.merge,
    startedAt: new Date(record.startedAt).toISOString(),
    endedAt: new Date(record.endedAt).toISOString(),
    beads,
    runs: [...record.runs]
      .sort((a, b) => a.id - b.id)
      .map((run) => ({
        id: run.id,
        bead: run.bead ?? null,
        attempt: run.attempt ?? null,
        conclusion: run.conclusion,
        startedAt: iso(run.startedAt),
        endedAt: iso(run.endedAt),
      })),
    totals: {
      beads: beads.length,
      completed: beads.filter((bead) => bead.status === 'completed').length,
      failed: beads.filter((bead) => bead.status === 'failed' || bead.status === 'blocked').length,
      attempts: beads.reduce((sum, bead) => sum + bead.attempts, 0),
      runs: record.runs.length,
      failedRuns: record.runs.filter((run) => run.conclusion === 'failure').length,
      reviewRounds: record.beads.reduce(
        (sum, bead) => sum + (record.outputOf(bead.role) === 'pr' ? (bead.round ?? 0) : 0),
        0,
      ),
      tokens: beads.reduce((sum, bead) => sum + bead.tokens, 0),
      costUsd: beads.reduce((sum, bead) => sum + bead.costUsd, 0),
      prsMerged: record.prsMerged,
    },
    makespanMs,
    lowerBoundMs: Math.round(lowerBound(dag, durations, Math.max(1, record.workers))),
    api: {
      calls: record.requests.length,
      perBead: beads.length === 0 ? 0 : Math.round((ownCalls / beads.length) * 10) / 10,
      byRoute,
      byActor,
    },
    webhooks: {
      deliveries: record.deliveries.length,
      p50Ms: Math.round(percentile(answered, 0.5) * 10) / 10,
      p99Ms: Math.round(percentile(answered, 0.99) * 10) / 10,
    },
  }
  if (record.stopped !== undefined) summary.stopped = record.stopped
  return summary
}
