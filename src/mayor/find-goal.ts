/** Finds the goal a bead issue or a worker run belongs to, trusting only bead issues our bot wrote. */
import { decodeBead } from '../core/bead-codec.js'
import { BEAD_LABEL } from '../core/labels.js'
import type { GitHubApi, RepoRef } from '../github/client.js'
import { getIssue, listIssues } from '../github/issues.js'
import type { BotIdentity } from './bot-identity.js'
import type { FactsCache } from './facts-cache.js'
import { goalOfBeadIssue, writtenBy } from './read-beads.js'

/**
 * The goal a bead issue belongs to, read from its marker (undefined when it is no readable bead), or from
 * `facts` when a step read that marker already: an event after a merge routes to its goal without a read.
 */
export async function goalOfBead(
  bot: BotIdentity,
  api: GitHubApi,
  repo: RepoRef,
  bead: number,
  facts?: FactsCache,
): Promise<number | undefined> {
  return (
    facts?.beadGoal(repo, bead) ?? goalOfBeadIssue(await getIssue(api, repo, bead), (await bot.login()) ?? '')
  )
}

/**
 * The goal of the bead a run was dispatched for: for a worker workflow without our `run-name`, whose
 * runs carry no bead number. From the dispatch this process made or a marker a step read, else found by
 * the run id in the open bead issues' markers.
 */
export async function goalOfRun(
  bot: BotIdentity,
  api: GitHubApi,
  repo: RepoRef,
  runId: string,
  facts?: FactsCache,
): Promise<number | undefined> {
  const bead = facts?.runBead(repo, runId)
  if (bead !== undefined) return goalOfBead(bot, api, repo, bead, facts)
  const author = (await bot.login()) ?? ''
  for (const issue of await listIssues(api, repo, { labels: [BEAD_LABEL], state: 'open' })) {
    const decoded = decodeBead(issue)
    if (decoded.ok && decoded.bead.assignedTo === runId && writtenBy(issue, author)) return decoded.bead.goal
  }
  return undefined
}
