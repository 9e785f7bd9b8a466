/**
 * The emulator's Actions runner: runs workflows from the repositories of the git host, on `workflow_dispatch`
 * and on the events their `on:` takes (workflow-triggers.ts),
 * as child processes, with the environment, workflow commands, environment files, concurrency groups and
 * conclusions of GitHub's hosted runner. This file wires its parts: the dispatcher (run-dispatch.ts), the
 * run queue (run-queue.ts) and the job executor (job-executor.ts), which runs steps (job-step.ts) as
 * processes (step-process.ts), actions (uses-step.ts, action-resolution.ts) and checkouts (checkout.ts).
 */
import { rm } from 'node:fs/promises'
import type { ActionsRunner } from './contracts.js'
import { runJobs } from './job-executor.js'
import { createRunDispatcher } from './run-dispatch.js'
import { RunQueue } from './run-queue.js'
import { runnerContext, type ActionsRunnerOptions } from './runner-context.js'

export type { ActionsRunnerOptions } from './runner-context.js'

/** Creates the runner. */
export function createActionsRunner(options: ActionsRunnerOptions): ActionsRunner {
  const context = runnerContext(options)
  const dispatcher = createRunDispatcher(context)
  const queue = new RunQueue(context, (state) => runJobs(context, state))
  // A repository's events make their runs in the order they happened. Admission reads the workflows
  // from git, and a later event whose reads are cached would otherwise overtake an earlier one: its run
  // would then be the older run of a concurrency group, cancelled by the earlier event's run
  // (an issue's `labeled` run cancelled by its `opened` run, whose job the `if:` skips). GitHub takes a
  // group's runs first in, first out by the time each starts waiting, and guarantees no order beyond that:
  // https://docs.github.com/en/actions/how-tos/write-workflows/choose-when-workflows-run/control-workflow-concurrency
  const admissions = new Map<string, Promise<unknown>>()
  const admitInOrder = <T>(repo: string, admit: () => Promise<T>): Promise<T> => {
    const turn = (admissions.get(repo) ?? Promise.resolve()).then(admit, admit)
    const settledTurn = turn.catch(() => undefined)
    admissions.set(repo, settledTurn)
    void settledTurn.then(() => {
      if (admissions.get(repo) === settledTurn) admissions.delete(repo)
    })
    return turn
  }
  return {
    async dispatch(request) {
      if (queue.closed) throw new Error('the Actions runner is closed; create a new one')
      return queue.enqueue(await dispatcher.admit(request))
    },
    async trigger(event) {
      if (queue.closed) return []
      return admitInOrder(event.repo, async () => {
        const states = await dispatcher.admitEvent(event)
        return Promise.all(states.map((state) => queue.enqueue(state)))
      })
    },
    get: (id) => queue.get(id),
    list: (repo, workflow) => queue.list(repo, workflow),
    kill: (id, killOptions) => queue.kill(id, killOptions),
    onUpdate: (listener) => queue.onUpdate(listener),
    idle: () => queue.idle(),
    async close() {
      await queue.close()
      await rm(options.workRoot, { recursive: true, force: true })
    },
  }
}
