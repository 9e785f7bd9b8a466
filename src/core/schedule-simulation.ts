/**
 * A deterministic discrete-event simulation of a goal: beads over a DAG with given durations, a number of
 * workers and a seeded failure model, run under one of three policies. `ours` is the real scheduler
 * (scheduler.ts) with the real retry policy (retry-policy.ts); `fifo` is the same event-driven dispatch
 * without priority (first ready, first served); `rounds` is the seed's loop: every worker takes one bead,
 * all wait for the slowest, pause, repeat. Used by the property tests and the benchmark.
 * The seed's workers each had a role (`[developer, developer, tester, reviewer]`): pass that pool as
 * `workers: 4, perRole: { developer: 2, tester: 1, reviewer: 1 }`. Unlike the seed, `rounds` respects
 * dependencies, which only flatters it. Review rounds that request changes are not modelled.
 */
import type { BeadStatus } from './bead.js'
import { criticalPathLengths, topologicalOrder } from './dag.js'
import { MinHeap } from './min-heap.js'
import { mulberry32 } from './random.js'
import { retryDecision, type RetryOptions } from './retry-policy.js'
import {
  goalState,
  schedule,
  type BeadOutput,
  type DispatchOrder,
  type GoalState,
  type SchedulerBead,
} from './scheduler.js'

/** A bead of the simulated goal. */
export interface SimulationBead {
  id: number
  role: string
  output: BeadOutput
  deps: readonly number[]
}

/** How beads are picked for workers. */
export type SimulationPolicy = 'ours' | 'rounds' | 'fifo'

/** The simulated world. Times are in one unit throughout (durations, delays, makespan). */
export interface SimulationOptions {
  policy: SimulationPolicy
  /** Workers in all (`max_workers`). */
  workers: number
  /** Per-role limits, as in config. */
  perRole?: Readonly<Record<string, number>>
  /** How long each attempt of each bead takes, by id. */
  durations: Readonly<Record<number, number>>
  /** Seeds the failures and the retry jitter. */
  seed: number
  /** The chance that an attempt fails; 0 by default. A failed attempt takes its full duration. */
  failureRate?: number
  /** Retries of failed attempts; by default 3 attempts with no delay. */
  retry?: RetryOptions
  /** How long a code bead's PR stays open before it is merged; 0 by default. */
  mergeDelay?: number
  /** `rounds` only: the pause between rounds (the seed sleeps one second); 0 by default. */
  roundDelay?: number
  /** The durations our policy expects, for its critical path; the true ones by default. */
  expected?: Readonly<Record<number, number>>
  /** Beads a person cancelled before anything started. */
  cancelled?: readonly number[]
}

/** One attempt of a bead on a worker. */
export interface SimulatedRun {
  attempt: number
  start: number
  end: number
  outcome: 'succeeded' | 'failed'
}

/** How a bead fared. */
export interface SimulatedBead {
  id: number
  role: string
  status: BeadStatus
  needsHuman: boolean
  runs: SimulatedRun[]
  /** The first start, if it ever ran. */
  start?: number
  /** When it reached its final status (merged, reviewed, given up), if it did. */
  end?: number
  /** When its PR opened (code beads) or its reviews were posted (review beads): reviewers may start. */
  reviewableAt?: number
  /** When it was completed. */
  completedAt?: number
}

/** The outcome of a simulation. */
export interface SimulationResult {
  policy: SimulationPolicy
  /** When the last thing happened: the last run ended or the last PR was merged. */
  makespan: number
  state: GoalState
  beads: SimulatedBead[]
}

interface SimState extends SchedulerBead {
  readySince: number
}

type SimEvent =
  | { time: number; seq: number; kind: 'finish'; id: number }
  | { time: number; seq: number; kind: 'merge'; id: number }
  | { time: number; seq: number; kind: 'retry'; id: number; attempt: number }
  | { time: number; seq: number; kind: 'round' }

/** A min-heap of events by time, then by the order they were scheduled, so ties resolve the same way. */
class EventQueue {
  private readonly heap = new MinHeap<SimEvent>(before)
  private seq = 0

  get size(): number {
    return this.heap.size
  }

  peekTime(): number {
    return this.heap.peek()!.time
  }

  push(event: DistributiveOmit<SimEvent, 'seq'>): void {
    this.heap.push({ ...event, seq: this.seq++ } as SimEvent)
  }

  pop(): SimEvent {
    return this.heap.pop()
  }
}

type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never

function before(a: SimEvent, b: SimEvent): boolean {
  return a.time < b.time || (a.time === b.time && a.seq < b.seq)
}

function durationOf(durations: Readonly<Record<number, number>>, id: number, what: string): number {
  const value = durations[id]
  if (value === undefined || !(value >= 0) || !Number.isFinite(value)) {
    throw new RangeError(`simulate: ${what} of bead #${id} must be a finite number from 0, got ${value}.`)
  }
  return value
}

function checkDag(dag: readonly SimulationBead[]): void {
  const ids = new Set(dag.map((bead) => bead.id))
  if (ids.size !== dag.length) throw new Error('simulate: two beads share an id; give each bead its own id.')
  for (const bead of dag) {
    for (const dep of bead.deps) {
      if (!ids.has(dep))
        throw new Error(`simulate: bead #${bead.id} depends on #${dep}, which is not in the DAG.`)
    }
  }
  topologicalOrder(new Map(dag.map((bead) => [bead.id, bead.deps])))
}

/**
 * Runs the goal to its end under `options.policy` and reports the makespan and what happened to each bead.
 * Deterministic: the same DAG and options give the same result.
 */
