/**
 * The scheduler: a pure decision over the beads of one goal, taken after every event (DESIGN.md,
 * "Dependencies" and "Scheduling"). It says which beads become ready, blocked or unblocked, and which to
 * dispatch now: the ready ones with the longest remaining critical path first, within `max_workers` and
 * the per-role limits. There are no rounds and no barrier; the caller applies the decision and calls again
 * on the next event.
 */
import type { BeadStatus } from './bead.js'
import { criticalPathLengths } from './dag.js'

/** What a bead's work produces: a pull request (code roles) or reviews of its dependencies' PRs. */
export type BeadOutput = 'pr' | 'review'

/** What the scheduler needs to know of a bead. */
export interface SchedulerBead {
  /** The bead's issue number. */
  id: number
  role: string
  output: BeadOutput
  status: BeadStatus
  /** Issue numbers of the beads it depends on. */
  deps: readonly number[]
  /** The attempt running or last run; the scheduler does not decide on it, it travels with the bead. */
  attempt: number
  /** Attempts ran out: a `failed` bead with this flag will not be retried. */
  needsHuman?: boolean
}

/** How many beads may run at once: in total, and per role (a role absent here is limited by the total). */
export interface SchedulerLimits {
  maxWorkers: number
  perRole?: Readonly<Record<string, number>>
}

/** Expected durations for the critical path: by bead, else by role, else `fallback` (default 1). */
export interface SchedulerWeights {
  byId?: Readonly<Record<number, number>>
  byRole?: Readonly<Record<string, number>>
  fallback?: number
}

/** Orders dispatch candidates: negative when `a` goes first. */
export type DispatchOrder = (a: SchedulerBead, b: SchedulerBead) => number

/**
 * What to do now. Apply in this order (see `applyDecision`): `unblocked` leave `blocked` (to `ready` when
 * also listed in `ready`, else to `pending`); `blocked` and `unready` (back to `pending`, a dependency was
 * reopened) move; `ready` become ready; `dispatch` start, in priority order.
 */
export interface ScheduleDecision {
  ready: number[]
  blocked: number[]
  unblocked: number[]
  unready: number[]
  dispatch: number[]
}

/** Whether a dependency in status `dep` lets a bead with output `output` start. */
export function dependencySatisfied(output: BeadOutput, dep: BeadStatus): boolean {
  // A code bead starts from a default branch that holds its dependencies' work, so they must be merged;
  // a reviewer only needs the pull requests to be open.
  return dep === 'completed' || (output === 'review' && dep === 'in_review')
}

/** A bead that will not finish by itself: cancelled by a person, or failed with no attempts left. */
function isDead(bead: SchedulerBead): boolean {
  return bead.status === 'cancelled' || (bead.status === 'failed' && bead.needsHuman === true)
}

/** Statuses of beads that have not started and can be blocked or unblocked. */
const WAITING: ReadonlySet<BeadStatus> = new Set<BeadStatus>(['pending', 'ready', 'blocked'])

function indexBeads(beads: readonly SchedulerBead[]): Map<number, SchedulerBead> {
  const byId = new Map<number, SchedulerBead>()
  for (const bead of beads) {
    if (byId.has(bead.id)) {
      throw new Error(`The scheduler got bead #${bead.id} twice; pass each bead of the goal once.`)
    }
    byId.set(bead.id, bead)
  }
  return byId
}

/**
 * The waiting beads that can never start: dependents, transitively through other waiting beads, of a dead
 * bead. A bead already running or done is left alone; its work may still land.
 */
function doomedBeads(beads: readonly SchedulerBead[]): Set<number> {
  const dependents = new Map<number, SchedulerBead[]>()
  for (const bead of beads) {
    for (const dep of bead.deps) {
      const list = dependents.get(dep)
      if (list) list.push(bead)
      else dependents.set(dep, [bead])
    }
  }
  const doomed = new Set<number>()
  const queue = beads.filter(isDead).map((bead) => bead.id)
  for (let head = 0; head < queue.length; head += 1) {
    for (const next of dependents.get(queue[head]!) ?? []) {
      if (doomed.has(next.id) || !WAITING.has(next.status)) continue
      doomed.add(next.id)
      queue.push(next.id)
    }
  }
  return doomed
}

/** Whether every dependency of `bead` is satisfied; an unknown dependency never is. */
function depsSatisfied(bead: SchedulerBead, byId: ReadonlyMap<number, SchedulerBead>): boolean {
  return bead.deps.every((dep) => {
    const found = byId.get(dep)
    return found !== undefined && dependencySatisfied(bead.output, found.status)
  })
}

/** The expected duration of a bead under `weights`. */
export function expectedDuration(bead: SchedulerBead, weights: SchedulerWeights = {}): number {
  return weights.byId?.[bead.id] ?? weights.byRole?.[bead.role] ?? weights.fallback ?? 1
}

