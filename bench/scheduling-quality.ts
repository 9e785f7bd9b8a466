/**
 * Scheduling quality: the makespan of our scheduler, the seed's round loop and FIFO on generated goals,
 * each as a ratio to the lower bound max(critical path, total work / workers). Pure and deterministic.
 */
import { lowerBound, simulate, type SimulationPolicy } from '../src/core/schedule-simulation.js'
import { mulberry32 } from '../src/core/random.js'
import { DAG_FAMILIES, generateGoal, type DagFamily, type GeneratedGoal } from './dag-families.js'
import { mean, round } from './statistics.js'

/** A pool of workers: the total and the per-role limits. */
export interface WorkerPool {
  name: string
  workers: number
  perRole?: Record<string, number>
}

/**
 * Our default (`max_workers: 4`, any role) and the seed's pool, [developer, developer, tester, reviewer].
 * The headline is the first: the lower bound max(critical path, work / workers) assumes any worker can
 * take any bead, which per-role limits break (the role-aware bound covers those).
 */
export const POOLS: readonly WorkerPool[] = [
  { name: 'shared-pool', workers: 4 },
  { name: 'seed-pool', workers: 4, perRole: { developer: 2, tester: 1, reviewer: 1 } },
]

/** The seed sleeps one second between rounds; durations here are minutes. */
const ROUND_DELAY_MINUTES = 1 / 60

/** What the benchmark runs. */
export interface SchedulingOptions {
  sizes: readonly number[]
  seedsPerCase: number
  families?: readonly DagFamily[]
  pools?: readonly WorkerPool[]
  progress?: (message: string) => void
}

/** Ours as the Mayor runs it (no duration estimates), ours told the durations, the seed's loop, FIFO. */
const VARIANTS = ['ours', 'oursInformed', 'rounds', 'fifo'] as const
type Variant = (typeof VARIANTS)[number]

/** Ratios to the lower bound of one goal under every variant. */
export interface SchedulingCase {
  pool: string
  family: DagFamily
  size: number
  seed: number
  lowerBound: number
  /** A tighter bound that also counts each role's work over its limit. */
  roleBound: number
  ratios: Record<Variant, number>
}

/** Mean ratios of a set of cases, the worst of ours, and where ours lost. */
export interface RatioSummary {
  cases: number
  mean: Record<Variant, number>
  worst: Record<Variant, number>
  /** Mean ratio of ours to the role-aware bound. */
  oursToRoleBound: number
  oursWorseThanRounds: number
  oursWorseThanFifo: number
}

/** The whole scheduling report. */
export interface SchedulingReport {
  /** The pool the headline figures come from. */
  headlinePool: string
  overall: RatioSummary
  byPool: Record<string, RatioSummary>
  byPoolAndFamily: Record<string, Record<string, RatioSummary>>
  bySize: Record<string, RatioSummary>
  /** Every case where ours finished later than the seed's loop or FIFO. */
  losses: SchedulingCase[]
  cases: SchedulingCase[]
}

function roleAwareBound(goal: GeneratedGoal, pool: WorkerPool, bound: number): number {
  if (!pool.perRole) return bound
  const work: Record<string, number> = {}
  for (const bead of goal.dag) work[bead.role] = (work[bead.role] ?? 0) + goal.durations[bead.id]!
  let tightest = bound
  for (const [role, limit] of Object.entries(pool.perRole)) {
    tightest = Math.max(tightest, (work[role] ?? 0) / Math.min(limit, pool.workers))
  }
  return tightest
}

