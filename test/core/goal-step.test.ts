import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import type { Bead, BeadStatus } from '../../src/core/bead.js'
import { BEAD_STATUSES } from '../../src/core/bead.js'
import {
  goalStep,
  type GoalPolicy,
  type GoalSnapshot,
  type PullSnapshot,
  type RunSnapshot,
} from '../../src/core/goal-step.js'
import { mulberry32 } from '../../src/core/random.js'

const NOW = 1_800_000_000_000
const MINUTE = 60_000

const policy: GoalPolicy = {
  maxWorkers: 2,
  maxAttempts: 3,
  retryBaseMs: 30_000,
  retryMaxMs: 900_000,
  reviewRounds: 2,
  leaseMs: 60 * MINUTE,
  reportGraceMs: MINUTE,
}

const outputs = { developer: 'pr', tester: 'pr', architect: 'pr', reviewer: 'review' } as const

function bead(number: number, fields: Partial<Bead> = {}): Bead {
  return {
    id: `10/b${number}`,
    number,
    title: `Bead ${number}`,
    description: '',
    role: 'developer',
    status: 'pending',
    createdAt: NOW - 10 * MINUTE,
    updatedAt: NOW - 10 * MINUTE,
    goal: 10,
    key: `b${number}`,
    dependencies: [],
    attempt: 0,
    ...fields,
  }
}

function snapshot(beads: Bead[], extra: Partial<GoalSnapshot> = {}): GoalSnapshot {
  return {
    now: NOW,
    beads,
    issues: new Map(beads.map((b) => [b.number!, { state: 'open' as const, stateReason: null }])),
    pulls: new Map(),
    runs: new Map(),
    outputs,
    ...extra,
  }
}

const random = () => 0.5

function statuses(result: { beads: Bead[] }): Record<number, BeadStatus> {
  return Object.fromEntries(result.beads.map((b) => [b.number!, b.status]))
}

