/**
 * Native links between issues: a bead is a sub-issue of its goal and blocked by its dependencies.
 * Both endpoints take the issue's global `id`, not its number.
 */
import { repoName, statusOf, type GitHubApi, type RepoRef } from './client.js'
import { GitHubRefusal, graphqlErrorsOf, isValidation } from './github-error.js'
import { issueFromNode } from './goal-query.js'
import { CREATE_SUB_ISSUE, type CreateSubIssueAnswer } from './graphql-operations.js'
import type { IssueData } from './issues.js'

/** The node ids GraphQL's `createIssue` takes, where REST takes names and numbers. */
export interface SubIssueTarget {
  repositoryId: string
  parentId: string
  labelIds: string[]
}

/**
 * Creates an issue with its labels as a sub-issue of `target.parentId`, in one request. Answers
 * 'unsupported' when GitHub's schema has no `parentIssueId` (an older GitHub Enterprise Server): the
 * caller creates and links by REST instead. GitHub's refusal of the input (no such label, the parent's
 * 100 sub-issues used up) throws a GitHubRefusal in its words, and nothing was made. `retries: 0` as for
 * REST's createIssue: a 5xx may hide a create that was applied.
 */
export async function createSubIssue(
  api: GitHubApi,
  repo: RepoRef,
  target: SubIssueTarget,
  issue: { title: string; body: string },
  options: { retries?: number } = {},
): Promise<IssueData | 'unsupported'> {
  try {
    const answer = await api.graphql<CreateSubIssueAnswer>(CREATE_SUB_ISSUE, {
      repository: target.repositoryId,
      parent: target.parentId,
      title: issue.title,
      body: issue.body,
      labels: target.labelIds,
      ...(options.retries === undefined ? {} : { request: { retries: options.retries } }),
    })
    const node = answer.createIssue?.issue
    if (!node) throw new Error(`GitHub created no issue for "${issue.title}" in ${repoName(repo)}`)
    return issueFromNode(node)
  } catch (error) {
    const errors = graphqlErrorsOf(error)
    if (!errors) throw error
    // A schema that lacks the argument refuses the document before running it, with no error type.
    if (errors.some((e) => e.type === undefined && /parentIssueId/.test(e.message ?? '')))
      return 'unsupported'
    throw new GitHubRefusal(`create the sub-issue "${issue.title}" in ${repoName(repo)}`, error)
  }
}

/**
 * Links `childId` under issue `parent`; linking twice is not an error. Any other refusal (the parent's
 * 100 sub-issues are used up, say) throws GitHub's words.
 */
export async function addSubIssue(
  api: GitHubApi,
  repo: RepoRef,
  parent: number,
  childId: number,
): Promise<'linked' | 'already'> {
  try {
    await api.request('POST /repos/{owner}/{repo}/issues/{issue_number}/sub_issues', {
      ...repo,
      issue_number: parent,
      sub_issue_id: childId,
    })
    return 'linked'
  } catch (error) {
    // GitHub answers 422 "... may not contain duplicate sub-issues" when it is already linked here.
    if (isValidation(error, /duplicate sub-issues/i)) return 'already'
    if (statusOf(error) === 422) {
      throw new GitHubRefusal(`link issue id ${childId} under #${parent} in ${repoName(repo)}`, error)
    }
    throw error
  }
}

/** Numbers and ids of the sub-issues of `parent`. */
export async function listSubIssues(
  api: GitHubApi,
  repo: RepoRef,
  parent: number,
): Promise<{ id: number; number: number }[]> {
  const found: { id: number; number: number }[] = []
  for (let page = 1; ; page += 1) {
    const { data } = await api.request('GET /repos/{owner}/{repo}/issues/{issue_number}/sub_issues', {
      ...repo,
      issue_number: parent,
      per_page: 100,
      page,
    })
    for (const issue of data) found.push({ id: Number(issue.id), number: issue.number })
    if (data.length < 100) return found
  }
}

/** Records that issue `number` is blocked by the issue whose id is `blockingId`; twice is not an error. */
export async function addBlockedBy(
  api: GitHubApi,
  repo: RepoRef,
  number: number,
  blockingId: number,
): Promise<'linked' | 'already'> {
  try {
    await api.request('POST /repos/{owner}/{repo}/issues/{issue_number}/dependencies/blocked_by', {
      ...repo,
      issue_number: number,
      issue_id: blockingId,
    })
    return 'linked'
  } catch (error) {
    if (isValidation(error, /already.exists/i)) return 'already'
    if (statusOf(error) === 422) {
      throw new GitHubRefusal(
        `record #${number} as blocked by issue id ${blockingId} in ${repoName(repo)}`,
        error,
      )
    }
    throw error
  }
}
