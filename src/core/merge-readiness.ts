/**
 * Whether a bead's pull request may merge, and if not what it waits for: the rules the Mayor applies
 * under `merge: auto` and that the sandbox's maintainer applies as a person would under `manual`
 * (DESIGN.md, "Merging (the Refinery)"). Pure: the caller reads the PR, its reviews and its checks.
 */
import type { Bead } from './bead.js'
import { conflicts, type Mergeability } from './pull-conflict.js'
import { remainingCriticalPaths, type BeadOutput, type SchedulerBead } from './scheduler.js'

/** What the rules read of a pull request. */
export interface MergeFacts extends Mergeability {
  state: 'open' | 'closed'
  merged: boolean
  draft?: boolean
  /** Its reviews, oldest first. */
  reviews?: readonly { state: string; body: string }[]
}

/** Where a bead's PR stands on its way to the default branch. */
export type MergeReadiness =
  /** Up to date, reviewed, mergeable: merge once the checks on its head pass. */
  | { kind: 'ready' }
  /** Mergeable but the default branch moved on: bring the branch up to date first. */
  | { kind: 'behind' }
  /** Waits for something: `reason` says what, for the goal's progress. */
  | { kind: 'waiting'; reason: string }

/** Whether a review asks for changes: GitHub's state, or the worker's comment fallback on its own PRs. */
export function asksForChanges(review: { state: string; body: string }): boolean {
  return review.state === 'CHANGES_REQUESTED' || review.body.trimStart().startsWith('**Changes requested**')
}

/** The reviewer beads that look at `bead`'s PR (review roles that depend on it), not cancelled. */
export function reviewersOf(
  bead: Bead,
  beads: readonly Bead[],
  outputOf: (role: string) => BeadOutput,
): Bead[] {
  return beads.filter(
    (other) =>
      outputOf(other.role) === 'review' &&
      other.status !== 'cancelled' &&
      bead.number !== undefined &&
      other.dependencies.includes(bead.number),
  )
}

/** Where the PR of an in-review code bead stands. */
export function mergeReadiness(
  bead: Bead,
  beads: readonly Bead[],
  pull: MergeFacts,
  outputOf: (role: string) => BeadOutput,
): MergeReadiness {
  if (pull.state !== 'open' || pull.merged) return { kind: 'waiting', reason: 'its PR is not open' }
  if (bead.needsHuman === true) return { kind: 'waiting', reason: 'needs a person' }
  if (pull.draft === true) return { kind: 'waiting', reason: `PR #${bead.pr} is a draft` }
  const reviewers = reviewersOf(bead, beads, outputOf)
  const reviewing = reviewers.filter((reviewer) => reviewer.status !== 'completed')
  if (reviewing.length > 0) {
    return {
      kind: 'waiting',
      reason: `waits for the review of ${reviewing.map((r) => `#${r.number}`).join(', ')}`,
    }
  }
  const last = pull.reviews?.at(-1)
  if (last !== undefined && asksForChanges(last)) {
    return { kind: 'waiting', reason: `changes were requested on PR #${bead.pr}` }
  }
  if (conflicts(pull)) return { kind: 'waiting', reason: `PR #${bead.pr} conflicts with main — rebasing` }
  if (pull.mergeable === null || pull.mergeable === undefined || pull.mergeableState === 'unknown') {
    return { kind: 'waiting', reason: `GitHub is still computing whether PR #${bead.pr} merges` }
  }
  if (pull.mergeableState === 'behind') return { kind: 'behind' }
  return { kind: 'ready' }
}

/**
 * In-review code beads in the order their PRs should land: the longest chain of work waiting on the
 * merge first (the beads that depend on it), then the lower issue number.
 */
export function mergeOrder(beads: readonly Bead[], outputOf: (role: string) => BeadOutput): Bead[] {
  const scheduler: SchedulerBead[] = beads
    .filter((bead) => bead.number !== undefined)
    .map((bead) => ({
      id: bead.number!,
      role: bead.role,
      output: outputOf(bead.role),
      status: bead.status,
      deps: bead.dependencies,
      attempt: bead.attempt,
      ...(bead.needsHuman ? { needsHuman: true } : {}),
    }))
  let paths: Map<number, number>
  try {
    paths = remainingCriticalPaths(scheduler)
  } catch {
    paths = new Map()
  }
  const waiting = (bead: Bead) =>
    Math.max(
      0,
      ...beads
        .filter((other) => other.number !== undefined && other.dependencies.includes(bead.number!))
        .map((other) => paths.get(other.number!) ?? 0),
    )
  return beads
    .filter((bead) => bead.status === 'in_review' && bead.pr !== undefined && outputOf(bead.role) === 'pr')
    .sort((a, b) => waiting(b) - waiting(a) || a.number! - b.number!)
}
