/**
 * Native links between issues: a bead is a sub-issue of its goal and blocked by its dependencies.
 * Both endpoints take the issue's global `id`, not its number.
 */
import { repoName, statusOf, type GitHubApi, type RepoRef } from './client.js'
import { GitHubRefusal, isValidation } from './github-error.js'

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
