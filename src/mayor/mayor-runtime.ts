/**
 * The parts of a loaded Mayor that handlers, commands and the reconciler share: one value passed to
 * each instead of a closure that holds them all.
 */
import type { GitHubApi, RepoRef } from '../github/client.js'
import type { BotIdentity } from './bot-identity.js'
import type { FactsCache } from './facts-cache.js'
import type { GoalScope, ScopeShared } from './goal-scope.js'
import type { JobQueue } from './job-queue.js'
import type { MayorDeps, MayorLog } from './mayor-deps.js'
import type { MergeLanes } from './merge-lanes.js'
import { openScope } from './run-goal.js'
import type { WakeUps } from './wake-ups.js'

/** The Mayor's shared state and dependencies, once Probot has loaded it. */
export interface MayorRuntime {
  deps: MayorDeps
  log: MayorLog
  bot: BotIdentity
  facts: FactsCache
  lanes: MergeLanes
  jobs: JobQueue
  wakeUps: WakeUps
  /** The scope's shared parts: goal progress comments, known plans, the rate budget. */
  shared?: Omit<ScopeShared, 'lanes'>
}

/** Opens a goal's scope with the Mayor's shared parts; `fresh` trusts no cached fact (sweeps, commands). */
export async function openGoalScope(
  runtime: MayorRuntime,
  api: GitHubApi,
  repo: RepoRef,
  goal: number,
  fresh: boolean,
): Promise<GoalScope | undefined> {
  const { deps, log, facts, lanes } = runtime
  return openScope(api, repo, goal, deps, log, await runtime.bot.login(), facts, fresh, {
    lanes,
    ...runtime.shared,
  })
}
