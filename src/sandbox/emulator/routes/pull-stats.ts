/** A pull request's diff statistics and mergeability, read from the git host. */
import { mergeabilityOf } from '../mergeability.js'
import type { PullStats } from '../shapes.js'
import type { IssueRecord, RepoRecord } from '../state.js'
import type { Services } from './route-context.js'

/** Additions, deletions, files, commits and mergeability of an open pull request (zeros without a git host). */
export async function pullStats(
  services: Services,
  repo: RepoRecord,
  issue: IssueRecord,
): Promise<PullStats> {
  const pull = issue.pull
  const git = services.git
  if (!pull || !git) return { additions: 0, deletions: 0, changedFiles: 0, commits: 0, mergeable: null }
  const base = pull.merged ? pull.baseSha : pull.baseRef
  const head = pull.headSha
  try {
    const comparison = await git.compare(repo.fullName, pull.merged ? base : `refs/heads/${base}`, head)
    const { mergeable, state } = await mergeabilityOf(git, repo.fullName, issue)
    return {
      mergeableState: state,
      additions: comparison.files.reduce((n, f) => n + f.additions, 0),
      deletions: comparison.files.reduce((n, f) => n + f.deletions, 0),
      changedFiles: comparison.files.length,
      commits: comparison.commits.length,
      mergeable,
    }
  } catch {
    // A head branch deleted after merge has nothing left to compare.
    return { additions: 0, deletions: 0, changedFiles: 0, commits: 0, mergeable: null }
  }
}
