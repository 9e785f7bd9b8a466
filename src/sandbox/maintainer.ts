/**
 * The maintainer the sandbox plays: which worker pull requests are ready to merge. A PR that a reviewer
 * bead reviews is merged once every such reviewer completed without its last word asking for changes;
 * a PR nobody reviews is merged as soon as it is open.
 */
import type { Bead } from '../core/bead.js'
import type { BeadOutput } from '../core/scheduler.js'
import type { PullView } from './repo-view.js'

/** A pull request the maintainer would merge now, and why. */
export interface MergeCandidate {
  pr: number
  bead: number
  reason: string
}

/** Whether a review asks for changes: GitHub's state, or the worker's comment fallback for its own PRs. */
export function asksForChanges(review: { state: string; body: string }): boolean {
  return review.state === 'CHANGES_REQUESTED' || review.body.trimStart().startsWith('**Changes requested**')
}

/** The pull requests ready to merge, in bead order. */
export function pullsReadyToMerge(
  beads: readonly Bead[],
  pulls: ReadonlyMap<number, PullView>,
  outputOf: (role: string) => BeadOutput,
): MergeCandidate[] {
  const candidates: MergeCandidate[] = []
  for (const bead of [...beads].sort((a, b) => (a.number ?? 0) - (b.number ?? 0))) {
    if (bead.status !== 'in_review' || bead.pr === undefined || outputOf(bead.role) !== 'pr') continue
    const pull = pulls.get(bead.pr)
    if (pull === undefined || pull.state !== 'open' || pull.merged) continue
    const reviewers = beads.filter(
      (other) =>
        outputOf(other.role) === 'review' &&
        other.status !== 'cancelled' &&
        bead.number !== undefined &&
        other.dependencies.includes(bead.number),
    )
    if (reviewers.length === 0) {
      candidates.push({ pr: bead.pr, bead: bead.number!, reason: 'no bead reviews it' })
      continue
    }
    if (!reviewers.every((reviewer) => reviewer.status === 'completed')) continue
    const last = pull.reviews.at(-1)
    if (last !== undefined && asksForChanges(last)) continue
    candidates.push({
      pr: bead.pr,
      bead: bead.number!,
      reason: `reviewed by ${reviewers.map((reviewer) => `#${reviewer.number}`).join(', ')} without changes requested`,
    })
  }
  return candidates
}
