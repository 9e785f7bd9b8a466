/** The plans this process knows, by goal. */
import type { PlanRecord } from '../core/plan-record.js'
import type { RepoRef } from '../github/client.js'

/**
 * The plan record this process last posted or read from the bot's plan comment, by goal, so a step
 * needs no list of the goal's comments to find it. A sweep reads the comments afresh and notes again.
 */
export class KnownPlans {
  readonly #plans = new Map<string, PlanRecord>()

  get(repo: RepoRef, goal: number): PlanRecord | undefined {
    return this.#plans.get(`${repo.owner}/${repo.repo}#${goal}`.toLowerCase())
  }

  /** Notes the plan read or written; undefined forgets (the goal has none). */
  note(repo: RepoRef, goal: number, record: PlanRecord | undefined): void {
    const key = `${repo.owner}/${repo.repo}#${goal}`.toLowerCase()
    if (record) this.#plans.set(key, record)
    else this.#plans.delete(key)
  }
}
