/**
 * The runner's runs: queued until a runner is free and their concurrency group has no run in progress,
 * then in progress, then completed; cancelled when asked, or when a newer run of their group supersedes them.
 * https://docs.github.com/en/actions/reference/workflows-and-actions/workflow-syntax#concurrency
 */
import type { ActionsRunner, WorkflowRun } from './contracts.js'
import type { RunnerContext } from './runner-context.js'
import type { RunConclusion, RunState } from './run-state.js'
import { killChildren } from './step-process.js'
import { workflowPath } from './workflow-file.js'

const snapshot = (run: WorkflowRun): WorkflowRun => structuredClone(run)

/** The runs of a runner, and what the runner's handle answers about them. */
export class RunQueue implements Pick<ActionsRunner, 'get' | 'list' | 'kill' | 'onUpdate' | 'idle'> {
  private readonly states = new Map<number, RunState>()
  private readonly queue: number[] = []
  private readonly listeners: ((run: WorkflowRun) => void)[] = []
  private idleWaiters: (() => void)[] = []
  private running = 0
  private isClosed = false

  /** `execute` runs one run and answers its conclusion. */
  constructor(
    private readonly context: RunnerContext,
    private readonly execute: (state: RunState) => Promise<RunConclusion>,
  ) {}

  /** Whether `close` was called. */
  get closed(): boolean {
    return this.isClosed
  }

  /** Adds a new run (cancelling older runs of its group); answers its record, queued. */
  async enqueue(state: RunState): Promise<WorkflowRun> {
    this.states.set(state.run.id, state)
    this.queue.push(state.run.id)
    this.publish(state)
    if (state.group !== null) await this.supersede(state, state.group)
    const answer = snapshot(state.run)
    // Start on a later turn, so the dispatcher gets its answer (queued) before the run moves on.
    setImmediate(() => this.pump())
    return answer
  }

  /** One run, or undefined. */
  get(id: number): WorkflowRun | undefined {
    const state = this.states.get(id)
    return state ? snapshot(state.run) : undefined
  }

  /** Runs of a repository, newest first, optionally of one workflow file. */
  list(repo: string, workflow?: string): WorkflowRun[] {
    const path = workflow === undefined ? undefined : workflowPath(workflow)
    return [...this.states.values()]
      .map((state) => state.run)
      .filter((run) => run.repo === repo && (path === undefined || run.path === path))
      .sort((a, b) => b.id - a.id)
      .map(snapshot)
  }

  /** Cancels a queued run, or kills a running one's processes and waits until it completes. */
  async kill(id: number, killOptions: { asFailure?: boolean } = {}): Promise<boolean> {
    const state = this.states.get(id)
    if (!state || state.run.status === 'completed') return false
    const conclusion = killOptions.asFailure ? 'failure' : 'cancelled'
    state.killed = conclusion
    if (state.run.status === 'queued') {
      const index = this.queue.indexOf(id)
      if (index >= 0) this.queue.splice(index, 1)
      this.complete(state, conclusion)
      this.pump()
      return true
    }
    killChildren(state)
    await state.done
    return true
  }

  /** Calls `listener` on every status change of a run. */
  onUpdate(listener: (run: WorkflowRun) => void): void {
    this.listeners.push(listener)
  }

  /** Resolves when no run is queued or in progress. */
  idle(): Promise<void> {
    if (this.running === 0 && this.queue.length === 0) return Promise.resolve()
    return new Promise((resolve) => this.idleWaiters.push(resolve))
  }

  /** Takes no more runs and kills every run. */
  async close(): Promise<void> {
    this.isClosed = true
    for (const id of [...this.queue]) await this.kill(id)
    await Promise.all(
      [...this.states.values()]
        .filter((state) => state.run.status !== 'completed')
        .map((state) => this.kill(state.run.id)),
    )
  }

  /**
   * GitHub keeps one pending run per group: a newer one cancels the older pending run, and with
   * cancel-in-progress also the running one.
   */
  private async supersede(state: RunState, group: string): Promise<void> {
    for (const other of this.states.values()) {
      if (other === state || other.group !== group || other.run.status === 'completed') continue
      if (other.run.status === 'queued') {
        const message = `##[error]Canceling since a higher priority waiting request for '${group}' exists`
        this.context.log.append(other, message)
        await this.kill(other.run.id)
      } else if (state.cancelInProgress) {
        await this.kill(other.run.id)
      }
    }
  }

  /** Starts queued runs while runners are free, skipping runs whose group has a run in progress. */
  private pump(): void {
    while (!this.isClosed && this.running < this.context.concurrency) {
      const index = this.queue.findIndex((id) => {
        const state = this.states.get(id)
        return state !== undefined && (state.group === null || !this.groupBusy(state.group))
      })
      if (index < 0) break
      const [id] = this.queue.splice(index, 1)
      const state = id === undefined ? undefined : this.states.get(id)
      if (state) this.start(state)
    }
    this.checkIdle()
  }

  private start(state: RunState): void {
    this.running += 1
    state.run.status = 'in_progress'
    state.run.run_started_at = this.context.clock().toISOString()
    this.publish(state)
    this.execute(state)
      .catch((error: unknown) => {
        const message = error instanceof Error ? error.message : String(error)
        this.context.log.append(state, `##[error]The runner failed: ${message}`)
        return 'failure' as const
      })
      .then((conclusion) => {
        this.running -= 1
        this.complete(state, state.killed ?? conclusion)
        this.pump()
        this.checkIdle()
      })
  }

  private groupBusy(group: string): boolean {
    return [...this.states.values()].some(
      (state) => state.group === group && state.run.status === 'in_progress',
    )
  }

  private complete(state: RunState, conclusion: RunConclusion): void {
    state.run.status = 'completed'
    state.run.conclusion = conclusion
    this.publish(state)
    state.finish()
  }

  private checkIdle(): void {
    if (this.running > 0 || this.queue.length > 0) return
    const waiters = this.idleWaiters
    this.idleWaiters = []
    for (const waiter of waiters) waiter()
  }

  private publish(state: RunState): void {
    state.run.updated_at = this.context.clock().toISOString()
    const copy = snapshot(state.run)
    for (const listener of this.listeners) {
      try {
        listener(copy)
      } catch (error) {
        this.context.logger?.warn({ err: error, runId: copy.id }, 'run update listener failed')
      }
    }
  }
}
