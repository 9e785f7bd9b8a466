/** What follows when a branch moves (a push or a ref update): open pull requests on it are synchronized. */
import type { RepoRecord } from '../state.js'
import { emitIssueEvent } from './issue-changes.js'
import type { Services } from './route-context.js'

const zeroSha = '0000000000000000000000000000000000000000'

/** Updates the head of every open pull request from `branch` and sends pull_request.synchronize. */
export async function onBranchMoved(
  services: Services,
  repo: RepoRecord,
  branch: string,
  before: string,
  after: string,
  sender: string,
): Promise<void> {
  repo.pushedAt = services.state.timestamp()
  if (after === zeroSha) return
  for (const issue of services.state.issuesOf(repo.fullName)) {
    if (!issue.pull || issue.state !== 'open' || issue.pull.headRef !== branch) continue
    issue.pull.headSha = after
    issue.updatedAt = services.state.timestamp()
    await emitIssueEvent(services, repo, issue, 'synchronize', sender, { before, after })
  }
}
