/**
 * The reconciler: a sweep over every open goal of every repository of every installation, at start and
 * periodically. Handlers only queue work and GitHub never retries a webhook, so a dropped delivery or a
 * crash loses work that only a sweep finds again.
 */
import { GOAL_LABEL } from '../core/labels.js'
import type { GitHubApi } from '../github/client.js'
import { listInstallationIds, listInstallationRepos } from '../github/installations.js'
import { listIssues } from '../github/issues.js'
import { queueGoal } from './goal-jobs.js'
import type { MayorRuntime } from './mayor-runtime.js'

/** A client as the app (no installation) or as one installation of it: Probot's `auth`. */
export type AppAuth = (installation?: number) => Promise<GitHubApi>

/** Queues a sweep of every open goal the app can reach; a failure is logged for the next sweep to retry. */
export async function reconcile(runtime: MayorRuntime, auth: AppAuth): Promise<void> {
  try {
    for (const installation of await listInstallationIds(await auth())) {
      const api = await auth(installation)
      for (const repo of await listInstallationRepos(api)) {
        for (const goal of await listIssues(api, repo, { labels: [GOAL_LABEL], state: 'open' })) {
          queueGoal(runtime, api, repo, goal.number, 'sweep')
        }
      }
    }
  } catch (error) {
    runtime.log.error({ err: (error as Error).message }, 'reconcile sweep failed; the next sweep tries again')
  }
}

/** Sweeps at once, then `intervalMs` after each sweep ends, until the Mayor's wake-ups are cancelled. */
export function sweepPeriodically(
  runtime: MayorRuntime,
  intervalMs: number,
  sweep: () => Promise<void>,
): void {
  const next = (delayMs: number) =>
    runtime.wakeUps.after(delayMs, () => {
      void sweep().finally(() => next(intervalMs))
    })
  next(0)
}
