import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { CycleError, criticalPath } from '../../src/core/dag.js'
import {
  lowerBound,
  simulate,
  type SimulationBead,
  type SimulationOptions,
  type SimulationPolicy,
  type SimulationResult,
} from '../../src/core/schedule-simulation.js'

const pr = (id: number, deps: number[] = [], role = 'developer'): SimulationBead => ({
  id,
  role,
  output: 'pr',
  deps,
})
const review = (id: number, deps: number[]): SimulationBead => ({
  id,
  role: 'reviewer',
  output: 'review',
  deps,
})

const startsOf = (result: SimulationResult) => Object.fromEntries(result.beads.map((b) => [b.id, b.start]))

describe('simulate', () => {
  // Three short independent beads with low ids, and a chain 4 -> 5 -> 6.
  const dag = [pr(1), pr(2), pr(3), pr(4), pr(5, [4]), pr(6, [5])]
  const durations = { 1: 1, 2: 1, 3: 1, 4: 1, 5: 1, 6: 1 }

  it('starts the long chain first under our policy and reaches the lower bound', () => {
    const ours = simulate(dag, { policy: 'ours', workers: 2, durations, seed: 1 })
    expect(ours.makespan).toBe(3)
    expect(lowerBound(dag, durations, 2)).toBe(3)
    expect(startsOf(ours)).toEqual({ 1: 0, 2: 1, 3: 2, 4: 0, 5: 1, 6: 2 })
    expect(ours.state).toBe('done')
    expect(ours.beads.every((b) => b.status === 'completed')).toBe(true)
  })

  it('serves beads in the order they became ready under FIFO, and so finishes later here', () => {
    const fifo = simulate(dag, { policy: 'fifo', workers: 2, durations, seed: 1 })
    expect(startsOf(fifo)).toEqual({ 1: 0, 2: 0, 3: 1, 4: 1, 5: 2, 6: 3 })
    expect(fifo.makespan).toBe(4)
  })

  it('waits for the slowest bead of each round and pauses between rounds under the seed loop', () => {
    const uneven = [pr(1), pr(2), pr(3), pr(4)]
    const lengths = { 1: 10, 2: 1, 3: 1, 4: 1 }
    const rounds = simulate(uneven, {
      policy: 'rounds',
      workers: 2,
      durations: lengths,
      seed: 1,
      roundDelay: 1,
    })
    expect(startsOf(rounds)).toEqual({ 1: 0, 2: 0, 3: 11, 4: 11 })
    expect(rounds.makespan).toBe(12)
    const ours = simulate(uneven, { policy: 'ours', workers: 2, durations: lengths, seed: 1, roundDelay: 1 })
    expect(startsOf(ours)).toEqual({ 1: 0, 2: 0, 3: 1, 4: 2 })
    expect(ours.makespan).toBe(10)
  })

  it('starts a reviewer when the PR opens, and a dependent code bead only once it is merged', () => {
    const result = simulate([pr(1), review(2, [1]), pr(3, [1])], {
      policy: 'ours',
      workers: 3,
      durations: { 1: 2, 2: 1, 3: 1 },
      seed: 1,
      mergeDelay: 5,
    })
    expect(startsOf(result)).toEqual({ 1: 0, 2: 2, 3: 7 })
    const first = result.beads.find((b) => b.id === 1)!
    expect(first).toMatchObject({ reviewableAt: 2, completedAt: 7, end: 7 })
    // Bead 3 runs from 7 to 8, and its own PR is merged 5 later.
    expect(result.makespan).toBe(13)
  })

  it('retries failed attempts with backoff, then gives up and blocks the dependents', () => {
    const result = simulate([pr(1), pr(2, [1]), pr(3)], {
      policy: 'ours',
      workers: 2,
      durations: { 1: 4, 2: 1, 3: 1 },
      seed: 3,
      failureRate: 1,
      retry: { maxAttempts: 3, baseDelayMs: 10, maxDelayMs: 100, jitter: 'equal' },
    })
    const [one, two, three] = result.beads
    expect(one!.runs.map((r) => [r.attempt, r.outcome])).toEqual([
      [1, 'failed'],
      [2, 'failed'],
      [3, 'failed'],
    ])
    // Equal jitter waits at least half the backoff: 5 after the first failure, 10 after the second.
    expect(one!.runs[1]!.start - one!.runs[0]!.end).toBeGreaterThanOrEqual(5)
    expect(one!.runs[2]!.start - one!.runs[1]!.end).toBeGreaterThanOrEqual(10)
    expect(one).toMatchObject({ status: 'failed', needsHuman: true })
    expect(two).toMatchObject({ status: 'blocked', runs: [] })
    expect(three).toMatchObject({ status: 'failed', needsHuman: true })
    expect(result.state).toBe('stuck')
  })

  it('blocks the dependents of a cancelled bead and finishes the rest', () => {
    const result = simulate([pr(1), pr(2, [1]), pr(3, [2]), pr(4)], {
      policy: 'ours',
      workers: 2,
      durations: { 1: 1, 2: 1, 3: 1, 4: 3 },
      seed: 1,
      cancelled: [1],
    })
    expect(result.beads.map((b) => b.status)).toEqual(['cancelled', 'blocked', 'blocked', 'completed'])
    expect(result.makespan).toBe(3)
    expect(result.state).toBe('stuck')
  })

  it('gives the same result for the same seed', () => {
    const options: SimulationOptions = { policy: 'ours', workers: 2, durations, seed: 42, failureRate: 0.4 }
    expect(simulate(dag, options)).toEqual(simulate(dag, options))
  })

  it('refuses a world it cannot simulate, saying what is wrong', () => {
    expect(() => simulate(dag, { policy: 'ours', workers: 0, durations, seed: 1 })).toThrow(/workers must be/)
    expect(() =>
      simulate([pr(1), pr(2)], { policy: 'ours', workers: 1, durations: { 1: 1 }, seed: 1 }),
    ).toThrow(/duration of bead #2/)
    expect(() =>
      simulate([pr(1, [9])], { policy: 'ours', workers: 1, durations: { 1: 1 }, seed: 1 }),
    ).toThrow(/#1 depends on #9/)
    expect(() =>
      simulate([pr(1, [2]), pr(2, [1])], { policy: 'fifo', workers: 1, durations: { 1: 1, 2: 1 }, seed: 1 }),
    ).toThrow(CycleError)
  })
})

describe('lowerBound', () => {
  it('is the larger of the critical path and the work per worker', () => {
    const dag = [pr(1), pr(2, [1]), pr(3), pr(4)]
    const durations = { 1: 3, 2: 4, 3: 2, 4: 2 }
    expect(lowerBound(dag, durations, 1)).toBe(11)
    expect(lowerBound(dag, durations, 2)).toBe(7)
    expect(lowerBound(dag, durations, 4)).toBe(7)
    expect(lowerBound([], {}, 3)).toBe(0)
  })
})

const ROLES = ['developer', 'tester', 'reviewer'] as const
const POLICIES: SimulationPolicy[] = ['ours', 'fifo', 'rounds']

/** A random goal: a DAG where bead i depends only on beads before it, with durations from 1. */
const goalArbitrary = fc.integer({ min: 1, max: 18 }).chain((n) =>
  fc.record({
    dag: fc.tuple(
      ...Array.from({ length: n }, (_, i) =>
        fc.record({
          id: fc.constant(i + 1),
          role: fc.constantFrom(...ROLES),
          output: fc.constantFrom('pr' as const, 'review' as const),
          deps:
            i === 0
              ? fc.constant<number[]>([])
              : fc.uniqueArray(fc.integer({ min: 1, max: i }), { maxLength: 3 }),
        }),
      ),
    ),
    durations: fc
      .array(fc.integer({ min: 1, max: 20 }), { minLength: n, maxLength: n })
      .map((list) => Object.fromEntries(list.map((d, i) => [i + 1, d])) as Record<number, number>),
    workers: fc.integer({ min: 1, max: 5 }),
    seed: fc.integer(),
  }),
)

/** A random world around a goal: a policy, role limits, failures, merges, pauses and cancellations. */
const worldArbitrary = goalArbitrary.chain((goal) =>
  fc.record({
    goal: fc.constant(goal),
    policy: fc.constantFrom(...POLICIES),
    perRole: fc.option(fc.dictionary(fc.constantFrom(...ROLES), fc.integer({ min: 1, max: 3 })), {
      nil: undefined,
    }),
    failureRate: fc.constantFrom(0, 0.1, 0.3, 0.6, 1),
    maxAttempts: fc.integer({ min: 1, max: 4 }),
    jitter: fc.constantFrom('full' as const, 'equal' as const),
    mergeDelay: fc.integer({ min: 0, max: 5 }),
    roundDelay: fc.integer({ min: 0, max: 3 }),
    cancelled: fc.subarray(
      goal.dag.map((b) => b.id),
      { maxLength: Math.min(2, goal.dag.length) },
    ),
  }),
)

const longestChain = (dag: SimulationBead[], durations: Record<number, number>) =>
  criticalPath(new Map(dag.map((b) => [b.id, b.deps])), (id) => durations[id]!).length

type World = typeof worldArbitrary extends fc.Arbitrary<infer W> ? W : never

const run = (w: World) =>
  simulate(w.goal.dag, {
    policy: w.policy,
    workers: w.goal.workers,
    perRole: w.perRole,
    durations: w.goal.durations,
    seed: w.goal.seed,
    failureRate: w.failureRate,
    retry: { maxAttempts: w.maxAttempts, baseDelayMs: 2, maxDelayMs: 16, jitter: w.jitter },
    mergeDelay: w.mergeDelay,
    roundDelay: w.roundDelay,
    cancelled: w.cancelled,
  })

describe('simulation properties', () => {
  it('always ends, with every bead completed, failed for good, blocked or cancelled', () => {
    fc.assert(
      fc.property(worldArbitrary, (w) => {
        const result = run(w)
        for (const b of result.beads) {
          const settled =
            b.status === 'completed' ||
            (b.status === 'failed' && b.needsHuman) ||
            b.status === 'blocked' ||
            b.status === 'cancelled'
          expect(settled, `bead #${b.id} ended ${b.status}`).toBe(true)
        }
        expect(result.state).toBe(
          result.beads.every((b) => b.status === 'completed' || b.status === 'cancelled') ? 'done' : 'stuck',
        )
      }),
      { numRuns: 300 },
    )
  })

  it('never starts an attempt before the bead’s dependencies are satisfied', () => {
    fc.assert(
      fc.property(worldArbitrary, (w) => {
        const result = run(w)
        const byId = new Map(result.beads.map((b) => [b.id, b]))
        for (const bead of w.goal.dag) {
          for (const attempt of byId.get(bead.id)!.runs) {
            for (const dep of bead.deps.map((d) => byId.get(d)!)) {
              // Code beads need the dependency merged; reviewers need its PR open.
              const from = bead.output === 'pr' ? dep.completedAt : dep.reviewableAt
              expect(from, `#${bead.id} ran before #${dep.id} was ready for it`).toBeDefined()
              expect(attempt.start).toBeGreaterThanOrEqual(from!)
            }
          }
        }
      }),
      { numRuns: 300 },
    )
  })

  it('never runs more beads at once than max_workers, nor more of a role than its limit', () => {
    fc.assert(
      fc.property(worldArbitrary, (w) => {
        const runs = run(w).beads.flatMap((b) => b.runs.map((r) => ({ ...r, role: b.role })))
        for (const at of new Set(runs.map((r) => r.start))) {
          // Durations are at least 1, so a run that started at or before `at` and ends after it overlaps it.
          const live = runs.filter((r) => r.start <= at && r.end > at)
          expect(live.length).toBeLessThanOrEqual(w.goal.workers)
          for (const [role, limit] of Object.entries(w.perRole ?? {})) {
            expect(live.filter((r) => r.role === role).length).toBeLessThanOrEqual(limit)
          }
        }
      }),
      { numRuns: 300 },
    )
  })

  it('makes at most max_attempts attempts, and gives up only after the last one failed', () => {
    fc.assert(
      fc.property(worldArbitrary, (w) => {
        for (const b of run(w).beads) {
          expect(b.runs.length).toBeLessThanOrEqual(w.maxAttempts)
          expect(b.runs.map((r) => r.attempt)).toEqual(b.runs.map((_, i) => i + 1))
          b.runs.slice(0, -1).forEach((r) => expect(r.outcome).toBe('failed'))
          expect(b.needsHuman).toBe(
            b.runs.length === w.maxAttempts && b.runs.every((r) => r.outcome === 'failed'),
          )
        }
      }),
      { numRuns: 200 },
    )
  })

  it('is deterministic for a given seed', () => {
    fc.assert(
      fc.property(worldArbitrary, (w) => {
        expect(run(w)).toEqual(run(w))
      }),
      { numRuns: 50 },
    )
  })

  it('never beats the lower bound when nothing fails or is cancelled, whatever the policy', () => {
    fc.assert(
      fc.property(worldArbitrary, (w) => {
        const result = run({ ...w, failureRate: 0, cancelled: [] })
        expect(result.state).toBe('done')
        expect(result.makespan).toBeGreaterThanOrEqual(
          lowerBound(w.goal.dag, w.goal.durations, w.goal.workers),
        )
      }),
      { numRuns: 300 },
    )
  })

  it('stays within Graham’s bound for the event-driven policies: work/m + (1 - 1/m) * critical path', () => {
    fc.assert(
      fc.property(goalArbitrary, fc.constantFrom('ours' as const, 'fifo' as const), (goal, policy) => {
        const { dag, durations, workers, seed } = goal
        const result = simulate(dag, { policy, workers, durations, seed })
        const total = dag.reduce((sum, b) => sum + durations[b.id]!, 0)
        const path = longestChain(dag, durations)
        expect(result.makespan).toBeLessThanOrEqual(total / workers + (1 - 1 / workers) * path + 1e-9)
      }),
      { numRuns: 300 },
    )
  })

  it('finishes in exactly the critical path with a worker per bead, and in the total work with one worker', () => {
    fc.assert(
      fc.property(goalArbitrary, fc.constantFrom('ours' as const, 'fifo' as const), (goal, policy) => {
        const { dag, durations, seed } = goal
        const total = dag.reduce((sum, b) => sum + durations[b.id]!, 0)
        const path = longestChain(dag, durations)
        expect(simulate(dag, { policy, workers: dag.length, durations, seed }).makespan).toBe(path)
        expect(simulate(dag, { policy, workers: 1, durations, seed }).makespan).toBe(total)
      }),
      { numRuns: 200 },
    )
  })
})
