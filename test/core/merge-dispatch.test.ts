import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { BEAD_STATUSES } from '../../src/core/bead.js'
import { dispatchOnMerge } from '../../src/core/merge-dispatch.js'
import type { SchedulerBead } from '../../src/core/scheduler.js'

const bead = (id: number, deps: number[] = [], extra: Partial<SchedulerBead> = {}): SchedulerBead => ({
  id,
  role: 'developer',
  output: 'pr',
  status: 'pending',
  deps,
  attempt: 0,
  ...extra,
})

describe('dispatchOnMerge', () => {
  it("dispatches the merged bead's dependents whose other dependencies are done", () => {
    const beads = [
      bead(1, [], { status: 'in_review' }),
      bead(2, [], { status: 'completed' }),
      bead(3, [1]),
      bead(4, [1, 2]),
      bead(5, [1, 3]),
      bead(6, [2]),
    ]
    expect(dispatchOnMerge(beads, 1, { maxWorkers: 4 }).sort()).toEqual([3, 4])
  })

  it('leaves free slots to the step for beads the merge did not unblock, and counts running beads', () => {
    const beads = [
      bead(1, [], { status: 'in_review' }),
      bead(2, [], { status: 'in_progress' }),
      bead(3, [1]),
      bead(4, [1]),
    ]
    expect(dispatchOnMerge(beads, 1, { maxWorkers: 2 })).toHaveLength(1)
    expect(dispatchOnMerge(beads, 1, { maxWorkers: 1 })).toEqual([])
  })

  it('frees the slot of a merged bead the Mayor still knew as running', () => {
    const beads = [bead(1, [], { status: 'in_progress' }), bead(2, [1])]
    expect(dispatchOnMerge(beads, 1, { maxWorkers: 1 })).toEqual([2])
  })

  it('dispatches nothing on a merge it cannot place: an unknown bead, a done one, or a reviewer', () => {
    const after = [bead(3, [1]), bead(4, [2])]
    expect(dispatchOnMerge([bead(1, [], { status: 'in_review' }), ...after], 9, { maxWorkers: 4 })).toEqual(
      [],
    )
    expect(dispatchOnMerge([bead(1, [], { status: 'completed' }), ...after], 1, { maxWorkers: 4 })).toEqual(
      [],
    )
    expect(dispatchOnMerge([bead(1, [], { status: 'pending' }), ...after], 1, { maxWorkers: 4 })).toEqual([])
    expect(
      dispatchOnMerge([bead(1, [], { status: 'in_review', output: 'review' }), ...after], 1, {
        maxWorkers: 4,
      }),
    ).toEqual([])
  })

  it('keeps to per-role limits', () => {
    const beads = [
      bead(1, [], { status: 'in_review' }),
      bead(2, [], { status: 'in_progress', role: 'tester' }),
      bead(3, [1], { role: 'tester' }),
      bead(4, [1], { role: 'developer' }),
    ]
    expect(dispatchOnMerge(beads, 1, { maxWorkers: 4, perRole: { tester: 1 } })).toEqual([4])
  })
})

describe('dispatchOnMerge properties', () => {
  const situation = fc.integer({ min: 1, max: 15 }).chain((n) =>
    fc.record({
      beads: fc.tuple(
        ...Array.from({ length: n }, (_, i) =>
          fc.record({
            id: fc.constant(i + 1),
            deps:
              i === 0
                ? fc.constant<number[]>([])
                : fc.uniqueArray(fc.integer({ min: 1, max: i }), { maxLength: 3 }),
            role: fc.constantFrom('developer', 'tester'),
            output: fc.constantFrom('pr' as const, 'review' as const),
            status: fc.constantFrom(...BEAD_STATUSES),
            attempt: fc.integer({ min: 0, max: 3 }),
          }),
        ),
      ),
      merged: fc.integer({ min: 1, max: n }),
      maxWorkers: fc.integer({ min: 0, max: 5 }),
    }),
  )

  it('dispatches only waiting dependents of the merge whose dependencies are then all done, within max_workers', () => {
    fc.assert(
      fc.property(situation, ({ beads, merged, maxWorkers }) => {
        const chosen = dispatchOnMerge(beads, merged, { maxWorkers })
        const byId = new Map(beads.map((b) => [b.id, b]))
        const running = beads.filter((b) => b.status === 'in_progress' && b.id !== merged).length
        expect(running + chosen.length).toBeLessThanOrEqual(Math.max(maxWorkers, running))
        expect(new Set(chosen).size).toBe(chosen.length)
        for (const id of chosen) {
          const b = byId.get(id)!
          expect(b.deps).toContain(merged)
          expect(['pending', 'ready', 'blocked']).toContain(b.status)
          for (const dep of b.deps) {
            if (dep === merged) continue
            const status = byId.get(dep)!.status
            expect(status === 'completed' || (b.output === 'review' && status === 'in_review')).toBe(true)
          }
        }
      }),
    )
  })
})
