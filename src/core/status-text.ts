/**
 * A bead's status as people read it on the goal and the board: the status word, made precise where the
 * word alone would mislead. A bead whose PR conflicts with the default branch is "conflicts with main —
 * rebasing", one that waits for a person says so, and an in-review PR says what it waits for: never just
 * "in review" while nothing would happen without someone.
 */
import type { Bead } from './bead.js'

/** The text for a bead's status; `wait` is what its PR waits for, when the merge lane said. */
export function statusText(bead: Bead, wait?: string): string {
  if (bead.needsHuman === true) return `${bead.status.replace('_', ' ')} — needs a person`
  if (bead.rebasing === true && (bead.status === 'ready' || bead.status === 'in_progress')) {
    return 'conflicts with main — rebasing'
  }
  if (bead.status === 'in_review' && wait !== undefined) return `in review — ${wait}`
  return bead.status.replace('_', ' ')
}
