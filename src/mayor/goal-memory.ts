/**
 * What this process last knew of each goal, so a merge can dispatch the beads it unblocks before the
 * step that follows has read GitHub (dispatch-on-merge.ts). Nothing here is state that matters: a
 * restarted Mayor starts empty and dispatches only from steps, and no bead is ever written from memory.
 * A dispatch sent early waits here until a step bears it out (writes its attempt into the bead) or
 * finds it was wrong, which the worker then sees as a stale dispatch.
 */
import type { SchedulerBead, SchedulerLimits } from '../core/scheduler.js'
import type { RepoRef } from '../github/client.js'
import { goalJobKey } from './goal-queue.js'

/** A goal as its last step left it, and where its workers are dispatched. */
export interface RememberedGoal {
  beads: SchedulerBead[]
  limits: SchedulerLimits
  workflow: string
  defaultBranch: string
}

/** A dispatch sent on a merge's word, before a step read the goal. */
export interface EarlyDispatch {
  bead: number
  attempt: number
  /**
   * GitHub's answer: the run it made (its id when the answer said), or null when the dispatch failed
   * and the step must send it. A step that bears the dispatch out waits for it, never sends it twice.
   */
  sent: Promise<{ runId?: string } | null>
  /** The bead whose merge it followed. */
  after: number
  at: number
}

/** How long an early dispatch waits for a step before it counts as not borne out (ms). */
const EARLY_DISPATCH_TTL_MS = 10 * 60_000

/** The goals this process stepped, by repository and goal. */
export class GoalMemory {
  readonly #goals = new Map<string, RememberedGoal>()
  /** Dispatches a running step decided on and is sending: they hold slots before any step shows them. */
  readonly #sending = new Map<string, Map<number, number>>()
  readonly #early = new Map<string, Map<number, EarlyDispatch>>()
  /** What webhooks said of beads since the last step: a PR opened (its worker is done), or merged. */
  readonly #heard = new Map<string, Map<number, 'in_review' | 'completed'>>()

  constructor(private readonly now: () => number) {}

  /** Remembers the goal as a step left it. */
  remember(repo: RepoRef, goal: number, remembered: RememberedGoal): void {
    const key = goalJobKey(repo, goal)
    this.#goals.set(key, remembered)
    // What the step read shows needs no webhook's word any more; what came after its read still does.
    const heard = this.#heard.get(key)
    for (const bead of remembered.beads) {
      const status = heard?.get(bead.id)
      if (status !== undefined && (bead.status === status || bead.status === 'completed'))
        heard!.delete(bead.id)
    }
  }

  /**
   * A webhook's word on a bead since the last step: its worker opened a PR (the bead holds no slot any
   * more) or its PR merged. Facts that only move forward, so a later step never contradicts them.
   */
  hear(repo: RepoRef, goal: number, bead: number, status: 'in_review' | 'completed'): void {
    const key = goalJobKey(repo, goal)
    const heard = this.#heard.get(key) ?? new Map<number, 'in_review' | 'completed'>()
    if (heard.get(bead) !== 'completed') heard.set(bead, status)
    this.#heard.set(key, heard)
  }

  /** Forgets the goal: a step failed midway, so what it left is not known. */
  forget(repo: RepoRef, goal: number): void {
    this.#goals.delete(goalJobKey(repo, goal))
    this.#heard.delete(goalJobKey(repo, goal))
  }

  /**
   * The goal as the Mayor knows it now: its last step's beads, with every dispatch sent since (early, or
   * by a step still running) counted in progress. Undefined when no step of this process left it.
   */
  current(repo: RepoRef, goal: number): RememberedGoal | undefined {
    const key = goalJobKey(repo, goal)
    const remembered = this.#goals.get(key)
    if (!remembered) return undefined
    const running = new Map(this.#sending.get(key))
    for (const early of this.#early.get(key)?.values() ?? []) running.set(early.bead, early.attempt)
    const heard = this.#heard.get(key)
    return {
      ...remembered,
      beads: remembered.beads.map((bead) => {
        const word = heard?.get(bead.id)
        if (word === 'completed' && bead.status !== 'completed') return { ...bead, status: word }
        if (word === 'in_review' && bead.status === 'in_progress') return { ...bead, status: word }
        const attempt = running.get(bead.id)
        return attempt === undefined || (bead.status === 'in_progress' && bead.attempt >= attempt)
          ? bead
          : { ...bead, status: 'in_progress' as const, attempt }
      }),
    }
  }

  /** Forgets everything of a goal that closed: it dispatches nothing more. */
  close(repo: RepoRef, goal: number): void {
    const key = goalJobKey(repo, goal)
    for (const map of [this.#goals, this.#heard, this.#early, this.#sending]) map.delete(key)
  }

  /** A step is about to send these dispatches (bead → attempt). */
  sending(repo: RepoRef, goal: number, dispatches: ReadonlyMap<number, number>): void {
    this.#sending.set(goalJobKey(repo, goal), new Map(dispatches))
  }

  /** The step that was sending ended. */
  sent(repo: RepoRef, goal: number): void {
    this.#sending.delete(goalJobKey(repo, goal))
  }

  noteEarly(repo: RepoRef, goal: number, early: EarlyDispatch): void {
    const key = goalJobKey(repo, goal)
    const byBead = this.#early.get(key) ?? new Map<number, EarlyDispatch>()
    byBead.set(early.bead, early)
    this.#early.set(key, byBead)
  }

  /** The early dispatches of a goal still waiting for a step. */
  early(repo: RepoRef, goal: number): EarlyDispatch[] {
    return [...(this.#early.get(goalJobKey(repo, goal))?.values() ?? [])]
  }

  /** Takes the early dispatch of this bead and attempt, which a step now bears out. */
  takeEarly(repo: RepoRef, goal: number, bead: number, attempt: number): EarlyDispatch | undefined {
    const byBead = this.#early.get(goalJobKey(repo, goal))
    const found = byBead?.get(bead)
    if (!found || found.attempt !== attempt) return undefined
    byBead!.delete(bead)
    return found
  }

  /**
   * Drops the early dispatches a step found wrong: it saw the merge they followed (`seen` holds the
   * bead) and did not dispatch them. Those older than the TTL go too. Answers what was dropped.
   */
  dropUnborne(repo: RepoRef, goal: number, seen: (after: number) => boolean): EarlyDispatch[] {
    const byBead = this.#early.get(goalJobKey(repo, goal))
    if (!byBead) return []
    const dropped: EarlyDispatch[] = []
    for (const early of [...byBead.values()]) {
      if (seen(early.after) || this.now() - early.at > EARLY_DISPATCH_TTL_MS) {
        byBead.delete(early.bead)
        dropped.push(early)
      }
    }
    return dropped
  }
}
