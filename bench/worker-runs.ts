/**
 * The real worker action (`node dist/index.js`, started by the emulator's runner from the example
 * workflow) on tiny beads with the scripted model and no added latency: its overhead apart from model
 * time and the checkout, and how many runs at once this machine sustains.
 */
import { readFileSync } from 'node:fs'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { cpus, tmpdir } from 'node:os'
import path from 'node:path'
import { encodeBead } from '../src/core/bead-codec.js'
import { jobRetryDelayMs, passingFailure } from '../src/mayor/job-retry.js'
import { SANDBOX_TIME_SCALE } from '../src/sandbox/serve-mayor.js'
import { OWNER, REPO, startBenchTown, type BenchTown } from './bench-town.js'
import { goalScenario, type PlannedBead } from './goal-scenario.js'
import { breakdown } from './request-breakdown.js'
import { mean, percentile, round } from './statistics.js'
import { WORKER_ACTIONS, workerTimings, workerWorkflow } from './worker-workflow.js'

/** One worker run as measured. */
export interface WorkerRunSample {
  bead: number
  conclusion: string | null
  status: string | undefined
  /** Wall time of the action step: process start to exit. */
  actionMs: number
  /** The checkout step (the clone), outside the action. */
  checkoutMs: number
  modelMs: number
  toolMs: number
  /** actionMs minus model time minus the agent's tool time. */
  overheadMs: number
  phases: Record<string, number>
}

/** A batch of runs started at once. */
export interface WorkerBatch {
  runs: number
  ok: number
  wallMs: number
  /** Share of the machine's CPU time that was busy during the batch (every process, not only ours). */
  machineCpuBusy: number
  /** CPU seconds of this process (emulator and bench) during the batch. */
  emulatorCpuSeconds: number
  /** CPU seconds of the town during the batch: this process and every step process it started. */
  townCpuSeconds: number
  samples: WorkerRunSample[]
  /** Requests of the workers per bead, by route. */
  workerRequestsPerBead: number
  workerByRoute: Record<string, number>
  errors: string[]
}

function machineCpu(): { busy: number; total: number } {
  const [line] = readFileSync('/proc/stat', 'utf8').split('\n')
  const fields = (line ?? '').trim().split(/\s+/).slice(1).map(Number)
  const idle = (fields[3] ?? 0) + (fields[4] ?? 0)
  const total = fields.reduce((sum, value) => sum + value, 0)
  return { busy: total - idle, total }
}

/** Linux counts CPU time in ticks of 1/100 s (USER_HZ). */
const TICKS_PER_SECOND = 100

/**
 * CPU seconds of this process and of its children that have ended (the runner's step processes, the
 * worker's node and git), from /proc/self/stat: the town's own CPU, whatever else the machine runs.
 */
function townCpuSeconds(): number {
  const stat = readFileSync('/proc/self/stat', 'utf8')
  const fields = stat
    .slice(stat.lastIndexOf(')') + 2)
    .split(' ')
    .map(Number)
  // After the command name: state is field 3, so utime, stime, cutime, cstime are 14 to 17.
  const ticks = fields.slice(11, 15).reduce((sum, value) => sum + value, 0)
  return ticks / TICKS_PER_SECOND
}

/** A town whose workflow stamps the time around the action; beads are made as the Mayor makes them. */
export interface WorkerTown {
  town: BenchTown
  /** Runs `count` tiny beads at once and waits for the runs to end; kills those going at `timeoutMs`. */
  batch(count: number, timeoutMs?: number): Promise<WorkerBatch>
  close(): Promise<void>
}

/**
 * Which token the worker acts with: the run's GITHUB_TOKEN (1,000 requests an hour per repository, as on
 * GitHub), or a token with 5,000 an hour given as the `GASTOWN_TOKEN` secret, as the example workflow allows.
 */
export type WorkerToken = 'github-token' | 'gastown-token'

/** The login behind `GASTOWN_TOKEN` in the benchmark towns. */
const TOKEN_LOGIN = 'bob'

