import { describe, expect, it } from 'vitest'
import type { Bead } from '../../src/core/bead.js'
import { mergeOrder, mergeReadiness, type MergeFacts } from '../../src/core/merge-readiness.js'
import { statusText } from '../../src/core/status-text.js'

function bead(number: number, fields: Partial<Bead> = {}): Bead {
  return {
    id: `1/b${number}`,
    number,
    title: `Bead ${number}`,
    description: '',
    role: 'developer',
    status: 'in_review',
    createdAt: 0,
    updatedAt: 0,
    goal: 1,
    key: `b${number}`,
    dependencies: [],
    attempt: 1,
    pr: 100 + number,
    ...fields,
  }
}

const outputOf = (role: string) => (role === 'reviewer' ? 'review' : 'pr') as 'pr' | 'review'
const clean: MergeFacts = { state: 'open', merged: false, mergeable: true, mergeableState: 'clean' }

describe('the merge lane order', () => {
  it('lands first the PR that the longest chain of work waits on, then the lower number', () => {
    // #2 blocks #4, which blocks #5: its merge unblocks the most. #1 and #3 block nothing.
    const beads = [
      bead(1),
      bead(2),
      bead(3),
      bead(4, { status: 'pending', dependencies: [2], pr: undefined }),
      bead(5, { status: 'pending', dependencies: [4], pr: undefined }),
    ]
    expect(mergeOrder(beads, outputOf).map((b) => b.number)).toEqual([2, 1, 3])
  })
})

describe('mergeReadiness', () => {
  it('is ready when clean, behind when the base moved, and waits for reviewers, changes, drafts and conflicts', () => {
    const developer = bead(1)
    const reviewer = bead(2, { role: 'reviewer', status: 'in_progress', dependencies: [1], pr: undefined })
    expect(mergeReadiness(developer, [developer], clean, outputOf)).toEqual({ kind: 'ready' })
    expect(mergeReadiness(developer, [developer], { ...clean, mergeableState: 'behind' }, outputOf)).toEqual({
      kind: 'behind',
    })
    expect(mergeReadiness(developer, [developer, reviewer], clean, outputOf)).toMatchObject({
      kind: 'waiting',
      reason: 'waits for the review of #2',
    })
    const reviewed = { ...clean, reviews: [{ state: 'COMMENTED', body: '**Changes requested** fix it' }] }
    expect(mergeReadiness(developer, [developer], reviewed, outputOf).kind).toBe('waiting')
    expect(mergeReadiness(developer, [developer], { ...clean, draft: true }, outputOf).kind).toBe('waiting')
    expect(
      mergeReadiness(
        developer,
        [developer],
        { ...clean, mergeable: false, mergeableState: 'dirty' },
        outputOf,
      ),
    ).toMatchObject({ kind: 'waiting', reason: 'PR #101 conflicts with main — rebasing' })
  })
})

describe('statusText', () => {
  it('says "conflicts with main — rebasing" or "needs a person", never just "in review" while a PR waits', () => {
    expect(statusText(bead(1, { status: 'in_progress', rebasing: true }))).toBe(
      'conflicts with main — rebasing',
    )
    expect(statusText(bead(1, { needsHuman: true }))).toBe('in review — needs a person')
    expect(statusText(bead(1), 'PR #101 waits for a person to merge it (merge: manual)')).toBe(
      'in review — PR #101 waits for a person to merge it (merge: manual)',
    )
  })
})
