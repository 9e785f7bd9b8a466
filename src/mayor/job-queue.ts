/**
 * The Mayor's job queue: jobs per goal one at a time (goal-queue.ts), and a job that fails on GitHub's
 * passing trouble (job-retry.ts) queued again after a pause instead of waiting for the next event or
 * sweep.
 */
import type { GitHubApi } from '../github/client.js'
import { GoalQueue, type GoalJob } from './goal-queue.js'
import {
  JOB_RETRIES,
  failedRequest,
  jobRetryDelayMs,
  passingFailure,
  renewInstallationToken,
} from './job-retry.js'
import type { MayorLog } from './mayor-deps.js'
import type { WakeUps } from './wake-ups.js'

/** The name of the job that says on a goal that one of its jobs failed. */
const FAILURE_NOTE = 'failure-note'
/** The name of the job that says on a goal that one of its jobs waits for GitHub's rate limit. */
const WAIT_NOTE = 'wait-note'
/** A wait for a rate limit this long or longer is said on the goal (ms). */
const SAID_WAIT_MS = 60_000

/** Whether a job is a note on its goal, which says nothing of its own failures or waits. */
const isNote = (job: GoalJob): boolean => job.name === FAILURE_NOTE || job.name === WAIT_NOTE

/** A goal job with the client it talks to GitHub through, whose token a retry may renew. */
export type MayorJob = GoalJob & { api: GitHubApi }

/** What the queue needs: where retries wait, how long the first pause is, and the log (once loaded). */
export interface JobQueueOptions {
  wakeUps: WakeUps
  /** First pause before a retry (ms); it doubles per attempt. */
  retryBaseMs: number
  /** The Mayor's log; undefined until Probot has loaded the app. */
  log(): MayorLog | undefined
  /** The clock (ms); the real one when absent. */
  now?(): number
  /** Called with a job's client before it runs (the Mayor adds its request hooks: ETags, rate budget). */
  prepare?(api: GitHubApi): void
  /** Called once a job has failed for good (after its retries, if any), to say so where people look. */
  failed?(job: MayorJob, error: unknown): Promise<void>
  /** Called when a job waits a minute or more for GitHub's rate limit, until `until` (ms), to say so. */
  waiting?(job: MayorJob, error: unknown, until: number): Promise<void>
}

/** Serialises jobs per goal and runs a job again when GitHub's trouble was passing. */
export class JobQueue {
  readonly #jobs: GoalQueue

  constructor(private readonly options: JobQueueOptions) {
    this.#jobs = new GoalQueue((job, error) => {
      options
        .log()
        ?.error(
          { job: job.name, key: job.key, err: (error as Error).message, stack: (error as Error).stack },
          'job failed',
        )
      // The note is a job of the goal too, so `idle()` waits for it; a note that fails is only logged.
      const failed = options.failed
      if (failed && !isNote(job))
        this.#note(job as MayorJob, FAILURE_NOTE, () => failed(job as MayorJob, error))
    })
  }

  /** Queues a note on the goal of `job`: a job of that goal too, so `idle()` waits for it. */
  #note(job: MayorJob, name: string, run: () => Promise<void>): void {
    this.#push({ api: job.api, key: job.key, name, run }, 1, undefined)
  }

  /** Queues a job; identical waiting jobs merge. */
  push(job: MayorJob): void {
    this.#push(job, 1, undefined)
  }

  /** Resolves once every queued job has run. */
  idle(): Promise<void> {
    return this.#jobs.idle()
  }

  // The count restarts when the job fails at another request than last time, since it got further.
  #push(job: MayorJob, attempt: number, lastFailure: string | undefined): void {
    this.#jobs.push({
      ...job,
      run: async () => {
        try {
          this.options.prepare?.(job.api)
          await job.run()
        } catch (error) {
          const why = passingFailure(error)
          const failure = failedRequest(error)
          const tries = failure === lastFailure ? attempt : 1
          if (why === undefined || tries > JOB_RETRIES) throw error
          if (why === 'token') await renewInstallationToken(job.api)
          const delayMs = jobRetryDelayMs(error, tries, this.options.retryBaseMs, this.options.now?.())
          this.options
            .log()
            ?.warn(
              { job: job.name, key: job.key, why, attempt: tries, delayMs, err: (error as Error).message },
              'job failed on passing trouble; it runs again',
            )
          this.options.wakeUps.after(delayMs, () => this.#push(job, tries + 1, failure))
          // A goal that waits long for GitHub says so rather than standing still without a word.
          const waiting = this.options.waiting
          if (waiting && why === 'rate-limit' && delayMs >= SAID_WAIT_MS && !isNote(job)) {
            const until = (this.options.now?.() ?? Date.now()) + delayMs
            this.#note(job, WAIT_NOTE, () => waiting(job, error, until))
          }
        }
      },
    })
  }
}