/** Starts a town with `runners` runners for batches of worker runs. */
export async function startWorkerTown(
  runners: number,
  maxBeads: number,
  token: WorkerToken = 'github-token',
  emulator: { timeScale?: number } = {},
): Promise<WorkerTown> {
  const dir = await mkdtemp(path.join(tmpdir(), 'gastown-bench-worker-'))
  const beads: PlannedBead[] = Array.from({ length: maxBeads }, (_, i) => ({
    key: `w${i + 1}`,
    role: 'developer',
    deps: [],
  }))
  const scenario = path.join(dir, 'bench-worker.yaml')
  await writeFile(scenario, goalScenario('bench-worker', beads))
  const secrets: Record<string, string> = {}
  const town = await startBenchTown({
    files: {
      'README.md': '# Town\n\nA small repository for worker runs.\n',
      'package.json': '{ "name": "town", "type": "module" }\n',
      '.github/workflows/gastown-worker.yml': workerWorkflow(scenario, { stamps: true }),
    },
    runners,
    actions: WORKER_ACTIONS,
    secrets,
    emulator,
  })
  // The token exists once the emulator does; the runner reads repository secrets at each run, as GitHub does.
  if (token === 'gastown-token') secrets['GASTOWN_TOKEN'] = town.emulator.tokenFor(TOKEN_LOGIN)
  const workerLogin = token === 'gastown-token' ? TOKEN_LOGIN : 'github-actions[bot]'
  const alice = town.as(OWNER)
  const scale = emulator.timeScale ?? 1
  /**
   * The bench's own writes as a careful client makes them: a rate limit (GitHub's 80 content-creating
   * requests a minute, which 50 bead issues and 50 dispatches pass) waits as the Mayor's jobs wait
   * (`retry-after`, else backing off), in the emulator's scaled time, and tries again.
   */
  const politely = async <T>(write: () => Promise<T>): Promise<T> => {
    for (let attempt = 1; ; attempt += 1) {
      try {
        return await write()
      } catch (error) {
        if (passingFailure(error) !== 'rate-limit' || attempt >= 5) throw error
        await new Promise((resolve) => setTimeout(resolve, jobRetryDelayMs(error, attempt, 1_000) / scale))
      }
    }
  }
  const { data: goal } = await alice.rest.issues.create({
    owner: OWNER,
    repo: REPO,
    title: 'Worker benchmark',
    body: 'Tiny beads for the worker benchmark.',
  })
  let used = 0

  const createBead = async (key: string): Promise<number> => {
    const now = Date.now()
    const encoded = encodeBead({
      id: `${goal.number}/${key}`,
      title: `Add ${key}`,
      description: `Add the module ${key}.`,
      role: 'developer',
      status: 'in_progress',
      createdAt: now,
      updatedAt: now,
      goal: goal.number,
      key,
      dependencies: [],
      attempt: 1,
    })
    const { data } = await politely(() =>
      alice.rest.issues.create({
        owner: OWNER,
        repo: REPO,
        title: encoded.title,
        body: encoded.body,
        labels: encoded.labels,
      }),
    )
    return data.number
  }

  return {
    town,
    async batch(count, timeoutMs = Number.POSITIVE_INFINITY) {
      if (used + count > maxBeads) {
        throw new Error(`worker bench: the town was made for ${maxBeads} beads; ${used + count} asked for.`)
      }
      const keys = beads.slice(used, used + count).map((b) => b.key)
      used += count
      const numbers: number[] = []
      for (const key of keys) numbers.push(await createBead(key))
      const requestsBefore = town.emulator.requests().length
      const cpuBefore = machineCpu()
      const townBefore = townCpuSeconds()
      const ownBefore = process.cpuUsage()
      const started = performance.now()
      const runIds = await Promise.all(
        numbers.map(async (bead) => {
          const { data } = await politely(() =>
            alice.request('POST /repos/{owner}/{repo}/actions/workflows/{workflow_id}/dispatches', {
              owner: OWNER,
              repo: REPO,
              workflow_id: 'gastown-worker.yml',
              ref: 'main',
              inputs: { bead: String(bead), attempt: '1' },
              return_run_details: true,
            }),
          )
          return (data as { workflow_run_id: number }).workflow_run_id
        }),
      )
      let timer: NodeJS.Timeout | undefined
      const timedOut = await Promise.race([
        town.emulator.runner.idle().then(() => false),
        new Promise<boolean>((resolve) => {
          if (Number.isFinite(timeoutMs)) timer = setTimeout(() => resolve(true), timeoutMs)
        }),
      ])
      clearTimeout(timer)
      const wallMs = performance.now() - started
      if (timedOut) {
        for (const id of runIds) {
          if (town.emulator.runner.get(id)?.status !== 'completed') await town.emulator.runner.kill(id)
        }
        await town.emulator.runner.idle()
      }
      const own = process.cpuUsage(ownBefore)
      const cpuAfter = machineCpu()
      const townCpu = townCpuSeconds() - townBefore
      const errors: string[] = timedOut ? [`still running after ${timeoutMs} ms: killed`] : []
      const samples = runIds.map((id, i): WorkerRunSample => {
        const run = town.emulator.runner.get(id)!
        const stamp = (step: string) => Number(run.outputs[step]?.['ms'] ?? Number.NaN)
        const timings = workerTimings(run.log)
        const status = run.outputs['worker']?.['status']
        if (run.conclusion !== 'success' || status !== 'in_review') {
          const tail = run.log
            .split('\n')
            .filter((l) => l.includes('##[error]') || l.includes('"level":"error"'))
          errors.push(
            `bead #${numbers[i]}: ${run.conclusion}, status ${status}: ${tail.slice(0, 3).join(' | ')}`,
          )
        }
        const actionMs = stamp('t2') - stamp('t1')
        const modelMs = timings?.modelMs ?? 0
        const toolMs = timings?.toolMs ?? 0
        return {
          bead: numbers[i]!,
          conclusion: run.conclusion,
          status,
          actionMs,
          checkoutMs: stamp('t1') - stamp('t0'),
          modelMs,
          toolMs,
          overheadMs: actionMs - modelMs - toolMs,
          phases: timings?.phases ?? {},
        }
      })
      const sent = town.emulator.requests().slice(requestsBefore)
      const split = breakdown(
        sent.map((entry) =>
          entry.actor === workerLogin ? { ...entry, actor: 'github-actions[bot]' } : entry,
        ),
        count,
      )
      const limited = sent.filter((entry) => entry.actor === workerLogin && entry.status === 403).length
      if (limited > 0) errors.push(`${limited} requests refused by the rate limit (403)`)
      return {
        runs: count,
        ok: samples.filter((s) => s.conclusion === 'success' && s.status === 'in_review').length,
        wallMs: round(wallMs, 0),
        machineCpuBusy: round(
          (cpuAfter.busy - cpuBefore.busy) / Math.max(1, cpuAfter.total - cpuBefore.total),
          3,
        ),
        emulatorCpuSeconds: round((own.user + own.system) / 1e6, 2),
        townCpuSeconds: round(townCpu, 2),
        samples,
        workerRequestsPerBead: round(split.worker.perBead, 2),
        workerByRoute: Object.fromEntries(
          Object.entries(split.worker.byRoute).map(([route, n]) => [route, round(n / count, 2)]),
        ),
        errors,
      }
    },
    async close() {
      await town.close()
      await rm(dir, { recursive: true, force: true })
    },
  }
}

