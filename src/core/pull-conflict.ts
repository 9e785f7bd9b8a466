/**
 * What a bead's open pull request that conflicts with the default branch calls for: a rebase attempt
 * (the bead goes back to a worker, which merges the default branch into its branch and resolves the
 * conflicts on the same PR), or, once the attempts ran out, a person. Also when GitHub has not yet
 * computed whether the PR merges: look again shortly.
 */
import type { Bead } from './bead.js'

/** How GitHub describes a pull request's mergeability (REST `mergeable` and `mergeable_state`). */
export interface Mergeability {
  /** null while GitHub computes it in the background after the base or head moved. */
  mergeable?: boolean | null
  /** `clean`, `behind`, `dirty`, `blocked`, `unstable`, `unknown`, `draft`, `has_hooks`. */
  mergeableState?: string
}

/** What to do about the mergeability of an in-review bead's open PR. */
export type ConflictMove =
  | { kind: 'rebase'; extra: Partial<Bead>; reason: string }
  | { kind: 'needs-human'; reason: string }
  | { kind: 'look-again'; afterMs: number }
  | undefined

/** How soon to read a PR again whose mergeability GitHub is still computing. */
export const MERGEABILITY_POLL_MS = 5_000

/** Whether the PR conflicts with its base: GitHub's `dirty`, or `mergeable: false`. */
export function conflicts(pull: Mergeability): boolean {
  return pull.mergeableState === 'dirty' || pull.mergeable === false
}

/** The paths that conflicted last, for messages: `README.md, src/app.js`, or a hint when unknown. */
export function conflictPaths(bead: Bead): string {
  const paths = bead.conflicts ?? []
  return paths.length === 0
    ? 'the paths are not known yet (no rebase attempt reported them)'
    : paths.map((path) => `\`${path}\``).join(', ')
}

/**
 * Decides for an in-review bead whose PR is open and asks for no changes. `maxAttempts` bounds the
 * rebase attempts, counted apart from failed attempts: a conflict is nobody's failure.
 */
export function conflictMove(bead: Bead, pull: Mergeability, maxAttempts: number): ConflictMove {
  // A bead that waits for a person (review rounds or rebases ran out) is theirs until they retry it.
  if (bead.needsHuman === true) return undefined
  if (conflicts(pull)) {
    const rebases = bead.rebases ?? 0
    if (rebases < maxAttempts) {
      return {
        kind: 'rebase',
        extra: { rebases: rebases + 1, rebasing: true },
        reason: `PR #${bead.pr} conflicts with the default branch — rebasing (attempt ${rebases + 1} of ${maxAttempts})`,
      }
    }
    return {
      kind: 'needs-human',
      reason: `PR #${bead.pr} still conflicts with the default branch after ${rebases} rebase attempts, the limit (max_attempts); conflicting paths: ${conflictPaths(bead)}. Resolve the conflicts on the PR's branch, or close the PR and comment \`/gastown retry\``,
    }
  }
  if (pull.mergeable === null || pull.mergeableState === 'unknown') {
    return { kind: 'look-again', afterMs: MERGEABILITY_POLL_MS }
  }
  return undefined
}
