import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { BEAD_STATUSES, type BeadStatus } from '../../src/core/bead.js'
import { canTransition } from '../../src/core/bead-status.js'
import { CycleError } from '../../src/core/dag.js'
import {
  applyDecision,
  dependencySatisfied,
  goalState,
  remainingCriticalPaths,
  schedule,
  type SchedulerBead,
  type SchedulerLimits,
} from '../../src/core/scheduler.js'

const bead = (id: number, deps: number[] = [], extra: Partial<SchedulerBead> = {}): SchedulerBead => ({
  id,
  role: 'developer',
  output: 'pr',
  status: 'pending',
  deps,
  attempt: 1,
  ...extra,
})

const many: SchedulerLimits = { maxWorkers: 100 }

describe('schedule: readiness', () => {
  it('makes a pending bead ready and dispatches it once its dependencies are merged', () => {
    const beads = [bead(1, [], { status: 'completed' }), bead(2, [1]), bead(3, [2])]
    expect(schedule(beads, many)).toEqual({
      ready: [2],
      blocked: [],
      unblocked: [],
      unready: [],
      dispatch: [2],
    })
  })

  it('starts a code bead only when its dependency is merged, a review bead already when its PR is open', () => {
    const beads = [
      bead(1, [], { status: 'in_review' }),
      bead(2, [1]),
      bead(3, [1], { role: 'reviewer', output: 'review' }),
    ]
    expect(schedule(beads, many).ready).toEqual([3])
    expect(dependencySatisfied('pr', 'in_review')).toBe(false)
    expect(dependencySatisfied('review', 'in_review')).toBe(true)
    expect(dependencySatisfied('review', 'in_progress')).toBe(false)
    expect(dependencySatisfied('pr', 'completed')).toBe(true)
  })

  it('dispatches a bead that is already ready without listing it as newly ready', () => {
    expect(schedule([bead(1, [], { status: 'ready' })], many)).toMatchObject({ ready: [], dispatch: [1] })
  })

  it('sends a ready bead back to pending when a dependency is no longer done', () => {
    const beads = [bead(1, [], { status: 'in_progress' }), bead(2, [1], { status: 'ready' })]
    expect(schedule(beads, many)).toMatchObject({ unready: [2], dispatch: [] })
  })

  it('never readies a bead that depends on an unknown issue', () => {
    expect(schedule([bead(1, [99])], many)).toEqual({
      ready: [],
      blocked: [],
      unblocked: [],
      unready: [],
      dispatch: [],
    })
  })
})

describe('schedule: blocking', () => {
  it('blocks every waiting dependent, transitively, of a cancelled bead', () => {
    const beads = [
      bead(1, [], { status: 'cancelled' }),
      bead(2, [1]),
      bead(3, [2], { status: 'ready' }),
      bead(4, [3]),
      bead(5),
    ]
    expect(schedule(beads, many)).toMatchObject({ blocked: [2, 3, 4], dispatch: [5] })
  })

  it('blocks the dependents of a bead that failed for good, not of one waiting for a retry', () => {
    const failedForGood = [bead(1, [], { status: 'failed', needsHuman: true }), bead(2, [1])]
    expect(schedule(failedForGood, many).blocked).toEqual([2])
    const retrying = [bead(1, [], { status: 'failed', attempt: 1 }), bead(2, [1])]
    expect(schedule(retrying, many).blocked).toEqual([])
  })

  it('leaves running and finished dependents alone, and does not block through a finished bead', () => {
    const beads = [
      bead(1, [], { status: 'cancelled' }),
      bead(2, [1], { status: 'in_progress' }),
      bead(3, [1], { status: 'completed' }),
      bead(4, [3]),
      bead(5, [2]),
    ]
    expect(schedule(beads, many)).toMatchObject({ blocked: [], ready: [4], dispatch: [4] })
  })

  it('unblocks a bead whose failed dependency is being retried, to pending', () => {
    const beads = [bead(1, [], { status: 'ready', attempt: 2 }), bead(2, [1], { status: 'blocked' })]
    expect(schedule(beads, many)).toMatchObject({ unblocked: [2], ready: [], dispatch: [1] })
  })

  it('unblocks straight to ready, and dispatches, a bead whose dependencies are now done', () => {
    const beads = [bead(1, [], { status: 'completed' }), bead(2, [1], { status: 'blocked' })]
    expect(schedule(beads, many)).toMatchObject({ unblocked: [2], ready: [2], dispatch: [2] })
  })

  it('keeps a bead blocked while its cause remains', () => {
    const beads = [bead(1, [], { status: 'cancelled' }), bead(2, [1], { status: 'blocked' }), bead(3, [2])]
    expect(schedule(beads, many)).toMatchObject({ unblocked: [], blocked: [3] })
  })
})

