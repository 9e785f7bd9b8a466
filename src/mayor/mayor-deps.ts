/**
 * What the Mayor takes from outside: the model, the clock, the random source, timers and the logger.
 * Tests and the sandbox pass their own; `index.ts` builds the real ones from the environment.
 */
import type { Config } from '../core/config.js'
import type { Random } from '../core/random.js'
import type { ChatModel } from '../llm/chat-model.js'

/** A structured logger (Probot's pino fits); never given a secret or a whole payload. */
export interface MayorLog {
  info(data: object, message?: string): void
  warn(data: object, message?: string): void
  error(data: object, message?: string): void
  debug(data: object, message?: string): void
  child(bindings: object): MayorLog
}

/** The Mayor's dependencies. */
export interface MayorDeps {
  /** The planner's model for a repository's config. */
  modelFor(config: Config): Promise<ChatModel>
  now(): number
  random: Random
  /** Calls `fn` after `ms`; answers a function that cancels it. */
  setTimer(fn: () => void, ms: number): () => void
  /** How often the reconciler sweeps every open goal (ms); 0 turns the periodic sweep off. */
  reconcileIntervalMs: number
  /** First pause before a job that failed on GitHub's passing trouble runs again (ms, doubling; default 1000). */
  jobRetryBaseMs?: number
  /** How long a run may end before the worker's report counts as lost (ms). */
  reportGraceMs?: number
  /** Least time between two edits of one goal's progress comment (ms); default PROGRESS_EDIT_MS, 0 edits every step. */
  progressEditMs?: number
  /** Milliseconds the Mayor waits per second of GitHub's `retry-after` (1000, GitHub's; a sandbox less). */
  retryAfterMs?: number
  /** Requests of the hourly budget dispatch keeps for running beads; 5 % of the limit (at least 100) when absent. */
  dispatchReserve?: number
}

/**
 * The default least time between two edits of one goal's progress comment (ms). Each edit is a
 * content-creating request, and GitHub allows an installation 500 of those an hour
 * (https://docs.github.com/en/rest/using-the-rest-api/rate-limits-for-the-rest-api#about-secondary-rate-limits):
 * a busy goal edited every few seconds would spend most of them on its progress alone. Every 30 s is
 * at most 120 an hour per goal; a closing goal, a planning error and `/gastown status` write at once.
 */
export const PROGRESS_EDIT_MS = 30_000

/** Real timers, for production. */
export function realTimer(fn: () => void, ms: number): () => void {
  const handle = setTimeout(fn, ms)
  // A pending retry must not keep a stopping process alive.
  handle.unref?.()
  return () => clearTimeout(handle)
}

/** Timers that can all be cancelled at once: for a town or a test that stops its Mayor. */
export function timerSet(): { setTimer: MayorDeps['setTimer']; cancelAll(): void } {
  const handles = new Set<NodeJS.Timeout>()
  return {
    setTimer(fn, ms) {
      const handle = setTimeout(() => {
        handles.delete(handle)
        fn()
      }, ms)
      handles.add(handle)
      return () => {
        clearTimeout(handle)
        handles.delete(handle)
      }
    },
    cancelAll() {
      for (const handle of handles) clearTimeout(handle)
      handles.clear()
    },
  }
}
