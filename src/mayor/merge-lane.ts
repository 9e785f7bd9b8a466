/**
 * The Refinery: under `merge: auto` the Mayor lands the goal's bead PRs itself, one merge at a time per
 * repository, the PR that most work waits on first. Each advance looks at every in-review bead's PR:
 * behind the default branch -> update-branch (so checks run on what would land); ready -> read its checks,
 * and merge the first whose checks passed; anything else -> say what it waits for. A PR that conflicts
 * goes back to a worker as a rebase attempt (core/pull-conflict.ts, in the goal step). Under `manual` the
 * same rules only say what each PR waits for. Level-triggered: a merge's webhooks bring the next advance,
 * which finds the other PRs behind or conflicting and moves them on.
 */
import type { Bead } from '../core/bead.js'
import type { PullSnapshot } from '../core/goal-step.js'
import { mergeOrder, mergeReadiness } from '../core/merge-readiness.js'
import type { BeadOutput } from '../core/scheduler.js'
import { readChecks } from '../github/checks.js'
import { statusOf } from '../github/client.js'
import { mergePull, updatePullBranch } from '../github/pulls.js'
import type { GoalScope } from './goal-scope.js'
import { MergeLanes } from './merge-lanes.js'

/** How often PRs whose checks are still running are looked at again (no event we receive tells). */
export const CHECKS_POLL_MS = 30_000

/** What the lane did and saw in one advance. */
export interface LaneResult {
  /** PRs merged now. */
  merged: number[]
  /** PRs brought up to date now. */
  updated: number[]
  /** Per bead number, what its PR waits for (for the progress comment and the stall report). */
  waits: Map<number, string>
  /** When to look again (checks still running). */
  wakeAt: number[]
}

/** Looks at the in-review PRs of the goal and, under `merge: auto`, updates and merges them. */
export async function landPulls(
  scope: GoalScope,
  beads: readonly Bead[],
  pulls: ReadonlyMap<number, PullSnapshot>,
): Promise<LaneResult> {
  const { api, repo, config, log } = scope
  const auto = config.merge === 'auto'
  const outputOf = (role: string): BeadOutput => scope.roles[role]?.output ?? 'pr'
  const result: LaneResult = { merged: [], updated: [], waits: new Map(), wakeAt: [] }
  const ready: { bead: Bead; sha: string }[] = []
  for (const bead of mergeOrder(beads, outputOf)) {
    const pull = pulls.get(bead.pr!)
    if (!pull) continue
    const readiness = mergeReadiness(bead, beads, pull, outputOf)
    if (readiness.kind === 'waiting') {
      result.waits.set(bead.number!, readiness.reason)
    } else if (!auto) {
      result.waits.set(
        bead.number!,
        readiness.kind === 'behind'
          ? `PR #${bead.pr} waits for a person to update its branch and merge it (merge: manual)`
          : `PR #${bead.pr} waits for a person to merge it (merge: manual)`,
      )
    } else if (readiness.kind === 'behind' && pull.headSha !== undefined) {
      try {
        await updatePullBranch(api, repo, bead.pr!, pull.headSha)
        result.updated.push(bead.pr!)
        log.info({ bead: bead.number, pr: bead.pr }, 'brought the PR up to date with the default branch')
      } catch (error) {
        // 422: the branch moved or conflicts now; the next advance reads it again.
        if (statusOf(error) !== 422) throw error
      }
      result.waits.set(bead.number!, `PR #${bead.pr} is being brought up to date with the default branch`)
    } else if (readiness.kind === 'ready' && pull.headSha !== undefined) {
      ready.push({ bead, sha: pull.headSha })
    }
  }
  if (!auto || ready.length === 0) return result

  const lanes = scope.lanes ?? new MergeLanes()
  await lanes.run(`${repo.owner}/${repo.repo}`, async () => {
    for (const { bead, sha } of ready) {
      const checks = await readChecks(api, repo, sha)
      if (checks.state === 'failure') {
        result.waits.set(bead.number!, `the checks of PR #${bead.pr} failed: ${checks.failing.join(', ')}`)
        continue
      }
      if (checks.state === 'pending') {
        result.waits.set(
          bead.number!,
          `the checks of PR #${bead.pr} are running: ${checks.pending.join(', ')}`,
        )
        result.wakeAt.push(scope.deps.now() + CHECKS_POLL_MS)
        continue
      }
      // One merge per advance: every other PR is behind after it, and the next advance updates them.
      if (result.merged.length > 0) {
        result.waits.set(bead.number!, `PR #${bead.pr} is next in the merge lane`)
        continue
      }
      try {
        await mergePull(api, repo, bead.pr!, { method: 'squash', sha, title: `${bead.title} (#${bead.pr})` })
        result.merged.push(bead.pr!)
        log.info({ bead: bead.number, pr: bead.pr }, 'merged the PR (merge: auto)')
      } catch (error) {
        // 405 not mergeable now, 409 head moved: GitHub's word is final; the next advance looks again.
        const status = statusOf(error)
        if (status !== 405 && status !== 409) throw error
        result.waits.set(
          bead.number!,
          `GitHub refused to merge PR #${bead.pr} (${status}); it is looked at again`,
        )
      }
    }
  })
  return result
}
