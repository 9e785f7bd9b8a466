/**
 * The Mayor's pending timers (job retries, goal wake-ups, the periodic sweep) in one set, so `stop()`
 * cancels every one and a stopped Mayor starts no more work.
 */
import type { MayorDeps } from './mayor-deps.js'

/** Timers started through the Mayor's `setTimer`, all cancellable at once. */
export class WakeUps {
  readonly #pending = new Set<() => void>()

  constructor(private readonly setTimer: MayorDeps['setTimer']) {}

  /** Calls `fn` after `ms`, unless cancelled by `cancelAll` first. */
  after(ms: number, fn: () => void): void {
    const cancel = this.setTimer(() => {
      this.#pending.delete(cancel)
      fn()
    }, ms)
    this.#pending.add(cancel)
  }

  /** Cancels every pending timer. */
  cancelAll(): void {
    for (const cancel of this.#pending) cancel()
    this.#pending.clear()
  }
}
