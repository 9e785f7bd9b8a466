/**
 * The maintainer the sandbox plays under `merge: manual`: which worker pull requests are ready to merge. A PR that a reviewer
 * bead reviews is merged once every such reviewer completed without its last word asking for changes;
 * a PR nobody reviews is merged as soon as it is open.
 */
import type { Bead } from '../core/bead.js'
import { asksForChanges, reviewersOf } from '../core/merge-readiness.js'
import type { BeadOutput } from '../core/scheduler.js'
import type { PullView } from './repo-view.js'

/** A pull request the maintainer would merge now, and why. */
export interface MergeCandidate {
  pr: number
  bead: number
  reason: string
}

export { asksForChanges }

/** The pull requests ready to merge, in bead order. */
export function pullsReadyToMerge(
  beads: readonly Bead[],
  pulls: ReadonlyMap<number, PullView>,
  outputOf: (role: string) => BeadOutput,
): MergeCandidate[] {
  const candidates: MergeCandidate[] = []
  for (const bead of [...beads].sort((a, b) => (a.number ?? 0) - (b.number ?? 0))) {
    if (bead.status !== 'in_review' || bead.pr === undefined || outputOf(bead.role) !== 'pr') continue
    // A person leaves alone what the Mayor handed to a person or sent back for a rebase.
    if (bead.needsHuman === true || bead.rebasing === true) continue
    const pull = pulls.get(bead.pr)
    if (pull === undefined || pull.state !== 'open' || pull.merged) continue
    const reviewers = reviewersOf(bead, beads, outputOf)
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
