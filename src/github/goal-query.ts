/**
 * A goal and every bead issue of its repository in one GraphQL round trip per 100 beads: each issue with
 * its body, labels and author, and the pull requests that close it with their state, mergeability, head
 * and reviews. It replaces a REST list of the bead issues plus a pull request and a review list per bead.
 * Beads are found by their label, not through the goal's sub-issues: the sub-issue link only mirrors the
 * marker, and a bead whose link was never made must still be found (or it would be created again).
 */
import type { GitHubApi, RepoRef } from './client.js'
import type { IssueData } from './issues.js'
import type { ReviewData } from './reviews.js'
import {
  GOAL_ISSUES_QUERY,
  type GoalIssuesAnswer,
  type IssueNode,
  type PullNode,
} from './graphql-operations.js'

/** A pull request that closes an issue, as the goal query read it. */
export interface LinkedPull {
  number: number
  state: 'open' | 'closed'
  merged: boolean
  /** null while GitHub computes it, as in REST. */
  mergeable: boolean | null
  /** REST's `mergeable_state` spelling of GraphQL's MergeStateStatus (`clean`, `behind`, `dirty`, …). */
  mergeableState: string
  headSha: string
  draft: boolean
  /** Its reviews, oldest first; undefined when they did not fit one page (read them by REST). */
  reviews: ReviewData[] | undefined
}

/** The goal issue (null when there is none) and every issue with the bead label, with their closing PRs. */
export interface GoalIssues {
  goal: IssueData | null
  /** How many sub-issues the goal holds, closed ones included (GitHub caps them at 100). */
  goalSubIssues?: number
  beads: { issue: IssueData; pulls: LinkedPull[] }[]
}

/**
 * The answer without the goal when the only error is that the goal is no issue (a pull request's number,
 * or none): the caller sees `goal: null`, as for a closed door, rather than a failed read of the beads.
 */
function withoutGoal(error: unknown): GoalIssuesAnswer {
  const { data, errors } = error as {
    data?: GoalIssuesAnswer
    errors?: { type?: string; path?: unknown[] }[]
  }
  const onlyGoal =
    data?.repository?.beads !== undefined &&
    (errors ?? []).length > 0 &&
    (errors ?? []).every((e) => e.type === 'NOT_FOUND' && e.path?.[1] === 'goal')
  if (!onlyGoal) throw error
  return { repository: { ...data.repository!, goal: null } }
}

/** An issue as GraphQL answers it, in REST's shape (IssueData). */
export function issueFromNode(node: IssueNode): IssueData {
  return {
    id: Number(node.fullDatabaseId),
    node_id: node.id,
    number: node.number,
    title: node.title,
    body: node.body,
    state: node.state === 'CLOSED' ? 'closed' : 'open',
    state_reason: node.stateReason?.toLowerCase() ?? null,
    labels: (node.labels?.nodes ?? []).map((label) => label.name),
    user: node.author?.login ?? null,
    html_url: node.url,
    created_at: node.createdAt,
    updated_at: node.updatedAt,
    closed_at: node.closedAt,
  }
}

function toPull(node: PullNode): LinkedPull {
  const reviews = node.reviews
  return {
    number: node.number,
    state: node.state === 'OPEN' ? 'open' : 'closed',
    merged: node.merged,
    mergeable: node.mergeable === 'UNKNOWN' ? null : node.mergeable === 'MERGEABLE',
    mergeableState: node.mergeStateStatus.toLowerCase(),
    headSha: node.headRefOid,
    draft: node.isDraft,
    reviews:
      reviews && !reviews.pageInfo.hasNextPage
        ? reviews.nodes.map((review) => ({
            id: Number(review.fullDatabaseId),
            user: review.author?.login ?? null,
            state: review.state,
            body: review.body,
            submitted_at: review.submittedAt,
          }))
        : undefined,
  }
}

/**
 * Every issue of `repo` labelled `label`, open and closed, page after page by cursor, and with `withGoal`
 * issue `goal` too (GitHub answers an error for a number that is no issue, so only a caller that knows the
 * goal exists asks). Pull requests are left out: GitHub's `issues` connection holds issues only.
 */
export async function readGoalIssues(
  api: GitHubApi,
  repo: RepoRef,
  { goal, label, withGoal }: { goal: number; label: string; withGoal: boolean },
): Promise<GoalIssues> {
  const result: GoalIssues = { goal: null, beads: [] }
  let after: string | null = null
  for (;;) {
    const answer: GoalIssuesAnswer = await api
      .graphql<GoalIssuesAnswer>(GOAL_ISSUES_QUERY, {
        owner: repo.owner,
        repo: repo.repo,
        goal,
        label,
        after,
        withGoal: withGoal && after === null,
      })
      .catch(withoutGoal)
    const repository = answer.repository
    if (!repository)
      throw new Error(`GitHub answered no repository ${repo.owner}/${repo.repo} to the goal query.`)
    if (repository.goal && after === null) {
      result.goal = issueFromNode(repository.goal)
      if (repository.goal.subIssuesSummary) result.goalSubIssues = repository.goal.subIssuesSummary.total
    }
    for (const node of repository.beads.nodes) {
      result.beads.push({
        issue: issueFromNode(node),
        pulls: (node.closedByPullRequestsReferences?.nodes ?? []).filter((pull) => pull !== null).map(toPull),
      })
    }
    if (!repository.beads.pageInfo.hasNextPage || !repository.beads.pageInfo.endCursor) return result
    after = repository.beads.pageInfo.endCursor
  }
}
