/**
 * The benchmark run: scheduling quality, one goal end to end, the worker's overhead, the Mayor's memory
 * and the concurrency search, in that order, with progress on stderr and one result object at the end.
 */
import { mkdir, writeFile } from 'node:fs/promises'
import { cpus, totalmem } from 'node:os'
import path from 'node:path'
import { capacityFromBreakdown, type CapacityReport } from './capacity.js'
import { HEADLINE_KEYS, meetsTarget, TARGETS, type Headline } from './bench-results.js'
import { REALISTIC_LATENCY, runGoal, type GoalRunReport } from './goal-run.js'
import { measureMayorMemory, type MayorMemoryReport } from './mayor-memory.js'
import { measureScheduling, type SchedulingReport } from './scheduling-quality.js'
import { round } from './statistics.js'
import {
  measureScale,
  measureWorkerOverhead,
  summariseOverhead,
  type ScaleReport,
  type WorkerOverheadReport,
} from './worker-runs.js'
import { PROJECT_ROOT } from './worker-workflow.js'

/** The parts of the benchmark. */
export const PARTS = ['scheduling', 'goal', 'worker', 'memory', 'scale'] as const

/** One part. */
export type Part = (typeof PARTS)[number]

/** Command-line options. */
export interface BenchArgs {
  quick: boolean
  json: boolean
  only: Part[]
  /** Whether to write bench/results (full runs of every part do unless told not to). */
  save: boolean
}

/** Parses `--quick`, `--json`, `--only=a,b`, `--save` and `--no-save`. */
export function parseArgs(argv: readonly string[]): BenchArgs {
  let quick = false
  let json = false
  let only: Part[] = [...PARTS]
  let save: boolean | undefined
  for (const arg of argv) {
    if (arg === '--quick') quick = true
    else if (arg === '--json') json = true
    else if (arg === '--save') save = true
    else if (arg === '--no-save') save = false
    else if (arg.startsWith('--only=')) {
      const wanted = arg.slice('--only='.length).split(',').filter(Boolean)
      for (const part of wanted) {
        if (!(PARTS as readonly string[]).includes(part)) {
          throw new Error(`bench: unknown part "${part}" in ${arg}; the parts are ${PARTS.join(', ')}.`)
        }
      }
      only = wanted as Part[]
    } else {
      throw new Error(
        `bench: unknown argument "${arg}"; use --quick, --json, --only=${PARTS.join(',')}, --save or --no-save.`,
      )
    }
  }
  return { quick, json, only, save: save ?? (!quick && only.length === PARTS.length) }
}

/** How big each part is in a full and in a quick run. */
const SIZES = {
  full: {
    scheduling: { sizes: [10, 30, 100, 300, 1000], seedsPerCase: 5 },
    goalBeads: 16,
    goalWarmUpBeads: 3,
    overheadRuns: 3,
    memoryBeads: 1000,
    scaleLevels: [10, 25, 50, 100],
    scaleBoundMs: 300_000,
  },
  quick: {
    scheduling: { sizes: [10, 30, 100], seedsPerCase: 2 },
    goalBeads: 3,
    goalWarmUpBeads: 0,
    overheadRuns: 0,
    memoryBeads: 1000,
    scaleLevels: [2],
    scaleBoundMs: 60_000,
  },
} as const

/** Everything one run measured. */
export interface BenchResult extends Headline {
  mode: 'full' | 'quick'
  parts: Part[]
  date: string
  machine: { cores: number; cpu: string; memoryGb: number; node: string; platform: string }
  durationSeconds: number
  targets: Record<string, { target: string; met: boolean | null }>
  scheduling?: SchedulingReportSummary
  goal?: GoalRunReport
  /** Beads an hour GitHub.com's limits allow, from the goal's requests per bead (capacity.ts). */
  capacity?: CapacityReport
  worker?: WorkerOverheadReport
  memory?: MayorMemoryReport
  scale?: Omit<ScaleReport, 'firstBatch'>
}

/** The scheduling report without its hundreds of cases (losses are kept). */
export type SchedulingReportSummary = Omit<SchedulingReport, 'cases'>

