/**
 * Reads the beads of a goal back from GitHub: every issue labelled `gastown:bead` whose marker names it
 * and that the Mayor's own bot wrote. Anyone who may label an issue (a triage user) could otherwise hand
 * the Mayor a bead with any status, role or PR; such an issue is reported, never worked on.
 */
import type { Bead } from '../core/bead.js'
import { decodeBead, type DecodeBeadResult } from '../core/bead-codec.js'
import { BEAD_LABEL } from '../core/labels.js'
import type { GitHubApi, RepoRef } from '../github/client.js'
import { readGoalIssues, type LinkedPull } from '../github/goal-query.js'
import type { IssueData } from '../github/issues.js'

/** A bead with the issue that holds it. */
export interface BeadRecord {
  bead: Bead
  issue: IssueData
  decoded: Extract<DecodeBeadResult, { ok: true }>
  /** The pull requests that close the bead issue, read with it (absent when read another way). */
  pulls?: LinkedPull[]
}

/** The beads of one goal, and the bead issues it ignores: markers that cannot be read or were forged. */
export interface GoalBeads {
  beads: BeadRecord[]
  unreadable: { issue: number; message: string }[]
}

/**
 * Whose bead issues count: the Mayor's bot login, or null for no check, which only a reader that shows a
 * goal to a person (`gastown status`) may ask for, never code that acts on beads.
 */
export type BeadAuthor = string | null

/**
 * The beads of `goal`, by reading every bead issue. A bead issue without a readable marker, or written by
 * someone other than `author`, is reported, never guessed at; one that names another goal is skipped.
 */
export async function readGoalBeads(
  api: GitHubApi,
  repo: RepoRef,
  goal: number,
  author: BeadAuthor,
): Promise<GoalBeads> {
  const { beads } = await readGoalIssues(api, repo, { goal, label: BEAD_LABEL, withGoal: false })
  return withPulls(
    beadsOfGoal(
      beads.map((b) => b.issue),
      goal,
      author,
    ),
    beads,
  )
}

/** The goal issue and its beads, in one GraphQL round trip (per 100 bead issues of the repository). */
export async function readGoalAndBeads(
  api: GitHubApi,
  repo: RepoRef,
  goal: number,
  author: BeadAuthor,
): Promise<{ goalIssue: IssueData | null; goalSubIssues?: number; read: GoalBeads }> {
  const answer = await readGoalIssues(api, repo, { goal, label: BEAD_LABEL, withGoal: true })
  const read = withPulls(
    beadsOfGoal(
      answer.beads.map((b) => b.issue),
      goal,
      author,
    ),
    answer.beads,
  )
  return {
    goalIssue: answer.goal,
    ...(answer.goalSubIssues === undefined ? {} : { goalSubIssues: answer.goalSubIssues }),
    read,
  }
}

/** Hands each bead the pull requests read with its issue. */
function withPulls(read: GoalBeads, issues: { issue: IssueData; pulls: LinkedPull[] }[]): GoalBeads {
  const pulls = new Map(issues.map(({ issue, pulls }) => [issue.number, pulls]))
  for (const record of read.beads) record.pulls = pulls.get(record.issue.number) ?? []
  return read
}

/** Whether `author` (or anyone, for null) wrote the issue; logins compare without case, as GitHub's do. */
export function writtenBy(issue: Pick<IssueData, 'user'>, author: BeadAuthor): boolean {
  return author === null || issue.user?.toLowerCase() === author.toLowerCase()
}

/** The goal of a bead issue that `author` wrote, from its marker; undefined for any other issue. */
export function goalOfBeadIssue(issue: IssueData, author: BeadAuthor): number | undefined {
  if (!issue.labels.includes(BEAD_LABEL) || !writtenBy(issue, author)) return undefined
  const decoded = decodeBead(issue)
  return decoded.ok ? decoded.bead.goal : undefined
}

/** Sorts decoded issues into the beads of `goal` and the ones that claim to be its beads but cannot be. */
export function beadsOfGoal(issues: readonly IssueData[], goal: number, author: BeadAuthor): GoalBeads {
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
    if (!writtenBy(issue, author)) {
      result.unreadable.push({
        issue: issue.number,
        message: `its marker was written by ${issue.user ?? 'an unknown account'}, not by the Mayor (${author}); only bead issues the Mayor opened are planned, dispatched or counted`,
      })
      continue
    }
    result.beads.push({ bead: decoded.bead, issue, decoded })
  }
  result.beads.sort((a, b) => a.issue.number - b.issue.number)
  return result
}