describe('goalStep', () => {
  it('readies and dispatches independent beads up to max_workers, longest critical path first', () => {
    // 1 and 2 are independent; 3 depends on 2, so 2 heads the longer path and goes first.
    const beads = [bead(1), bead(2), bead(3, { dependencies: [2] }), bead(4)]
    const result = goalStep(snapshot(beads), { ...policy, maxWorkers: 2 }, random)
    const dispatched = result.actions.filter((a) => a.kind === 'dispatch').map((a) => a.bead.number)
    expect(dispatched[0]).toBe(2)
    expect(dispatched).toHaveLength(2)
    expect(statuses(result)[3]).toBe('pending')
    const first = result.actions.find((a) => a.kind === 'dispatch')!
    expect(first.bead.attempt).toBe(1)
    expect(first.bead.assignedTo).toBeUndefined()
  })

  it('completes a bead whose PR was merged and dispatches its dependent at once', () => {
    const beads = [bead(1, { status: 'in_review', pr: 7, attempt: 1 }), bead(2, { dependencies: [1] })]
    const pulls = new Map<number, PullSnapshot>([[7, { state: 'closed', merged: true }]])
    // The merge closed the bead's issue too ("Closes #1"): that is not a person cancelling it.
    const issues = new Map([
      [1, { state: 'closed' as const, stateReason: 'completed' }],
      [2, { state: 'open' as const, stateReason: null }],
    ])
    const result = goalStep(snapshot(beads, { pulls, issues }), policy, random)
    expect(statuses(result)).toEqual({ 1: 'completed', 2: 'in_progress' })
    expect(result.actions.map((a) => a.kind)).toEqual(['update', 'dispatch'])
  })

  it('starts a reviewer once the PR it depends on is open, not merged', () => {
    const beads = [
      bead(1, { status: 'in_review', pr: 7, attempt: 1 }),
      bead(2, { role: 'reviewer', dependencies: [1] }),
    ]
    const pulls = new Map<number, PullSnapshot>([[7, { state: 'open', merged: false }]])
    const result = goalStep(snapshot(beads, { pulls }), policy, random)
    expect(statuses(result)[2]).toBe('in_progress')
  })

  it('cancels a bead a person closed and blocks its dependents', () => {
    const beads = [
      bead(1, { status: 'ready' }),
      bead(2, { dependencies: [1] }),
      bead(3, { dependencies: [2] }),
    ]
    const snap = snapshot(beads)
    ;(snap.issues as Map<number, { state: 'open' | 'closed'; stateReason: string | null }>).set(1, {
      state: 'closed',
      stateReason: 'not_planned',
    })
    const result = goalStep(snap, policy, random)
    expect(statuses(result)).toEqual({ 1: 'cancelled', 2: 'blocked', 3: 'blocked' })
    expect(result.actions.some((a) => a.kind === 'stuck')).toBe(true)
  })

  it('fails a bead whose PR was closed unmerged, asks a person, and blocks dependents', () => {
    const beads = [bead(1, { status: 'in_review', pr: 7, attempt: 1 }), bead(2, { dependencies: [1] })]
    const pulls = new Map<number, PullSnapshot>([[7, { state: 'closed', merged: false }]])
    const result = goalStep(snapshot(beads, { pulls }), policy, random)
    const failed = result.beads.find((b) => b.number === 1)!
    expect(failed.status).toBe('failed')
    expect(failed.needsHuman).toBe(true)
    expect(failed.error).toMatch(/closed without merging/)
    expect(statuses(result)[2]).toBe('blocked')
  })

  it('sends a bead back for fixes when changes were requested after it went into review', () => {
    const beads = [bead(1, { status: 'in_review', pr: 7, attempt: 1, updatedAt: NOW - 5 * MINUTE })]
    const pulls = new Map<number, PullSnapshot>([
      [7, { state: 'open', merged: false, changesRequestedAt: NOW - MINUTE, changesRequestedBy: 'alice' }],
    ])
    const result = goalStep(snapshot(beads, { pulls }), policy, random)
    const dispatched = result.actions.find((a) => a.kind === 'dispatch')
    expect(dispatched?.bead.round).toBe(1)
    expect(dispatched?.bead.attempt).toBe(2)
    expect(dispatched?.bead.pr).toBe(7)
  })

  it('ignores a request for changes older than the fixes already in review', () => {
    const beads = [bead(1, { status: 'in_review', pr: 7, attempt: 2, round: 1, updatedAt: NOW - MINUTE })]
    const pulls = new Map<number, PullSnapshot>([
      [7, { state: 'open', merged: false, changesRequestedAt: NOW - 5 * MINUTE }],
    ])
    const result = goalStep(snapshot(beads, { pulls }), policy, random)
    expect(result.actions).toEqual([])
  })

  it('asks a person once the review rounds run out', () => {
    const beads = [bead(1, { status: 'in_review', pr: 7, attempt: 3, round: 2, updatedAt: NOW - 5 * MINUTE })]
    const pulls = new Map<number, PullSnapshot>([
      [7, { state: 'open', merged: false, changesRequestedAt: NOW - MINUTE }],
    ])
    const result = goalStep(snapshot(beads, { pulls }), policy, random)
    expect(result.beads[0]!.status).toBe('in_review')
    expect(result.beads[0]!.needsHuman).toBe(true)
    expect(result.actions.map((a) => a.kind)).toContain('needs-human')
    // Asked once: the next step with the same facts says nothing more.
    const again = goalStep(snapshot(result.beads, { pulls }), policy, random)
    expect(again.actions.filter((a) => a.kind === 'needs-human')).toEqual([])
  })

  it('fails a bead whose run failed, backs off, then retries it as a new attempt', () => {
    const runs = new Map<string, RunSnapshot>([
      [
        '9001',
        { status: 'completed', conclusion: 'failure', updatedAt: NOW - 1000, htmlUrl: 'http://x/runs/9001' },
      ],
    ])
    const beads = [bead(1, { status: 'in_progress', attempt: 1, assignedTo: '9001' })]
    const first = goalStep(snapshot(beads, { runs }), policy, random)
    const failed = first.beads[0]!
    expect(failed.status).toBe('failed')
    expect(failed.failures).toBe(1)
    expect(failed.error).toMatch(/conclusion "failure"/)
    // Full jitter with random 0.5 over a 30 s base: 15 s.
    expect(failed.retryAt).toBe(NOW + 15_000)
    expect(first.actions).toContainEqual({ kind: 'wake', at: NOW + 15_000 })

    const later = goalStep({ ...snapshot(first.beads, { runs }), now: NOW + 15_000 }, policy, random)
    const retried = later.actions.find((a) => a.kind === 'dispatch')
    expect(retried?.bead.attempt).toBe(2)
    expect(retried?.bead.retryAt).toBeUndefined()
  })

  it('gives up after max attempts: needs a person, dependents blocked, goal stuck', () => {
    const beads = [
      bead(1, { status: 'failed', attempt: 3, failures: 3, error: 'tests failed' }),
      bead(2, { dependencies: [1] }),
    ]
    const result = goalStep(snapshot(beads), policy, random)
    expect(result.beads[0]!.needsHuman).toBe(true)
    expect(statuses(result)[2]).toBe('blocked')
    const kinds = result.actions.map((a) => a.kind)
    expect(kinds).toContain('needs-human')
    expect(kinds).toContain('stuck')
  })

  it('fails an in-progress bead with no live run once its lease expires, not before', () => {
    const fresh = [bead(1, { status: 'in_progress', attempt: 1, updatedAt: NOW - 30 * MINUTE })]
    expect(goalStep(snapshot(fresh), policy, random).actions).toEqual([])
    const stale = [bead(1, { status: 'in_progress', attempt: 1, updatedAt: NOW - 61 * MINUTE })]
    const result = goalStep(snapshot(stale), policy, random)
    expect(result.beads[0]!.status).toBe('failed')
    expect(result.beads[0]!.error).toMatch(/lease expired/)
  })

  it('fails a bead whose run succeeded without the worker reporting, after a grace period', () => {
    const beads = [bead(1, { status: 'in_progress', attempt: 1, assignedTo: '9001' })]
    const recent = new Map<string, RunSnapshot>([
      ['9001', { status: 'completed', conclusion: 'success', updatedAt: NOW - 1000, htmlUrl: 'u' }],
    ])
    expect(goalStep(snapshot(beads, { runs: recent }), policy, random).actions).toEqual([])
    const old = new Map<string, RunSnapshot>([
      ['9001', { status: 'completed', conclusion: 'success', updatedAt: NOW - 2 * MINUTE, htmlUrl: 'u' }],
    ])
    expect(goalStep(snapshot(beads, { runs: old }), policy, random).beads[0]!.status).toBe('failed')
  })

  it('closes the goal when every bead is completed or cancelled', () => {
    const beads = [bead(1, { status: 'completed' }), bead(2, { status: 'cancelled' })]
    expect(goalStep(snapshot(beads), policy, random).actions).toEqual([{ kind: 'close-goal' }])
  })

  it('respects per-role limits', () => {
    const beads = [bead(1), bead(2), bead(3, { role: 'tester' })]
    const result = goalStep(snapshot(beads), { ...policy, maxWorkers: 5, perRole: { developer: 1 } }, random)
    const dispatched = result.actions.filter((a) => a.kind === 'dispatch').map((a) => a.bead.number)
    expect(dispatched.sort()).toEqual([1, 3])
  })

  it('is idempotent: a second step on its own result with the same facts changes nothing', () => {
    const arbitraryBeads = fc
      .array(
        fc.record({
          status: fc.constantFrom(...BEAD_STATUSES),
          role: fc.constantFrom('developer', 'reviewer', 'tester'),
          deps: fc.array(fc.nat(9), { maxLength: 3 }),
          failures: fc.nat(4),
          attempt: fc.nat(4),
          needsHuman: fc.boolean(),
          pr: fc.option(fc.constantFrom(100, 101, 102), { nil: undefined }),
          rebases: fc.nat(4),
        }),
        { minLength: 1, maxLength: 10 },
      )
      .map((specs) =>
        specs.map((spec, index) =>
          bead(index + 1, {
            status: spec.status,
            role: spec.role,
            // Only earlier beads, so the graph has no cycle, as a validated plan never does.
            dependencies: [...new Set(spec.deps.filter((d) => d >= 1 && d < index + 1))],
            failures: spec.failures,
            attempt: spec.attempt,
            needsHuman: spec.needsHuman,
            rebases: spec.rebases,
            // Only beads that went through a worker can have a pull request.
            ...(spec.pr !== undefined &&
            ['in_progress', 'in_review', 'ready', 'failed', 'completed'].includes(spec.status)
              ? { pr: spec.pr }
              : {}),
          }),
        ),
      )
    const arbitraryPull = fc.record({
      state: fc.constantFrom('open' as const, 'closed' as const),
      merged: fc.boolean(),
      // Whether the PR merges with the default branch: a conflict sends the bead to a rebase attempt.
      mergeableState: fc.constantFrom('clean', 'behind', 'dirty', 'unknown'),
    })
    fc.assert(
      fc.property(
        arbitraryBeads,
        fc.array(arbitraryPull, { minLength: 3, maxLength: 3 }),
        fc.nat(8),
        (beads, prs, workers) => {
          const pulls = new Map(
            prs.map((p, i) => [100 + i, { ...p, merged: p.state === 'closed' && p.merged }]),
          )
          const limits = { ...policy, maxWorkers: workers }
          const first = goalStep(snapshot(beads, { pulls }), limits, mulberry32(1))
          const running = first.beads.filter((b) => b.status === 'in_progress').length
          const dispatched = first.actions.filter((a) => a.kind === 'dispatch').length
          const runningBefore = beads.filter((b) => b.status === 'in_progress').length
          // Dispatch fills free slots only (beads already running may exceed a limit lowered since).
          expect(dispatched).toBeLessThanOrEqual(Math.max(0, workers - (running - dispatched)))
          expect(running).toBeLessThanOrEqual(Math.max(workers, runningBefore))
          const second = goalStep(snapshot(first.beads, { pulls }), limits, mulberry32(1))
          expect(second.actions.filter((a) => a.kind === 'update' || a.kind === 'dispatch')).toEqual([])
        },
      ),
      { numRuns: 300 },
    )
  })
})

describe('goalStep and GitHub timestamps', () => {
  it('counts a review stamped in the same second as the move to in_review as after it', () => {
    const beads = [bead(1, { status: 'in_review', pr: 7, attempt: 1, updatedAt: NOW + 700 })]
    const pulls = new Map<number, PullSnapshot>([
      [7, { state: 'open', merged: false, changesRequestedAt: NOW }],
    ])
    const result = goalStep(snapshot(beads, { pulls }), policy, random)
    expect(result.actions.find((a) => a.kind === 'dispatch')?.bead.round).toBe(1)
  })
})
