/**
 * Reading a bead from its issue and writing it back: one read, and one PATCH that sets body, labels and
 * state together. Ticks of the dependency task list that the Mayor made are kept.
 */
import type { Bead } from '../../core/bead.js'
import { decodeBead, encodeBead, type BeadIssue } from '../../core/bead-codec.js'
import { isBeadLabel } from '../../core/labels.js'
import type { GitHubApi, RepoRef } from '../../github/client.js'
import { getIssue, updateIssue, type IssueData } from '../../github/issues.js'

/** A bead as its issue holds it, with the issue it came from. */
export interface LoadedBead {
  bead: Bead
  issue: IssueData
}

/** A bead issue whose marker is missing or unreadable: the worker must not guess. */
export class BeadIssueError extends Error {
  override readonly name = 'BeadIssueError'
}

function toBeadIssue(issue: IssueData): BeadIssue {
  return {
    number: issue.number,
    title: issue.title,
    body: issue.body,
    labels: issue.labels,
    state: issue.state,
    state_reason: issue.state_reason,
    created_at: issue.created_at,
    updated_at: issue.updated_at,
  }
}

/**
 * Reads and decodes the bead of issue `number` (the reload before a save); throws BeadIssueError as
 * beadFromIssue does.
 */
export async function loadBead(
  api: GitHubApi,
  repo: RepoRef,
  number: number,
  author: string,
): Promise<LoadedBead> {
  return beadFromIssue(await getIssue(api, repo, number), author)
}

/**
 * Decodes the bead an issue holds; throws BeadIssueError when it holds none, or when the issue was not
 * opened by `author`, the Mayor that dispatched this run. Anyone who may label an issue (a triage user)
 * could otherwise hand the worker, and its write token, a bead of their own making.
 */
export function beadFromIssue(issue: IssueData, author: string): LoadedBead {
  const number = issue.number
  if (issue.user?.toLowerCase() !== author.toLowerCase()) {
    throw new BeadIssueError(
      `issue #${number} (${issue.html_url}) was opened by ${issue.user ?? 'an unknown account'}, not by ${author}, who dispatched this run: the worker works only on beads its dispatcher (the Mayor) wrote, and changed nothing. To run a bead again, comment \`/gastown retry #${number}\` on its goal.`,
    )
  }
  const decoded = decodeBead(toBeadIssue(issue))
  if (!decoded.ok) {
    throw new BeadIssueError(
      `${decoded.error.message} (issue ${issue.html_url}). The worker changes nothing on an issue it cannot read.`,
    )
  }
  return { bead: decoded.bead, issue }
}

/** The error for a bead number that is no issue of the repository. */
export function missingBeadError(number: number, repo: RepoRef): BeadIssueError {
  return new BeadIssueError(
    `${repo.owner}/${repo.repo} has no issue #${number} (it was deleted or transferred, or the number is a pull request's): the worker changed nothing. Dispatch the worker with the number of a bead issue.`,
  )
}

/** The dependencies ticked in a body's task list. */
export function tickedDependencies(body: string): Set<number> {
  return new Set(
    [...body.matchAll(/^[ \t]*[-*+][ \t]+\[[xX]\][ \t]+#(\d+)\b/gm)].map((match) => Number(match[1])),
  )
}

/**
 * Writes a bead to its issue in one request. The previous issue tells which ticks to keep and which
 * labels are people's own (a PATCH with labels replaces them all, so those are sent again).
 */
export async function saveBead(
  api: GitHubApi,
  repo: RepoRef,
  bead: Bead,
  previous: Pick<IssueData, 'body' | 'labels'>,
): Promise<IssueData> {
  if (bead.number === undefined) throw new Error(`bead ${bead.id} has no issue number to save to`)
  const encoded = encodeBead(bead, { doneDeps: tickedDependencies(previous.body) })
  const own = previous.labels.filter((label) => !isBeadLabel(label))
  return updateIssue(api, repo, bead.number, {
    body: encoded.body,
    labels: [...own, ...encoded.labels],
    state: encoded.state,
    ...(encoded.state === 'closed' ? { state_reason: encoded.stateReason } : {}),
  })
}
