/**
 * Dispatch on a merge's own facts: when a worker's PR merges, the beads it unblocks are dispatched from
 * what the Mayor last knew of the goal, before the step that follows reads GitHub (issue 17: the merge
 * → dispatch path was that read, the merged bead's completion write and then the dispatch). The step
 * still decides: it writes the attempt into each bead it agrees to dispatch, and only then does the
 * worker go to work (main.ts waits for it); a dispatch the step does not bear out finds an earlier
 * attempt and stops as stale, having changed nothing.
 */
import { dispatchOnMerge } from '../core/merge-dispatch.js'
import type { GitHubApi, RepoRef } from '../github/client.js'
import { dispatchWorkflow } from '../github/workflows.js'
import type { MayorRuntime } from './mayor-runtime.js'

/** The merge as its `pull_request.closed` webhook tells it. */
export interface MergedPull {
  number: number
  /** The bead its branch (`gastown/<n>-…`) names. */
  bead: number
  base: string
}

/** A worker opened the PR of a bead: however the marker lags, the bead's worker holds no slot any more. */
export function hearPullOpened(runtime: MayorRuntime, repo: RepoRef, bead: number): void {
  const goal = runtime.facts.beadGoal(repo, bead)
  if (goal !== undefined) runtime.shared?.memory?.hear(repo, goal, bead, 'in_review')
}

/**
 * Queues the early dispatch of what a merge unblocks. Nothing happens unless this process stepped the
 * goal (it knows the goal, its limits and its workflow) and the merge went into the default branch.
 */
export function queueDispatchOnMerge(
  runtime: MayorRuntime,
  api: GitHubApi,
  repo: RepoRef,
  pull: MergedPull,
): void {
  const memory = runtime.shared?.memory
  const goal = runtime.facts.beadGoal(repo, pull.bead)
  if (!memory || goal === undefined) return
  runtime.jobs.push({
    api,
    // Its own lane: a step of the goal already running must not hold it up. Merges of one goal go one
    // at a time, so each counts the slots the one before took.
    key: `${repo.owner}/${repo.repo}#merge:${goal}`,
    name: `merge:${pull.number}`,
    run: async () => {
      const log = runtime.log.child({ goal, repo: `${repo.owner}/${repo.repo}`, merged: pull.number })
      const known = memory.current(repo, goal)
      if (!known || known.defaultBranch !== pull.base) return
      // Heard after it is read: the bead must still show as in review or running to be placed.
      memory.hear(repo, goal, pull.bead, 'completed')
      // GitHub's budget runs low: the step paces dispatch and says so; a guess should not spend it.
      if (runtime.shared?.budget?.hold(repo.owner)) return
      const byId = new Map(known.beads.map((bead) => [bead.id, bead]))
      // Sent together, as a step sends its dispatches, and noted before GitHub answers: a step that
      // decides the same dispatch meanwhile waits for this answer rather than sending a second one.
      const sends = dispatchOnMerge(known.beads, pull.bead, known.limits).map((id) => {
        const attempt = byId.get(id)!.attempt + 1
        const sent = dispatchWorkflow(api, repo, known.workflow, known.defaultBranch, {
          bead: String(id),
          attempt: String(attempt),
        }).then(
          (run) => {
            if (run) runtime.facts.noteDispatchedRun(repo, run, id)
            log.info(
              { bead: id, attempt, run: run?.runId },
              `bead dispatched on the merge of PR #${pull.number}, before the step reads the goal`,
            )
            return run ? { runId: String(run.runId) } : {}
          },
          (error: Error) => {
            log.warn({ bead: id, err: error.message }, 'early dispatch failed: the step dispatches')
            return null
          },
        )
        memory.noteEarly(repo, goal, { bead: id, attempt, after: pull.bead, at: runtime.deps.now(), sent })
        return sent
      })
      await Promise.all(sends)
    },
  })
}