/** Runs the asked parts and answers the result object. */
export async function runBench(args: BenchArgs, log: (message: string) => void): Promise<BenchResult> {
  const sizes = args.quick ? SIZES.quick : SIZES.full
  const started = performance.now()
  const step = (message: string) => log(`[${round((performance.now() - started) / 1000, 1)} s] ${message}`)
  const has = (part: Part) => args.only.includes(part)
  const headline: Headline = Object.fromEntries(HEADLINE_KEYS.map((key) => [key, null])) as Headline
  const result: Omit<BenchResult, keyof Headline | 'durationSeconds' | 'targets'> = {
    mode: args.quick ? 'quick' : 'full',
    parts: args.only,
    date: new Date().toISOString(),
    machine: {
      cores: cpus().length,
      cpu: cpus()[0]?.model.trim() ?? 'unknown',
      memoryGb: round(totalmem() / 1024 ** 3, 1),
      node: process.version,
      platform: `${process.platform} ${process.arch}`,
    },
  }

  if (has('scheduling')) {
    const { cases: _cases, ...report } = measureScheduling({ ...sizes.scheduling, progress: step })
    result.scheduling = report
    headline.makespan_ratio_ours = report.overall.mean.ours
    headline.makespan_ratio_rounds = report.overall.mean.rounds
    headline.makespan_ratio_fifo = report.overall.mean.fifo
  }
  if (has('goal')) {
    if (sizes.goalWarmUpBeads > 0) {
      // A first goal in this process pays one-time costs (the emulator compiling its payload validators
      // and building GitHub's GraphQL schema, modules loading): GitHub is warm, so the samples are taken after.
      step(`goal: a warm-up goal of ${sizes.goalWarmUpBeads} beads, not measured`)
      await runGoal({ beads: sizes.goalWarmUpBeads, seed: 8, latency: REALISTIC_LATENCY, workers: 4 })
    }
    step(`goal: ${sizes.goalBeads} beads through the Mayor and the real worker`)
    const goal = await runGoal({
      beads: sizes.goalBeads,
      seed: 7,
      latency: REALISTIC_LATENCY,
      workers: 4,
      progress: step,
    })
    result.goal = goal
    headline.dispatch_latency_p50_ms = goal.dispatchLatency.p50Ms
    headline.dispatch_latency_p99_ms = goal.dispatchLatency.p99Ms
    headline.webhook_ack_p99_ms = goal.webhookAck.p99Ms
    headline.api_calls_per_bead = goal.apiCallsPerBead
    headline.content_creating_calls_per_bead = goal.planTime.contentCreatingPerBead
    // The goal's workers act with the run's GITHUB_TOKEN, as the example workflow does without GASTOWN_TOKEN.
    result.capacity = capacityFromBreakdown(goal.requests, 'github-token')
    headline.beads_per_hour_per_installation = result.capacity.beadsPerHour
  }
  // A quick run takes the overhead from the scale batch: fewer runs, at the price of sharing the cores.
  const overheadFromScale = args.quick && has('scale')
  if (has('worker') && !overheadFromScale) {
    step(`worker: ${sizes.overheadRuns} runs one at a time, no added latency`)
    const worker = await measureWorkerOverhead(sizes.overheadRuns, step)
    result.worker = worker
    headline.worker_overhead_ms = worker.overheadMs.mean
  }
  if (has('memory')) {
    step(`memory: the Mayor with ${sizes.memoryBeads} open beads`)
    const memory = await measureMayorMemory(sizes.memoryBeads, step)
    result.memory = memory
    headline.mayor_rss_mb_1000_beads = memory.beads === 1000 ? memory.peakRssMb : null
  }
  if (has('scale')) {
    const { firstBatch, ...scale } = await measureScale(sizes.scaleLevels, sizes.scaleBoundMs, step)
    result.scale = scale
    headline.max_concurrent_workers = scale.maxConcurrentWorkers
    if (has('worker') && overheadFromScale && firstBatch) {
      const worker = summariseOverhead([firstBatch], firstBatch.runs > 1)
      result.worker = worker
      headline.worker_overhead_ms = worker.overheadMs.mean
    }
  }

  const targets = Object.fromEntries(
    HEADLINE_KEYS.flatMap((key) => {
      const target = TARGETS[key]
      if (!target) return []
      const text = target.max !== undefined ? `<= ${target.max}` : `>= ${target.min}`
      return [[key, { target: text, met: meetsTarget(key, headline[key]) }]]
    }),
  )
  step('done')
  return {
    ...headline,
    ...result,
    durationSeconds: round((performance.now() - started) / 1000, 1),
    targets,
  }
}

/**
 * Writes bench/results/latest.json and a copy named after the run's date (`2026-12-06-full.json`, then
 * `2026-12-06-2-full.json` for the day's second run): an earlier run of the day is never overwritten,
 * since docs/performance.md compares runs by their files.
 */
export async function saveResult(
  result: BenchResult,
  dir = path.join(PROJECT_ROOT, 'bench', 'results'),
): Promise<string[]> {
  await mkdir(dir, { recursive: true })
  const text = `${JSON.stringify(result, null, 2)}\n`
  const day = result.date.slice(0, 10)
  await writeFile(path.join(dir, 'latest.json'), text)
  // `wx` refuses a file that exists: the first free name of the day is taken, even by two runs at once.
  for (let n = 1; ; n += 1) {
    const dated = path.join(dir, n === 1 ? `${day}-${result.mode}.json` : `${day}-${n}-${result.mode}.json`)
    try {
      await writeFile(dated, text, { flag: 'wx' })
      return [path.join(dir, 'latest.json'), dated]
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error
    }
  }
}

/** The headline as a table for people: figure, value, target, met. */
export function renderTable(result: BenchResult): string {
  const rows = HEADLINE_KEYS.map((key) => {
    const value = result[key]
    const target = result.targets[key]
    const met = target?.met === true ? 'yes' : target?.met === false ? 'NO' : ''
    return `${key.padEnd(32)} ${String(value ?? '-').padStart(10)}  ${(target?.target ?? '').padEnd(8)} ${met}`
  })
  const capacity = result.capacity
  const bounds = capacity
    ? [
        '',
        `capacity, limited by ${capacity.limitedBy}:`,
        ...capacity.bounds.map(
          (b) => `  ${b.limit.padEnd(40)} ${String(b.perBead).padStart(6)} a bead  ${b.beadsPerHour} beads/h`,
        ),
      ]
    : []
  return [`${'figure'.padEnd(32)} ${'value'.padStart(10)}  target   met`, ...rows, ...bounds].join('\n')
}
