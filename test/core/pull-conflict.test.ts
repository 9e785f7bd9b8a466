import { describe, expect, it } from 'vitest'
import type { Bead } from '../../src/core/bead.js'
import { goalStep, type GoalPolicy, type GoalSnapshot, type PullSnapshot } from '../../src/core/goal-step.js'

const NOW = 1_800_000_000_000

const policy: GoalPolicy = {
  maxWorkers: 3,
  maxAttempts: 2,
  retryBaseMs: 1_000,
  retryMaxMs: 5_000,
  reviewRounds: 2,
  leaseMs: 3_600_000,
}

function bead(number: number, fields: Partial<Bead> = {}): Bead {
  return {
    id: `1/b${number}`,
    number,
    title: `Bead ${number}`,
    description: '',
    role: 'developer',
    status: 'in_review',
    createdAt: NOW - 60_000,
    updatedAt: NOW - 60_000,
    goal: 1,
    key: `b${number}`,
    dependencies: [],
    attempt: 1,
    pr: 100 + number,
    ...fields,
  }
}

function step(beads: Bead[], pulls: [number, PullSnapshot][]) {
  const snapshot: GoalSnapshot = {
    now: NOW,
    beads,
    issues: new Map(beads.map((b) => [b.number!, { state: 'open' as const, stateReason: null }])),
    pulls: new Map(pulls),
    runs: new Map(),
    outputs: { developer: 'pr' },
  }
  return goalStep(snapshot, policy, () => 0.5)
}

const dirty: PullSnapshot = { state: 'open', merged: false, mergeable: false, mergeableState: 'dirty' }

describe('a bead whose PR conflicts with the default branch', () => {
  it('goes back to a worker as a rebase attempt on the same PR, counted apart from failures', () => {
    const result = step([bead(1)], [[101, dirty]])
    const dispatch = result.actions.find((a) => a.kind === 'dispatch')
    expect(dispatch?.bead).toMatchObject({
      status: 'in_progress',
      attempt: 2,
      pr: 101,
      rebases: 1,
      rebasing: true,
    })
    expect(dispatch?.bead.failures).toBeUndefined()
  })

  it('asks a person after max_attempts rebase attempts, naming the conflicting paths', () => {
    const result = step(
      [bead(1, { rebases: 2, conflicts: ['README.md', 'src/features.js'] })],
      [[101, dirty]],
    )
    const needs = result.actions.find((a) => a.kind === 'needs-human')
    expect(needs?.reason).toMatch(/after 2 rebase attempts/)
    expect(needs?.reason).toContain('`README.md`, `src/features.js`')
    expect(result.beads[0]).toMatchObject({ status: 'in_review', needsHuman: true })
    expect(result.actions.some((a) => a.kind === 'dispatch')).toBe(false)
  })

  it('looks again shortly while GitHub computes mergeability, and leaves a clean or behind PR in review', () => {
    const unknown = step([bead(1)], [[101, { state: 'open', merged: false, mergeable: null }]])
    expect(unknown.actions).toEqual([{ kind: 'wake', at: NOW + 5_000 }])
    for (const mergeableState of ['clean', 'behind']) {
      const result = step(
        [bead(1)],
        [[101, { state: 'open', merged: false, mergeable: true, mergeableState }]],
      )
      expect(result.actions).toEqual([])
    }
  })
})