/** Runs one goal under every variant on one pool. */
export function measureCase(goal: GeneratedGoal, pool: WorkerPool): SchedulingCase {
  const bound = lowerBound(goal.dag, goal.durations, pool.workers)
  const unit = Object.fromEntries(goal.dag.map((bead) => [bead.id, 1]))
  const base = {
    workers: pool.workers,
    durations: goal.durations,
    seed: goal.seed,
    ...(pool.perRole ? { perRole: pool.perRole } : {}),
  }
  const run = (policy: SimulationPolicy, extra: object = {}) => {
    const result = simulate(goal.dag, { ...base, policy, ...extra })
    if (result.state !== 'done') {
      throw new Error(
        `scheduling bench: ${policy} left the ${goal.family} goal of ${goal.size} beads (seed ${goal.seed}) ${result.state}; the simulation or the generator is broken.`,
      )
    }
    return result.makespan / bound
  }
  return {
    pool: pool.name,
    family: goal.family,
    size: goal.size,
    seed: goal.seed,
    lowerBound: round(bound, 3),
    roleBound: round(roleAwareBound(goal, pool, bound), 3),
    ratios: {
      ours: run('ours', { expected: unit }),
      oursInformed: run('ours'),
      rounds: run('rounds', { roundDelay: ROUND_DELAY_MINUTES }),
      fifo: run('fifo'),
    },
  }
}

/** A small tolerance, so float noise in equal makespans does not count as a loss. */
const EPSILON = 1e-9

function summarise(cases: readonly SchedulingCase[]): RatioSummary {
  const pick = (variant: Variant) => cases.map((c) => c.ratios[variant])
  const record = (fn: (values: number[]) => number) =>
    Object.fromEntries(VARIANTS.map((v) => [v, round(fn(pick(v)), 4)])) as Record<Variant, number>
  return {
    cases: cases.length,
    mean: record(mean),
    worst: record((values) => Math.max(...values)),
    oursToRoleBound: round(mean(cases.map((c) => (c.ratios.ours * c.lowerBound) / c.roleBound)), 4),
    oursWorseThanRounds: cases.filter((c) => c.ratios.ours > c.ratios.rounds + EPSILON).length,
    oursWorseThanFifo: cases.filter((c) => c.ratios.ours > c.ratios.fifo + EPSILON).length,
  }
}

function groupBy<K extends string>(
  cases: readonly SchedulingCase[],
  key: (c: SchedulingCase) => K,
): Record<K, SchedulingCase[]> {
  const groups = {} as Record<K, SchedulingCase[]>
  for (const c of cases) (groups[key(c)] ??= []).push(c)
  return groups
}

function mapValues<K extends string, A, B>(record: Record<K, A>, fn: (value: A) => B): Record<K, B> {
  return Object.fromEntries(Object.entries(record).map(([k, v]) => [k, fn(v as A)])) as Record<K, B>
}

/** Runs every family, size, seed and pool; the headline figures are the first pool's. */
export function measureScheduling(options: SchedulingOptions): SchedulingReport {
  const families = options.families ?? DAG_FAMILIES
  const pools = options.pools ?? POOLS
  const cases: SchedulingCase[] = []
  for (const family of families) {
    for (const size of options.sizes) {
      options.progress?.(`scheduling: ${family} goals of ${size} beads`)
      for (let s = 0; s < options.seedsPerCase; s += 1) {
        const seed = 1000 * size + s + 1
        const goal = generateGoal(family, size, seed, mulberry32(seed * 31 + families.indexOf(family)))
        for (const pool of pools) cases.push(measureCase(goal, pool))
      }
    }
  }
  const headlinePool = pools[0]!.name
  const byPool = groupBy(cases, (c) => c.pool)
  return {
    headlinePool,
    overall: summarise(byPool[headlinePool] ?? []),
    byPool: mapValues(byPool, summarise),
    byPoolAndFamily: mapValues(byPool, (group) =>
      mapValues(
        groupBy(group, (c) => c.family),
        summarise,
      ),
    ),
    bySize: mapValues(
      groupBy(byPool[headlinePool] ?? [], (c) => String(c.size)),
      summarise,
    ),
    losses: cases.filter(
      (c) => c.ratios.ours > c.ratios.rounds + EPSILON || c.ratios.ours > c.ratios.fifo + EPSILON,
    ),
    cases,
  }
}
