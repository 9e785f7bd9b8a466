/** The maintainer's merge rule: reviewed PRs once their reviewers completed without asking for changes. */
import { describe, expect, it } from 'vitest'
import type { Bead } from '../../../src/core/bead.js'
import { asksForChanges, pullsReadyToMerge } from '../../../src/sandbox/maintainer.js'
import type { PullView } from '../../../src/sandbox/repo-view.js'

const outputOf = (role: string) => (role === 'reviewer' ? ('review' as const) : ('pr' as const))

function bead(number: number, role: string, status: Bead['status'], extra: Partial<Bead> = {}): Bead {
  return {
    id: `1/b${number}`,
    number,
    title: `Bead ${number}`,
    description: '',
    role,
    status,
    createdAt: 0,
    updatedAt: 0,
    goal: 1,
    key: `b${number}`,
    dependencies: [],
    attempt: 1,
    ...extra,
  }
}

function pull(number: number, reviews: PullView['reviews'] = [], extra: Partial<PullView> = {}): PullView {
  return {
    number,
    title: `PR ${number}`,
    state: 'open',
    merged: false,
    mergedAt: null,
    mergedAtMs: null,
    headRef: `gastown/${number}`,
    user: 'github-actions[bot]',
    reviews,
    ...extra,
  }
}

const review = (state: string, body: string) => ({
  user: 'github-actions[bot]',
  state,
  body,
  submittedAt: '',
})

describe('pullsReadyToMerge', () => {
  it('merges a PR nobody reviews as soon as it is open', () => {
    const beads = [bead(2, 'developer', 'in_review', { pr: 9 })]
    expect(pullsReadyToMerge(beads, new Map([[9, pull(9)]]), outputOf)).toEqual([
      { pr: 9, bead: 2, reason: 'no bead reviews it' },
    ])
  })

  it('waits for every reviewer bead that depends on the PR to complete', () => {
    const pulls = new Map([[9, pull(9, [review('COMMENTED', 'Looks fine.')])]])
    const developer = bead(2, 'developer', 'in_review', { pr: 9 })
    const reviewing = bead(3, 'reviewer', 'in_progress', { dependencies: [2] })
    expect(pullsReadyToMerge([developer, reviewing], pulls, outputOf)).toEqual([])
    const done = { ...reviewing, status: 'completed' as const }
    expect(pullsReadyToMerge([developer, done], pulls, outputOf)).toEqual([
      { pr: 9, bead: 2, reason: 'reviewed by #3 without changes requested' },
    ])
  })

  it('never merges while the last review asks for changes, in GitHub’s state or the worker’s comment form', () => {
    const developer = bead(2, 'developer', 'in_review', { pr: 9 })
    const reviewer = bead(3, 'reviewer', 'completed', { dependencies: [2] })
    for (const last of [
      review('CHANGES_REQUESTED', 'Fix it.'),
      review('COMMENTED', '**Changes requested** (posted as a comment)\n\nFix it.'),
    ]) {
      const pulls = new Map([[9, pull(9, [review('COMMENTED', 'ok'), last])]])
      expect(pullsReadyToMerge([developer, reviewer], pulls, outputOf)).toEqual([])
    }
  })

  it('skips beads not in review, merged or closed PRs, and review beads themselves', () => {
    const beads = [
      bead(2, 'developer', 'in_progress', { pr: 9 }),
      bead(3, 'developer', 'in_review', { pr: 10 }),
      bead(4, 'developer', 'in_review', { pr: 11 }),
      bead(5, 'reviewer', 'in_review', { pr: 12 }),
    ]
    const pulls = new Map([
      [9, pull(9)],
      [10, pull(10, [], { merged: true, state: 'closed' })],
      [11, pull(11, [], { state: 'closed' })],
      [12, pull(12)],
    ])
    expect(pullsReadyToMerge(beads, pulls, outputOf)).toEqual([])
  })

  it('tells a change request from a comment', () => {
    expect(asksForChanges(review('CHANGES_REQUESTED', ''))).toBe(true)
    expect(asksForChanges(review('COMMENTED', '  **Changes requested** ...'))).toBe(true)
    expect(asksForChanges(review('COMMENTED', 'No **Changes requested** here.'))).toBe(false)
  })
})
