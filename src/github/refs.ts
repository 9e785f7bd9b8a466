/**
 * Git refs through the REST API. A claim is a ref that only one run can create: GitHub answers 422
 * "Reference already exists" to the second, which is what makes claims exclusive.
 */
import { repoName, statusOf, type GitHubApi, type RepoRef } from './client.js'
import { GitHubRefusal, isValidation } from './github-error.js'

/** The ref a worker creates to claim attempt `attempt` of bead `bead`. */
export function claimRef(bead: number, attempt: number): string {
  return `refs/gastown/claims/${bead}-${attempt}`
}

/**
 * Creates `ref` (a full ref, `refs/...`) at `sha`; `exists` when another run made it first. Any other
 * refusal (an unknown sha, a malformed name) throws GitHub's words.
 */
export async function createRef(
  api: GitHubApi,
  repo: RepoRef,
  ref: string,
  sha: string,
): Promise<'created' | 'exists'> {
  try {
    await api.request('POST /repos/{owner}/{repo}/git/refs', { ...repo, ref, sha })
    return 'created'
  } catch (error) {
    if (isValidation(error, /reference already exists/i)) return 'exists'
    if (statusOf(error) === 422) throw new GitHubRefusal(`create ${ref} in ${repoName(repo)}`, error)
    throw error
  }
}
