/**
 * What GitHub's answers say about each installation's rate-limit budget: `x-ratelimit-*` headers on every
 * answer, and secondary-limit refusals (403 or 429 with `retry-after`). The Mayor paces dispatch on it
 * (core/rate-pacing.ts) instead of sending work into a limit. An installation acts on one account, so
 * the repository owner names its budget.
 * https://docs.github.com/en/rest/using-the-rest-api/rate-limits-for-the-rest-api#checking-the-status-of-your-rate-limit
 */
import { pacingHold, type PacingHold, type RateBudgetState } from '../core/rate-pacing.js'
import { statusOf } from './client.js'
import { isHookable, type Answer } from './etag-cache.js'

/** Budgets by account, from the answers of every client `watch` was given. */
export class RateBudget {
  readonly #byOwner = new Map<string, RateBudgetState>()
  readonly #watched = new WeakSet<object>()

  /**
   * @param now the clock (ms)
   * @param retryAfterMs milliseconds per second of `retry-after` (1000 on GitHub; the sandbox waits less)
   * @param reserve requests kept for running beads; core's default (5 % of the limit) when absent
   */
  constructor(
    private readonly now: () => number,
    private readonly retryAfterMs = 1000,
    private readonly reserve?: number,
  ) {}

  /** Reads the budget off every answer `api` gets (once per instance); false for a test double. */
  watch(api: unknown): boolean {
    if (!isHookable(api)) return false
    if (this.#watched.has(api)) return true
    this.#watched.add(api)
    api.hook.wrap('request', async (request, options) => {
      try {
        const answer = await request(options)
        this.note(answer.url, answer.status, answer.headers)
        return answer
      } catch (error) {
        const response = (error as { response?: Partial<Answer> }).response
        const status = statusOf(error)
        if (response?.headers && status !== undefined)
          this.note(response.url ?? String(options.url), status, response.headers)
        throw error
      }
    })
    return true
  }

  /** Records what one answer said. */
  note(url: string, status: number, headers: Record<string, unknown>): void {
    const owner = /\/repos\/([^/?#]+)\//.exec(url)?.[1]?.toLowerCase()
    if (owner === undefined) return
    const state = { ...this.#byOwner.get(owner) }
    const number = (name: string) => {
      const value = Number(headers[name])
      return headers[name] === undefined || !Number.isFinite(value) ? undefined : value
    }
    if (headers['x-ratelimit-resource'] === undefined || headers['x-ratelimit-resource'] === 'core') {
      const remaining = number('x-ratelimit-remaining')
      const reset = number('x-ratelimit-reset')
      if (remaining !== undefined && reset !== undefined) {
        state.remaining = remaining
        state.resetAt = reset * 1000
        state.limit = number('x-ratelimit-limit') ?? state.limit
      }
    }
    const retryAfter = number('retry-after')
    if ((status === 403 || status === 429) && retryAfter !== undefined) {
      state.secondaryUntil = this.now() + retryAfter * this.retryAfterMs
    }
    this.#byOwner.set(owner, state)
  }

  /** Whether dispatch in `owner`'s repositories waits now, and until when. */
  hold(owner: string): PacingHold | undefined {
    return pacingHold(this.#byOwner.get(owner.toLowerCase()), this.now(), this.reserve)
  }
}