describe('schedule: priority and limits', () => {
  // 1 -> 2 -> 3 is the long chain; 4 and 5 stand alone.
  const chain = [bead(5), bead(4), bead(3, [2]), bead(2, [1]), bead(1)]

  it('dispatches the bead with the longest remaining critical path first, then the lower id', () => {
    expect(schedule(chain, many).dispatch).toEqual([1, 4, 5])
    expect(schedule(chain, { maxWorkers: 1 }).dispatch).toEqual([1])
    expect(schedule(chain, { maxWorkers: 2 }).dispatch).toEqual([1, 4])
  })

  it('weighs the critical path by expected durations, by bead or by role', () => {
    expect(schedule(chain, { maxWorkers: 1 }, { byId: { 5: 10 } }).dispatch).toEqual([5])
    const roles = [bead(1, [], { role: 'tester' }), bead(2, [], { role: 'developer' })]
    expect(schedule(roles, { maxWorkers: 1 }, { byRole: { developer: 5, tester: 2 } }).dispatch).toEqual([2])
  })

  it('counts the work left, not the work done, on the critical path', () => {
    const beads = [bead(1, [], { status: 'completed' }), bead(2, [1]), bead(3), bead(4, [3])]
    const remaining = remainingCriticalPaths(beads)
    expect(Object.fromEntries(remaining)).toEqual({ 1: 1, 2: 1, 3: 2, 4: 1 })
  })

  it('counts running beads against max_workers', () => {
    const beads = [bead(1, [], { status: 'in_progress' }), bead(2, [], { status: 'in_progress' }), bead(3)]
    expect(schedule(beads, { maxWorkers: 2 })).toMatchObject({ ready: [3], dispatch: [] })
    expect(schedule(beads, { maxWorkers: 3 }).dispatch).toEqual([3])
  })

  it('respects a per-role limit and gives the free slots to other roles', () => {
    const beads = [
      bead(1, [], { status: 'in_progress', role: 'tester' }),
      bead(2, [], { role: 'tester' }),
      bead(3, [], { role: 'tester' }),
      bead(4, [], { role: 'developer' }),
      bead(5, [], { role: 'reviewer', output: 'review' }),
    ]
    const limits = { maxWorkers: 4, perRole: { tester: 2, developer: 1 } }
    expect(schedule(beads, limits).dispatch).toEqual([2, 4, 5])
  })

  it('dispatches nothing with no free slot, even past the limit already', () => {
    const beads = [bead(1, [], { status: 'in_progress' }), bead(2, [], { status: 'in_progress' }), bead(3)]
    expect(schedule(beads, { maxWorkers: 1 }).dispatch).toEqual([])
  })

  it('follows a given order instead of the critical path', () => {
    const fifo = (a: SchedulerBead, b: SchedulerBead) => b.id - a.id
    expect(schedule(chain, { maxWorkers: 1 }, {}, fifo).dispatch).toEqual([5])
  })

  it('refuses a bead listed twice and names it', () => {
    expect(() => schedule([bead(1), bead(1)], many)).toThrow(/bead #1 twice/)
  })

  it('reports a dependency cycle when it has to rank beads', () => {
    expect(() => schedule([bead(1, [2]), bead(2, [1]), bead(3)], many)).toThrow(CycleError)
  })
})

describe('goalState', () => {
  it('is done when every bead is completed, or cancelled with nothing depending on it', () => {
    expect(goalState([bead(1, [], { status: 'completed' }), bead(2, [1], { status: 'completed' })])).toBe(
      'done',
    )
    expect(goalState([bead(1, [], { status: 'completed' }), bead(2, [], { status: 'cancelled' })])).toBe(
      'done',
    )
  })

  it('is running while work runs, waits for a merge or a retry, or can start', () => {
    expect(goalState([bead(1, [], { status: 'in_progress' }), bead(2, [1])])).toBe('running')
    expect(goalState([bead(1, [], { status: 'in_review' }), bead(2, [1])])).toBe('running')
    expect(goalState([bead(1, [], { status: 'failed', attempt: 1 }), bead(2, [1])])).toBe('running')
    expect(goalState([bead(1, [], { status: 'completed' }), bead(2, [1])])).toBe('running')
    expect(goalState([bead(1, [], { status: 'completed' }), bead(2, [1], { status: 'blocked' })])).toBe(
      'running',
    )
  })

  it('is stuck when nothing can move without a person', () => {
    expect(goalState([bead(1, [], { status: 'failed', needsHuman: true }), bead(2, [1])])).toBe('stuck')
    expect(goalState([bead(1, [], { status: 'cancelled' }), bead(2, [1], { status: 'blocked' })])).toBe(
      'stuck',
    )
    expect(goalState([bead(1, [2]), bead(2, [1])])).toBe('stuck')
    expect(goalState([bead(1, [42])])).toBe('stuck')
  })
})

const ROLES = ['developer', 'tester', 'reviewer'] as const

/** Beads over a random DAG in arbitrary (even inconsistent) statuses, and random limits. */
const situationArbitrary = fc.integer({ min: 1, max: 20 }).chain((n) =>
  fc.record({
    beads: fc.tuple(
      ...Array.from({ length: n }, (_, i) =>
        fc.record({
          id: fc.constant(i + 1),
          deps:
            i === 0
              ? fc.constant<number[]>([])
              : fc.uniqueArray(fc.integer({ min: 1, max: i }), { maxLength: 3 }),
          role: fc.constantFrom(...ROLES),
          output: fc.constantFrom('pr' as const, 'review' as const),
          status: fc.constantFrom(...BEAD_STATUSES),
          attempt: fc.integer({ min: 1, max: 3 }),
          needsHuman: fc.boolean(),
        }),
      ),
    ),
    limits: fc.record({
      maxWorkers: fc.integer({ min: 0, max: 6 }),
      perRole: fc.option(fc.dictionary(fc.constantFrom(...ROLES), fc.integer({ min: 0, max: 3 })), {
        nil: undefined,
      }),
    }),
  }),
)

describe('schedule properties', () => {
  it('dispatches only beads whose dependencies are satisfied, within every limit, by legal moves', () => {
    fc.assert(
      fc.property(situationArbitrary, ({ beads, limits }) => {
        const d = schedule(beads, limits)
        const byId = new Map(beads.map((b) => [b.id, b]))
        for (const id of d.dispatch) {
          const b = byId.get(id)!
          for (const dep of b.deps) {
            const depStatus = byId.get(dep)!.status
            // Written out again here so that the property does not trust the code under test.
            expect(depStatus === 'completed' || (b.output === 'review' && depStatus === 'in_review')).toBe(
              true,
            )
          }
        }
        const after = applyDecision(beads, d)
        const running = (list: SchedulerBead[], role?: string) =>
          list.filter((b) => b.status === 'in_progress' && (role === undefined || b.role === role)).length
        expect(d.dispatch.length).toBeLessThanOrEqual(Math.max(0, limits.maxWorkers - running(beads)))
        for (const role of ROLES) {
          const limit = limits.perRole?.[role]
          if (limit !== undefined) {
            expect(running(after, role) - running(beads, role)).toBeLessThanOrEqual(
              Math.max(0, limit - running(beads, role)),
            )
          }
        }
        // Each listed move is one the status machine allows, in the order `applyDecision` applies them.
        const status = new Map<number, BeadStatus>(beads.map((b) => [b.id, b.status]))
        const move = (id: number, to: BeadStatus) => {
          expect(canTransition(status.get(id)!, to)).toBe(true)
          status.set(id, to)
        }
        for (const id of d.unblocked) move(id, d.ready.includes(id) ? 'ready' : 'pending')
        for (const id of d.blocked) move(id, 'blocked')
        for (const id of d.unready) move(id, 'pending')
        for (const id of d.ready) if (status.get(id) !== 'ready') move(id, 'ready')
        for (const id of d.dispatch) move(id, 'in_progress')
      }),
    )
  })

  it('leaves no bead undispatched while both a total and a role slot are free, and ranks by critical path', () => {
    fc.assert(
      fc.property(situationArbitrary, ({ beads, limits }) => {
        const remaining = remainingCriticalPaths(beads)
        const d = schedule(beads, limits)
        const after = applyDecision(beads, d)
        const free = limits.maxWorkers - after.filter((b) => b.status === 'in_progress').length
        const rank = (id: number) => [remaining.get(id)!, -id] as const
        const before = (a: number, b: number) =>
          rank(a)[0] > rank(b)[0] || (rank(a)[0] === rank(b)[0] && rank(a)[1] > rank(b)[1])
        for (const left of after.filter((b) => b.status === 'ready')) {
          const limit = limits.perRole?.[left.role]
          const roleBusy = after.filter((b) => b.status === 'in_progress' && b.role === left.role).length
          if (limit !== undefined && roleBusy >= limit) continue
          // The role had room, so only a full total can have held this bead back, after all dispatches.
          expect(free).toBeLessThanOrEqual(0)
          for (const id of d.dispatch) expect(before(id, left.id)).toBe(true)
        }
      }),
    )
  })

  it('has nothing more to do once its decision is applied', () => {
    fc.assert(
      fc.property(situationArbitrary, ({ beads, limits }) => {
        const d = schedule(beads, limits)
        expect(schedule(applyDecision(beads, d), limits)).toEqual({
          ready: [],
          blocked: [],
          unblocked: [],
          unready: [],
          dispatch: [],
        })
      }),
    )
  })
})
