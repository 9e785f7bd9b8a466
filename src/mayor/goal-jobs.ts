/**
 * The jobs that move a goal along: its course (plan, create beads, advance) queued per goal, a wake-up
 * when a bead waits for a time, and the routing of an event whose goal takes a request to find.
 */
import type { GitHubApi, RepoRef } from '../github/client.js'
import type { MayorRuntime } from './mayor-runtime.js'
import { openGoalScope } from './mayor-runtime.js'
import { goalJobKey } from './goal-queue.js'
import { runGoal } from './run-goal.js'

/**
 * Why a goal's course is queued: `run` is intake after its write-access check, `sweep` the reconciler
 * (which trusts no cached fact), `advance` any other event or wake-up.
 */
export type GoalJobName = 'run' | 'sweep' | 'advance'

/** Queues the goal's course; identical waiting jobs merge. */
export function queueGoal(
  runtime: MayorRuntime,
  api: GitHubApi,
  repo: RepoRef,
  goal: number,
  name: GoalJobName,
): void {
  runtime.jobs.push({
    api,
    key: goalJobKey(repo, goal),
    name,
    run: async () => {
      const scope = await openGoalScope(runtime, api, repo, goal, name === 'sweep')
      if (!scope) return
      // Only intake, after its write-access check, may plan a goal on its say-so.
      const result = await runGoal(scope, { labelledByWriter: name === 'run' })
      for (const at of new Set(result?.wakeAt ?? [])) {
        runtime.wakeUps.after(Math.max(0, at - runtime.deps.now()), () =>
          queueGoal(runtime, api, repo, goal, 'advance'),
        )
      }
    },
  })
}

/**
 * Finds the goal an event concerns after the webhook is answered (finding it may take a request), then
 * queues the goal's advance.
 */
export function routeLater(
  runtime: MayorRuntime,
  api: GitHubApi,
  repo: RepoRef,
  delivery: string,
  find: () => Promise<number | undefined>,
): void {
  runtime.jobs.push({
    api,
    key: `${repo.owner}/${repo.repo}#route`,
    name: `route:${delivery}`,
    run: async () => {
      const goal = await find()
      if (goal !== undefined) queueGoal(runtime, api, repo, goal, 'advance')
    },
  })
}