/**
 * For each bead, the longest chain of work still to do from it to the end of the goal, its own included.
 * Work already done or that will never run (completed, in review with its PR open, cancelled, failed for
 * good, blocked) counts 0. Throws a `CycleError` when the dependencies form a cycle.
 */
export function remainingCriticalPaths(
  beads: readonly SchedulerBead[],
  weights: SchedulerWeights = {},
): Map<number, number> {
  const doomed = doomedBeads(beads)
  const byId = indexBeads(beads)
  const graph = new Map(beads.map((bead) => [bead.id, bead.deps]))
  return criticalPathLengths(graph, (id) => {
    const bead = byId.get(id)!
    const finished = bead.status === 'completed' || (bead.status === 'in_review' && bead.output === 'pr')
    const never = isDead(bead) || bead.status === 'blocked' || doomed.has(id)
    return finished || never ? 0 : expectedDuration(bead, weights)
  })
}

/**
 * Decides, after an event, which beads change status and which to dispatch now. Candidates are dispatched
 * by `order`, by default the longest remaining critical path first and then the lower issue number, while
 * a total slot and a slot of the bead's role are free; beads `in_progress` hold the slots.
 */
export function schedule(
  beads: readonly SchedulerBead[],
  limits: SchedulerLimits,
  weights: SchedulerWeights = {},
  order?: DispatchOrder,
): ScheduleDecision {
  const byId = indexBeads(beads)
  const doomed = doomedBeads(beads)
  const decision: ScheduleDecision = { ready: [], blocked: [], unblocked: [], unready: [], dispatch: [] }
  const candidates: SchedulerBead[] = []

  for (const bead of beads) {
    const satisfied = depsSatisfied(bead, byId)
    if (bead.status === 'blocked') {
      if (doomed.has(bead.id)) continue
      decision.unblocked.push(bead.id)
      if (satisfied) {
        decision.ready.push(bead.id)
        candidates.push(bead)
      }
    } else if (bead.status === 'pending' || bead.status === 'ready') {
      if (doomed.has(bead.id)) {
        decision.blocked.push(bead.id)
      } else if (!satisfied) {
        if (bead.status === 'ready') decision.unready.push(bead.id)
      } else {
        if (bead.status === 'pending') decision.ready.push(bead.id)
        candidates.push(bead)
      }
    }
  }

  let free = limits.maxWorkers
  const busyByRole = new Map<string, number>()
  for (const bead of beads) {
    if (bead.status !== 'in_progress') continue
    free -= 1
    busyByRole.set(bead.role, (busyByRole.get(bead.role) ?? 0) + 1)
  }
  if (free <= 0 || candidates.length === 0) return decision

  let compare = order
  if (!compare) {
    const remaining = remainingCriticalPaths(beads, weights)
    compare = (a, b) => remaining.get(b.id)! - remaining.get(a.id)! || a.id - b.id
  }
  candidates.sort(compare)
  for (const bead of candidates) {
    if (free <= 0) break
    const roleLimit = limits.perRole?.[bead.role]
    const roleBusy = busyByRole.get(bead.role) ?? 0
    if (roleLimit !== undefined && roleBusy >= roleLimit) continue
    decision.dispatch.push(bead.id)
    busyByRole.set(bead.role, roleBusy + 1)
    free -= 1
  }
  return decision
}

/** The beads with a decision applied: the statuses the caller's moves lead to, as plain data. */
export function applyDecision<B extends SchedulerBead>(beads: readonly B[], decision: ScheduleDecision): B[] {
  const next = new Map<number, BeadStatus>()
  for (const id of decision.unblocked) next.set(id, 'pending')
  for (const id of decision.blocked) next.set(id, 'blocked')
  for (const id of decision.unready) next.set(id, 'pending')
  for (const id of decision.ready) next.set(id, 'ready')
  for (const id of decision.dispatch) next.set(id, 'in_progress')
  return beads.map((bead) => {
    const status = next.get(bead.id)
    return status === undefined ? bead : { ...bead, status }
  })
}

/** Where a goal stands. */
export type GoalState = 'running' | 'done' | 'stuck'

/**
 * `done` when every bead is completed or was cancelled by a person (nothing is left to do); `running`
 * while a bead is ready, running, in review or failed with a retry to come, or could become ready now;
 * `stuck` otherwise: nothing can move without a person.
 */
export function goalState(beads: readonly SchedulerBead[]): GoalState {
  if (beads.every((bead) => bead.status === 'completed' || bead.status === 'cancelled')) return 'done'
  const after = applyDecision(beads, schedule(beads, { maxWorkers: 0 }))
  const moving = after.some(
    (bead) =>
      bead.status === 'ready' ||
      bead.status === 'in_progress' ||
      bead.status === 'in_review' ||
      (bead.status === 'failed' && bead.needsHuman !== true),
  )
  return moving ? 'running' : 'stuck'
}
