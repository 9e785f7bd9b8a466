/**
 * A pull request's mergeability, computed for real from the git host: a three-way merge of the base
 * branch's head and the PR's head in memory (`git merge-tree`), and whether the base moved on since.
 *
 * GitHub's REST pull request carries `mergeable` (true, false, or null while GitHub computes it in the
 * background) and `mergeable_state`, whose values the GraphQL `MergeStateStatus` enum documents:
 * `clean` (mergeable), `behind` ("the head ref is out of date"), `dirty` ("the merge commit cannot be
 * cleanly created"), `unknown` (not yet computed), among others
 * (https://docs.github.com/en/graphql/reference/enums#mergestatestatus and
 * https://docs.github.com/en/rest/guides/using-the-rest-api-to-interact-with-your-git-database#checking-mergeability-of-pull-requests).
 * GitHub reports `behind` when the repository asks for branches to be up to date before merging; the
 * emulator's repositories behave as if they did, so a PR whose base moved is `behind` until it is updated
 * (https://docs.github.com/en/repositories/configuring-branches-and-merges-in-your-repository/managing-protected-branches/about-protected-branches#require-status-checks-before-merging).
 * The emulator computes at once, so it never answers `null`/`unknown` for an open PR with both branches.
 */
import type { GitHost } from './contracts.js'
import type { IssueRecord } from './state.js'

/** `mergeable` and `mergeable_state` of a pull request. */
export interface Mergeability {
  mergeable: boolean | null
  state: 'clean' | 'behind' | 'dirty' | 'unknown'
}

/** The mergeability of an open pull request of `repo`; closed or merged ones are `unknown`. */
export async function mergeabilityOf(git: GitHost, repo: string, issue: IssueRecord): Promise<Mergeability> {
  const pull = issue.pull
  if (!pull || issue.state !== 'open' || pull.merged) return { mergeable: null, state: 'unknown' }
  const base = await git.resolveRef(repo, `refs/heads/${pull.baseRef}`)
  if (!base || !(await git.hasCommit(repo, pull.headSha))) return { mergeable: null, state: 'unknown' }
  if (!(await git.mergeable(repo, `refs/heads/${pull.baseRef}`, pull.headSha))) {
    return { mergeable: false, state: 'dirty' }
  }
  const upToDate = await git.isAncestor(repo, base, pull.headSha)
  return { mergeable: true, state: upToDate ? 'clean' : 'behind' }
}
