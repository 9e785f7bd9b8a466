/** Everything one piece of Mayor work on one goal needs, gathered once per job. */
import type { Config } from '../core/config.js'
import type { Role } from '../core/roles.js'
import type { GitHubApi, RepoRef } from '../github/client.js'
import type { ProjectBoard } from '../github/projects.js'
import type { RateBudget } from '../github/rate-budget.js'
import type { FactsCache } from './facts-cache.js'
import type { GoalMemory } from './goal-memory.js'
import type { MayorDeps, MayorLog } from './mayor-deps.js'
import type { MergeLanes } from './merge-lanes.js'
import type { KnownPlans } from './known-plans.js'
import type { ProgressComments } from './progress-comment.js'

/** A goal in a repository, with the client, config and roles to work on it. */
export interface GoalScope {
  api: GitHubApi
  repo: RepoRef
  goal: number
  log: MayorLog
  deps: MayorDeps
  config: Config
  roles: Record<string, Role>
  defaultBranch: string
  /** The repository's GraphQL id, for mutations (bead issues are created by GraphQL with it). */
  repositoryNodeId?: string
  /**
   * The app's bot login (`name[bot]`): its comments are the ones to edit, and only its bead issues and
   * plan comment are trusted (a scope is never opened without it).
   */
  bot: string
  /** The Projects v2 board, once found (null when the config names none). */
  board?: ProjectBoard | null
  /** Facts from webhooks, to spare reads. */
  facts: FactsCache
  /** True for the reconciler's sweeps: read everything from GitHub, trust no cached fact. */
  fresh: boolean
  /** The Mayor's merge lanes, one per repository (merge-lane.ts). */
  lanes?: MergeLanes
  /** The goal's progress comment, remembered and its edits coalesced (progress-comment.ts). */
  progress?: ProgressComments
  /** The plans this process posted or read, so a step need not list the goal's comments. */
  plans?: KnownPlans
  /** What GitHub said of the installation's rate limits: dispatch waits when it runs low. */
  budget?: RateBudget
  /** What this process last knew of its goals, for dispatching on a merge (dispatch-on-merge.ts). */
  memory?: GoalMemory
}

/** The Mayor's shared parts a scope carries besides the goal's own facts. */
export type ScopeShared = Pick<GoalScope, 'lanes' | 'progress' | 'plans' | 'budget' | 'memory'>
