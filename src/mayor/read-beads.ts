/** Reads the beads of a goal back from GitHub: every issue labelled `gastown:bead` whose marker names it. */
import type { Bead } from '../core/bead.js'
import { decodeBead, type DecodeBeadResult } from '../core/bead-codec.js'
import { BEAD_LABEL } from '../core/labels.js'
import type { GitHubApi, RepoRef } from '../github/client.js'
import { listIssues, type IssueData } from '../github/issues.js'

/** A bead with the issue that holds it. */
export interface BeadRecord {
  bead: Bead
  issue: IssueData
  decoded: Extract<DecodeBeadResult, { ok: true }>
}

/** The beads of one goal, and the bead issues whose marker cannot be read. */
export interface GoalBeads {
  beads: BeadRecord[]
  unreadable: { issue: number; message: string }[]
}

/**
 * The beads of `goal`, by reading every bead issue. A bead issue without a readable marker is reported,
 * never guessed at; one that names another goal is skipped.
 */
export async function readGoalBeads(api: GitHubApi, repo: RepoRef, goal: number): Promise<GoalBeads> {
  const issues = await listIssues(api, repo, { labels: [BEAD_LABEL], state: 'all' })
  return beadsOfGoal(issues, goal)
}

/** Sorts decoded issues into the beads of `goal` and the unreadable ones that claim to be beads. */
export function beadsOfGoal(issues: readonly IssueData[], goal: number): GoalBeads {
  const result: GoalBeads = { beads: [], unreadable: [] }
  for (const issue of issues) {
    const decoded = decodeBead(issue)
    if (!decoded.ok) {
      // A marker that names no goal cannot be placed; it is reported on every goal of the repository
      // only when its text mentions this goal, so one broken issue does not spam every goal.
      if ((issue.body ?? '').includes(`"goal":${goal}`) || (issue.body ?? '').includes(`#${goal}`)) {
        result.unreadable.push({ issue: issue.number, message: decoded.error.message })
      }
      continue
    }
    if (decoded.bead.goal !== goal) continue
    result.beads.push({ bead: decoded.bead, issue, decoded })
  }
  result.beads.sort((a, b) => a.issue.number - b.issue.number)
  return result
}