/** The worker's overhead from runs one at a time. */
export interface WorkerOverheadReport {
  runs: number
  /** Whether the runs shared the machine with each other (a quick run takes them from the scale batch). */
  concurrent: boolean
  overheadMs: { mean: number; p50: number; max: number }
  actionMs: number
  checkoutMs: number
  modelMs: number
  toolMs: number
  /** Mean milliseconds per phase of the worker's own log (claim, context, prepare, agent, apply). */
  phases: Record<string, number>
  requestsPerBead: number
  byRoute: Record<string, number>
  errors: string[]
}

/** The worker's overhead from the runs of some batches. */
export function summariseOverhead(
  batches: readonly WorkerBatch[],
  concurrent: boolean,
): WorkerOverheadReport {
  const samples = batches.flatMap((b) => b.samples)
  const phases: Record<string, number> = {}
  for (const sample of samples) {
    for (const [phase, ms] of Object.entries(sample.phases)) {
      phases[phase] = (phases[phase] ?? 0) + ms / samples.length
    }
  }
  const overheads = samples.map((s) => s.overheadMs)
  return {
    runs: samples.length,
    concurrent,
    overheadMs: {
      mean: round(mean(overheads), 0),
      p50: round(percentile(overheads, 50), 0),
      max: round(Math.max(...overheads), 0),
    },
    actionMs: round(mean(samples.map((s) => s.actionMs)), 0),
    checkoutMs: round(mean(samples.map((s) => s.checkoutMs)), 0),
    modelMs: round(mean(samples.map((s) => s.modelMs)), 0),
    toolMs: round(mean(samples.map((s) => s.toolMs)), 0),
    phases: Object.fromEntries(Object.entries(phases).map(([k, v]) => [k, round(v, 0)])),
    requestsPerBead: round(mean(batches.map((b) => b.workerRequestsPerBead)), 2),
    byRoute: batches[0]?.workerByRoute ?? {},
    errors: batches.flatMap((b) => b.errors),
  }
}

/** Runs `runs` tiny beads one after another and reports the worker's overhead. */
export async function measureWorkerOverhead(
  runs: number,
  progress?: (message: string) => void,
): Promise<WorkerOverheadReport> {
  const worker = await startWorkerTown(1, runs)
  try {
    const batches: WorkerBatch[] = []
    for (let i = 0; i < runs; i += 1) {
      const batch = await worker.batch(1)
      batches.push(batch)
      progress?.(`worker overhead: run ${i + 1} of ${runs}: ${round(batch.samples[0]!.overheadMs, 0)} ms`)
    }
    return summariseOverhead(batches, false)
  } finally {
    await worker.close()
  }
}

/** One level of the concurrency search. */
export interface ScaleLevel {
  workers: number
  ok: boolean
  wallMs: number
  runsPerMinute: number
  machineCpuBusy: number
  emulatorCpuSeconds: number
  townCpuSeconds: number
  /** The town's CPU time over the cores' time in the batch: 1 means the town alone kept every core busy. */
  townCpuShare: number
  cpuSecondsPerRun: number
  meanActionMs: number
  errors: string[]
}

