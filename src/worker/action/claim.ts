/**
 * Claiming a bead's attempt (DESIGN.md, "Dispatch and claim"): a stale dispatch is refused before any
 * write; then the ref `refs/gastown/claims/<n>-<k>` is created, which GitHub lets only one run do.
 */
import type { Bead } from '../../core/bead.js'
import { isTerminal } from '../../core/bead-status.js'
import type { GitHubApi, RepoRef } from '../../github/client.js'
import { claimRef, createRef } from '../../github/refs.js'

/** Why a dispatch is stale, or undefined when the bead waits for exactly this attempt. */
export function staleReason(bead: Bead, attempt: number): string | undefined {
  const name = `bead #${bead.number ?? bead.id}`
  if (bead.attempt !== attempt) {
    return `${name} is at attempt ${bead.attempt}, not ${attempt}: this dispatch is stale`
  }
  if (isTerminal(bead.status)) return `${name} is ${bead.status}: there is nothing left to do`
  if (bead.status !== 'in_progress') {
    return `${name} is ${bead.status}, not in_progress: the Mayor moved it on after dispatching attempt ${attempt}`
  }
  return undefined
}

/** The outcome of a claim. */
export type ClaimResult =
  { kind: 'claimed'; ref: string } | { kind: 'stale'; reason: string } | { kind: 'elsewhere'; ref: string }

/**
 * Claims attempt `attempt` of `bead` at `sha` (the default branch's head). Writes nothing when the
 * dispatch is stale; answers `elsewhere` when another run created the claim first.
 */
export async function claimBead(
  api: GitHubApi,
  repo: RepoRef,
  bead: Bead,
  attempt: number,
  sha: string,
): Promise<ClaimResult> {
  const stale = staleReason(bead, attempt)
  if (stale !== undefined) return { kind: 'stale', reason: stale }
  const ref = claimRef(bead.number ?? 0, attempt)
  const created = await createRef(api, repo, ref, sha)
  return created === 'created' ? { kind: 'claimed', ref } : { kind: 'elsewhere', ref }
}