export function simulate(dag: readonly SimulationBead[], options: SimulationOptions): SimulationResult {
  if (!Number.isInteger(options.workers) || options.workers < 1) {
    throw new RangeError(`simulate: workers must be an integer from 1, got ${options.workers}.`)
  }
  checkDag(dag)
  for (const bead of dag) durationOf(options.durations, bead.id, 'the duration')
  const random = mulberry32(options.seed)
  const failureRate = options.failureRate ?? 0
  const retry = options.retry ?? { maxAttempts: 3, baseDelayMs: 0, maxDelayMs: 0 }
  const mergeDelay = options.mergeDelay ?? 0
  const roundDelay = options.roundDelay ?? 0
  const limits = { maxWorkers: options.workers, perRole: options.perRole }
  const expected = options.expected ?? options.durations
  const cancelled = new Set(options.cancelled ?? [])

  const states = dag.map((bead): SimState => ({
    id: bead.id,
    role: bead.role,
    output: bead.output,
    deps: bead.deps,
    status: cancelled.has(bead.id) ? 'cancelled' : 'pending',
    attempt: 1,
    readySince: 0,
  }))
  const byId = new Map(states.map((state) => [state.id, state]))
  const records = new Map(
    dag.map((bead): [number, SimulatedBead] => [
      bead.id,
      { id: bead.id, role: bead.role, status: 'pending', needsHuman: false, runs: [] },
    ]),
  )
  const record = (id: number) => records.get(id)!

  // FIFO serves beads in the order they became ready; the seed's rounds take the first bead by creation.
  const fifo: DispatchOrder = (a, b) => byId.get(a.id)!.readySince - byId.get(b.id)!.readySince || a.id - b.id
  const byCreation: DispatchOrder = (a, b) => a.id - b.id
  const order = options.policy === 'fifo' ? fifo : options.policy === 'rounds' ? byCreation : undefined
  const weights = { byId: expected }

  const events = new EventQueue()
  let time = 0
  let makespan = 0
  // The seed's loop dispatches only at the start of a round; the event-driven policies at any moment.
  let gateOpen = true
  let running = 0

  const decide = () => {
    if (!gateOpen) return
    const decision = schedule(states, limits, weights, order)
    for (const id of decision.unblocked) byId.get(id)!.status = 'pending'
    for (const id of decision.blocked) byId.get(id)!.status = 'blocked'
    for (const id of decision.unready) byId.get(id)!.status = 'pending'
    for (const id of decision.ready) {
      const state = byId.get(id)!
      state.status = 'ready'
      state.readySince = time
    }
    for (const id of decision.dispatch) {
      const state = byId.get(id)!
      state.status = 'in_progress'
      running += 1
      const rec = record(id)
      rec.start ??= time
      const end = time + durationOf(options.durations, id, 'the duration')
      rec.runs.push({ attempt: state.attempt, start: time, end, outcome: 'succeeded' })
      events.push({ time: end, kind: 'finish', id })
    }
    if (options.policy === 'rounds' && decision.dispatch.length > 0) gateOpen = false
  }

  const handle = (event: SimEvent) => {
    if (event.kind === 'round') {
      gateOpen = true
      return
    }
    makespan = Math.max(makespan, event.time)
    const state = byId.get(event.id)!
    const rec = record(event.id)
    if (event.kind === 'merge') {
      state.status = 'completed'
      rec.completedAt = rec.end = event.time
      return
    }
    if (event.kind === 'retry') {
      state.status = 'ready'
      state.attempt = event.attempt
      state.readySince = event.time
      return
    }
    running -= 1
    if (options.policy === 'rounds' && running === 0)
      events.push({ time: event.time + roundDelay, kind: 'round' })
    const run = rec.runs[rec.runs.length - 1]!
    if (failureRate > 0 && random() < failureRate) {
      run.outcome = 'failed'
      const next = retryDecision(state.attempt, retry, random)
      state.status = 'failed'
      if (next.retry) {
        events.push({
          time: event.time + next.delayMs,
          kind: 'retry',
          id: state.id,
          attempt: next.nextAttempt,
        })
      } else {
        state.needsHuman = true
        rec.end = event.time
      }
    } else if (state.output === 'pr') {
      state.status = 'in_review'
      rec.reviewableAt = event.time
      events.push({ time: event.time + mergeDelay, kind: 'merge', id: state.id })
    } else {
      state.status = 'completed'
      rec.reviewableAt = rec.completedAt = rec.end = event.time
    }
  }

  // Each bead yields at most a few events per attempt; a loop past this bound is a bug, not a long goal.
  const maxAttempts = retry.maxAttempts ?? 3
  const bound = dag.length * (maxAttempts * 4 + 4) + 16
  for (let steps = 0; ; steps += 1) {
    if (steps > bound) throw new Error(`simulate: no end after ${bound} steps; the event loop is broken.`)
    decide()
    if (events.size === 0) break
    time = events.peekTime()
    // Everything that happens at one moment is settled before the next decision.
    while (events.size > 0 && events.peekTime() === time) handle(events.pop())
  }

  for (const state of states) {
    const rec = record(state.id)
    rec.status = state.status
    rec.needsHuman = state.needsHuman === true
  }
  return { policy: options.policy, makespan, state: goalState(states), beads: [...records.values()] }
}

/**
 * No schedule of the DAG on `workers` workers can be shorter than this: the longest chain of durations,
 * and the total work shared evenly over the workers.
 */
export function lowerBound(
  dag: readonly SimulationBead[],
  durations: Readonly<Record<number, number>>,
  workers: number,
): number {
  if (dag.length === 0) return 0
  const weight = (id: number) => durationOf(durations, id, 'the duration')
  const lengths = criticalPathLengths(new Map(dag.map((bead) => [bead.id, bead.deps])), weight)
  const total = dag.reduce((sum, bead) => sum + weight(bead.id), 0)
  return Math.max(Math.max(...lengths.values()), total / workers)
}