/** The concurrency search. */
export interface ScaleReport {
  cores: number
  timeBoundMs: number
  levels: ScaleLevel[]
  maxConcurrentWorkers: number
  /** What held the largest level back, read from the measurements. */
  limit: string
  /** The first level's batch, for the overhead of a quick run. */
  firstBatch?: WorkerBatch
  /** Worker requests per bead, and the beads an hour the GITHUB_TOKEN's 1,000 requests per repository allow. */
  workerRequestsPerBead: number
  githubTokenBeadsPerHour: number
}

/**
 * Starts `levels[i]` worker runs at once (runners = that many), in order, and stops at the first level
 * with an error or slower than `timeBoundMs`; the largest clean level is the answer.
 */
export async function measureScale(
  levels: readonly number[],
  timeBoundMs: number,
  progress?: (message: string) => void,
): Promise<ScaleReport> {
  const results: ScaleLevel[] = []
  let firstBatch: WorkerBatch | undefined
  for (const workers of levels) {
    progress?.(`scale: ${workers} worker runs at once`)
    // What is measured is the machine: GitHub's windows (80 content-creating requests a minute) pass a
    // hundred times faster here, as in the sandbox, or 100 bead issues and dispatches would wait for
    // them. The capacity figure (capacity.ts) is where GitHub's limits are counted.
    const worker = await startWorkerTown(workers, workers, 'gastown-token', { timeScale: SANDBOX_TIME_SCALE })
    let batch: WorkerBatch
    try {
      batch = await worker.batch(workers, timeBoundMs)
    } finally {
      await worker.close()
    }
    firstBatch ??= batch
    const level: ScaleLevel = {
      workers,
      ok: batch.ok === workers && batch.wallMs <= timeBoundMs,
      wallMs: batch.wallMs,
      runsPerMinute: round((workers * 60_000) / batch.wallMs, 1),
      machineCpuBusy: batch.machineCpuBusy,
      emulatorCpuSeconds: batch.emulatorCpuSeconds,
      townCpuSeconds: batch.townCpuSeconds,
      townCpuShare: round(batch.townCpuSeconds / ((batch.wallMs / 1000) * cpus().length), 3),
      cpuSecondsPerRun: round(batch.townCpuSeconds / workers, 2),
      meanActionMs: round(mean(batch.samples.map((s) => s.actionMs)), 0),
      errors: [
        ...batch.errors.slice(0, 5),
        ...(batch.wallMs > timeBoundMs
          ? [`took ${batch.wallMs} ms, over the bound of ${timeBoundMs} ms`]
          : []),
      ],
    }
    results.push(level)
    progress?.(
      `scale: ${workers} at once: ${level.ok ? 'ok' : 'FAILED'} in ${batch.wallMs} ms, town CPU ${level.townCpuSeconds} s (${Math.round(level.townCpuShare * 100)}% of the cores), machine ${Math.round(batch.machineCpuBusy * 100)}% busy`,
    )
    if (!level.ok) break
  }
  const clean = results.filter((l) => l.ok)
  const best = clean[clean.length - 1]
  return {
    cores: cpus().length,
    timeBoundMs,
    levels: results,
    maxConcurrentWorkers: best?.workers ?? 0,
    limit: explainLimit(results),
    workerRequestsPerBead: firstBatch?.workerRequestsPerBead ?? Number.NaN,
    githubTokenBeadsPerHour: firstBatch ? Math.floor(1000 / firstBatch.workerRequestsPerBead) : Number.NaN,
    ...(firstBatch ? { firstBatch } : {}),
  }
}

function explainLimit(levels: readonly ScaleLevel[]): string {
  const last = levels[levels.length - 1]
  if (!last) return 'nothing was measured'
  const failed = levels.find((l) => !l.ok)
  const top = failed ?? last
  const cpu = `the town used ${Math.round(top.townCpuShare * 100)}% of the ${cpus().length} cores (${top.cpuSecondsPerRun} CPU s a run) and the machine was ${Math.round(top.machineCpuBusy * 100)}% busy`
  if (failed && failed.errors.length > 0 && !failed.errors.every((e) => e.startsWith('took'))) {
    return `${failed.workers} runs at once failed (${failed.errors[0]}); ${cpu}`
  }
  if (top.townCpuShare > 0.7 || top.machineCpuBusy > 0.95) {
    return `CPU: at ${top.workers} runs at once ${cpu}; each run spends its CPU starting processes (bash, node loading the bundle, git), so beyond this runs only queue for the cores`
  }
  return `not reached: at ${top.workers} runs at once ${cpu}; a run mostly waits (write spacing, git, HTTP), so the search's levels, not the machine, stopped here`
}
