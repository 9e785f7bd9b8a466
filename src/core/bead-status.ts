/**
 * The bead status machine: every change of a bead's status goes through `transition`, which refuses
 * moves the table does not allow (DESIGN.md, "Statuses").
 */
import type { Bead, BeadStatus } from './bead.js'

/**
 * The legal moves, and why each exists. Anything absent is refused.
 * `completed` and `cancelled` are terminal: a reopened issue becomes a new attempt through a new plan,
 * never by walking a closed bead back.
 */
export const TRANSITIONS: Readonly<Record<BeadStatus, readonly BeadStatus[]>> = {
  // Dependencies done -> ready; a dependency failed or was cancelled -> blocked; closed by a person.
  pending: ['ready', 'blocked', 'cancelled'],
  // Dispatched -> in_progress; a dependency was reopened -> pending; a dependency failed -> blocked.
  // A person merged its PR while it waited to address a review -> completed.
  ready: ['in_progress', 'pending', 'blocked', 'completed', 'cancelled'],
  // PR opened -> in_review; a reviewer bead posted its reviews -> completed; run failed -> failed;
  // the claim was lost or the lease expired -> ready, to be dispatched again; a reviewer that asked for
  // changes -> pending, to look again once the fixes are in review.
  in_progress: ['in_review', 'completed', 'failed', 'ready', 'pending', 'cancelled'],
  // PR merged -> completed; PR closed unmerged -> failed; changes requested -> ready, to be dispatched
  // for fixes (or in_progress when a worker takes it up at once).
  in_review: ['completed', 'failed', 'ready', 'in_progress', 'cancelled'],
  // Retry -> ready; a person merged its PR anyway -> completed; given up by a person -> cancelled.
  failed: ['ready', 'completed', 'cancelled'],
  // The failed dependency was retried: still running -> pending, already done -> ready.
  blocked: ['pending', 'ready', 'cancelled'],
  completed: [],
  cancelled: [],
}

/** Statuses a bead never leaves. */
export function isTerminal(status: BeadStatus): boolean {
  return TRANSITIONS[status].length === 0
}

/** Whether the table allows moving from `from` to `to`; a move to the same status is not a move. */
export function canTransition(from: BeadStatus, to: BeadStatus): boolean {
  return TRANSITIONS[from].includes(to)
}

/** Thrown by `transition` for a move the table does not allow. */
export class IllegalTransitionError extends Error {
  override readonly name = 'IllegalTransitionError'
  readonly allowed: readonly BeadStatus[]

  constructor(
    readonly bead: string,
    readonly from: BeadStatus,
    readonly to: BeadStatus,
  ) {
    const allowed = TRANSITIONS[from]
    const options =
      allowed.length === 0
        ? `${from} is terminal: nothing may follow it`
        : `from ${from} a bead may only move to ${allowed.join(', ')}`
    super(`Bead ${bead} cannot move from ${from} to ${to}: ${options}.`)
    this.allowed = allowed
  }
}

/** What accompanies a move; `now` comes from the caller's clock. */
export interface TransitionOptions {
  /** Milliseconds since the epoch; becomes `updatedAt`. */
  now: number
  /** Why the move happens; recorded as the bead's `error` when it moves to `failed`. */
  reason?: string
  /** The worker run that now holds the bead (on a move to `in_progress`). */
  assignedTo?: string
  /** The attempt number, when the caller starts a new attempt. */
  attempt?: number
  /** The bead's pull request, once known. */
  pr?: number
  /** The worker's summary (on a move to `in_review` or `completed`). */
  result?: string
  /** Set or clear the needs-human flag. */
  needsHuman?: boolean
}

/** The bead's name in messages: `#12 (10/api)`, or the id alone before the issue exists. */
function describeBead(bead: Bead): string {
  return bead.number === undefined ? bead.id : `#${bead.number} (${bead.id})`
}

/**
 * Moves a bead to `to` and returns the new bead (the input is not changed), or throws
 * `IllegalTransitionError` for a move the table does not allow.
 */
export function transition(bead: Bead, to: BeadStatus, options: TransitionOptions): Bead {
  if (!canTransition(bead.status, to)) throw new IllegalTransitionError(describeBead(bead), bead.status, to)
  if (!Number.isFinite(options.now)) {
    throw new RangeError(`transition of bead ${describeBead(bead)}: now must be a finite number of ms.`)
  }
  const next: Bead = { ...bead, status: to, updatedAt: options.now }
  // Nobody holds a bead that waits for dispatch, so a stale run id would mislead the reconciler.
  if (to === 'ready' || to === 'pending' || to === 'blocked') delete next.assignedTo
  if (to === 'failed') next.error = options.reason ?? 'failed without a recorded reason'
  // A bead that leaves `failed` is being retried, so the person it waited for has acted.
  if (bead.status === 'failed') delete next.needsHuman
  if (options.assignedTo !== undefined) next.assignedTo = options.assignedTo
  if (options.attempt !== undefined) next.attempt = options.attempt
  if (options.pr !== undefined) next.pr = options.pr
  if (options.result !== undefined) next.result = options.result
  if (options.needsHuman !== undefined) next.needsHuman = options.needsHuman
  return next
}
