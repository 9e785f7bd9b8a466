/**
 * What GitHub's limits leave a plan: a goal holds at most 100 sub-issues, closed ones included, so a plan
 * (or a replan, whose earlier beads stay linked) may have no more beads than the room left. And a goal
 * whose planning failed is not planned again by a sweep until a person comments `/gastown replan`: each
 * try would call the model again, and pay.
 */
import { findTag, formatTag } from '../core/bead-marker.js'
import type { GitHubApi, RepoRef } from '../github/client.js'
import type { CommentData } from '../github/comments.js'
import { listSubIssues } from '../github/sub-issues.js'

/** Sub-issues GitHub allows under one issue, closed ones included. */
// https://docs.github.com/en/issues/tracking-your-work-with-issues/using-issues/adding-sub-issues
export const SUB_ISSUE_CAP = 100

/**
 * The most beads a plan for `goal` may have, and a note for people when GitHub's cap is what limits it.
 * `known` is the goal's sub-issue count when the caller read it (the goal query does); else it is listed.
 */
export async function subIssueRoom(
  api: GitHubApi,
  repo: RepoRef,
  goal: number,
  maxBeads: number,
  known?: number,
): Promise<{ maxBeads: number; note: string }> {
  const linked = known ?? (await listSubIssues(api, repo, goal)).length
  const room = Math.max(0, SUB_ISSUE_CAP - linked)
  if (room >= maxBeads) return { maxBeads, note: '' }
  const held = linked > 0 ? `; this goal holds ${linked} already (closed ones count)` : ''
  const note =
    room === 0
      ? `**No room for another plan**: GitHub allows ${SUB_ISSUE_CAP} sub-issues under one issue${held}. Open a new goal for the rest of the work.`
      : `GitHub allows ${SUB_ISSUE_CAP} sub-issues under one issue${held}, so a plan for it may have at most ${room} beads (max_beads is ${maxBeads}). Split larger work into several goals.`
  return { maxBeads: room, note }
}

/** The hidden tag saying the Mayor stopped planning a goal until a person acts. */
export function planningStopTag(goal: number): string {
  return formatTag('planning-stopped', { goal })
}

/** Whether the Mayor's own comments on the goal say its planning stopped. */
export function planningStopped(comments: readonly CommentData[], goal: number, bot?: string): boolean {
  return comments.some(
    (c) =>
      (bot === undefined || c.user === bot) && findTag(c.body, 'planning-stopped', { goal }) !== undefined,
  )
}
