/** The checks on a commit: commit statuses (other CI services) and check runs (GitHub Actions CI). */
import type { GitHubApi, RepoRef } from './client.js'

/** What the checks on a commit say together. */
export interface ChecksVerdict {
  /** `success` when every check passed or none is configured; `pending` while any runs; else `failure`. */
  state: 'success' | 'pending' | 'failure'
  /** Names of the checks that failed. */
  failing: string[]
  /** Names of the checks still running. */
  pending: string[]
}

const PASSING_CONCLUSIONS = new Set(['success', 'neutral', 'skipped'])

/**
 * Reads the combined status and the check runs of `sha`. GitHub's combined state is `pending` when no
 * status exists at all, so a repository without statuses counts as passing here
 * (https://docs.github.com/en/rest/commits/statuses#get-the-combined-status-for-a-specific-reference).
 */
export async function readChecks(api: GitHubApi, repo: RepoRef, sha: string): Promise<ChecksVerdict> {
  const [combined, runs] = await Promise.all([
    api.request('GET /repos/{owner}/{repo}/commits/{ref}/status', { ...repo, ref: sha, per_page: 100 }),
    api.request('GET /repos/{owner}/{repo}/commits/{ref}/check-runs', { ...repo, ref: sha, per_page: 100 }),
  ])
  const failing: string[] = []
  const pending: string[] = []
  for (const status of combined.data.statuses) {
    if (status.state === 'pending') pending.push(status.context)
    else if (status.state !== 'success') failing.push(status.context)
  }
  for (const run of runs.data.check_runs) {
    if (run.status !== 'completed') pending.push(run.name)
    else if (!PASSING_CONCLUSIONS.has(run.conclusion ?? '')) failing.push(run.name)
  }
  const state = failing.length > 0 ? 'failure' : pending.length > 0 ? 'pending' : 'success'
  return { state, failing, pending }
}
