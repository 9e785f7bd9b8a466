/**
 * Work per goal, one job at a time, after the webhook is answered. GitHub waits 10 s for an answer and
 * never retries, so handlers only enqueue; a crash loses the queue, and the reconciler finds the work
 * again from GitHub. A job asked for while the same one waits is merged into it.
 */

import type { RepoRef } from '../github/client.js'

/** The key of a goal's jobs: `owner/repo#goal`. */
export function goalJobKey(repo: RepoRef, goal: number): string {
  return `${repo.owner}/${repo.repo}#${goal}`
}

/** The goal a job's key names, or undefined for a key of no goal. */
export function goalOfJobKey(key: string): { repo: RepoRef; goal: number } | undefined {
  const match = /^([^/#]+)\/([^/#]+)#(\d+)$/.exec(key)
  return match ? { repo: { owner: match[1]!, repo: match[2]! }, goal: Number(match[3]) } : undefined
}

/** A unit of work for one goal, e.g. `advance` or `plan`. */
export interface GoalJob {
  /** `owner/repo#goal`: jobs of one key run one after another. */
  key: string
  /** Jobs with the same key and name waiting together run once. */
  name: string
  run: () => Promise<void>
}

/** Serialises jobs per goal and lets callers wait until everything queued has run. */
export class GoalQueue {
  readonly #tails = new Map<string, Promise<void>>()
  readonly #waiting = new Set<string>()
  #pending = 0
  #idle: (() => void)[] = []

  constructor(private readonly onError: (job: GoalJob, error: unknown) => void) {}

  /** Queues a job behind the others of its goal; false when an identical job was already waiting. */
  push(job: GoalJob): boolean {
    const id = `${job.key}\u0000${job.name}`
    if (this.#waiting.has(id)) return false
    this.#waiting.add(id)
    this.#pending += 1
    const previous = this.#tails.get(job.key) ?? Promise.resolve()
    const next = previous.then(async () => {
      this.#waiting.delete(id)
      try {
        await job.run()
      } catch (error) {
        this.onError(job, error)
      } finally {
        this.#pending -= 1
        if (this.#tails.get(job.key) === next) this.#tails.delete(job.key)
        if (this.#pending === 0) for (const resolve of this.#idle.splice(0)) resolve()
      }
    })
    this.#tails.set(job.key, next)
    return true
  }

  /** Jobs queued or running. */
  get size(): number {
    return this.#pending
  }

  /** Resolves once no job is queued or running. */
  idle(): Promise<void> {
    if (this.#pending === 0) return Promise.resolve()
    return new Promise((resolve) => this.#idle.push(resolve))
  }
}

/** Remembers the last `capacity` delivery ids, so a replayed delivery is seen as one. */
export class DeliveryLog {
  readonly #seen = new Set<string>()
  constructor(private readonly capacity = 5000) {}

  /** True the first time an id is seen. */
  first(id: string | undefined): boolean {
    if (id === undefined || id === '') return true
    if (this.#seen.has(id)) return false
    this.#seen.add(id)
    if (this.#seen.size > this.capacity) {
      const oldest = this.#seen.values().next().value
      if (oldest !== undefined) this.#seen.delete(oldest)
    }
    return true
  }
}
