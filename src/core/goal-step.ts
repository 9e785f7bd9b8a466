/**
 * One step of a goal: from what GitHub says now (bead issues, their pull requests, worker runs), the
 * moves that bring the goal forward. The Mayor takes a step after every event and from its reconciler;
 * because a step reads state rather than events, a duplicate, late or dropped webhook changes nothing that
 * the next step would not do anyway.
 */
import type { Bead, BeadStatus } from './bead.js'
import { canTransition, isTerminal, transition } from './bead-status.js'
import { conflictMove, type Mergeability } from './pull-conflict.js'
import { retryDecision } from './retry-policy.js'
import type { Random } from './random.js'
import {
  schedule,
  goalState,
  type BeadOutput,
  type SchedulerBead,
  type SchedulerWeights,
} from './scheduler.js'

/** A bead's issue as GitHub shows it now (the marker may lag behind what a person or a merge did). */
export interface IssueSnapshot {
  state: 'open' | 'closed'
  stateReason: string | null
}

/** A bead's pull request as GitHub shows it now (mergeability once read from the PR itself). */
export interface PullSnapshot extends Mergeability {
  state: 'open' | 'closed'
  merged: boolean
  /** The head commit, draft flag and reviews (oldest first), read for the merge lane. */
  headSha?: string
  draft?: boolean
  reviews?: readonly { state: string; body: string }[]
  /** When the latest review asking for changes was submitted (ms), and by whom. */
  changesRequestedAt?: number
  changesRequestedBy?: string
}

/** A worker run as GitHub shows it now; `null` in the map means GitHub does not know the run. */
export interface RunSnapshot {
  status: 'queued' | 'in_progress' | 'completed' | 'waiting' | 'requested' | 'pending' | string
  conclusion: string | null
  updatedAt: number
  htmlUrl: string
}

/** Everything a step reads. */
export interface GoalSnapshot {
  now: number
  beads: readonly Bead[]
  /** By bead issue number. */
  issues: ReadonlyMap<number, IssueSnapshot>
  /** By pull request number. */
  pulls: ReadonlyMap<number, PullSnapshot>
  /** By run id as the marker holds it. */
  runs: ReadonlyMap<string, RunSnapshot | null>
  /** What each role produces. */
  outputs: Readonly<Record<string, BeadOutput>>
}

/** The limits and timings a step works within (from the config). */
export interface GoalPolicy {
  maxWorkers: number
  perRole?: Readonly<Record<string, number>>
  /** Attempts in all before a bead needs a person. */
  maxAttempts: number
  retryBaseMs: number
  retryMaxMs: number
  /** Times a review may send a bead back for fixes. */
  reviewRounds: number
  /** How long an in-progress bead may go without a live run before it counts as lost. */
  leaseMs: number
  /** How long after its run ended a bead may still wait for the worker's own report. */
  reportGraceMs?: number
  weights?: SchedulerWeights
}

/** A move for the Mayor to carry out on GitHub. */
export type GoalAction =
  /** Write the bead (marker, labels, issue state) as given. */
  | { kind: 'update'; bead: Bead; from: BeadStatus; reason: string }
  /** Dispatch a worker for the bead, already moved to in_progress with its new attempt. */
  | { kind: 'dispatch'; bead: Bead }
  /** Tell people on the bead that it needs them, and why. */
  | { kind: 'needs-human'; bead: Bead; reason: string }
  /** Every bead is done: summarise and close the goal. */
  | { kind: 'close-goal' }
  /** Nothing can move without a person. */
  | { kind: 'stuck'; beads: number[] }
  /** Take another step at this time (a backoff ends). */
  | { kind: 'wake'; at: number }

/** The beads after the step, and the moves that get them there. */
export interface GoalStepResult {
  beads: Bead[]
  actions: GoalAction[]
}

/** A bead as the scheduler sees it; a role the outputs do not name makes a PR. */
export function schedulerBeadOf(bead: Bead, outputs: Readonly<Record<string, BeadOutput>>): SchedulerBead {
  return {
    id: bead.number!,
    role: bead.role,
    output: outputs[bead.role] ?? 'pr',
    status: bead.status,
    deps: bead.dependencies,
    attempt: bead.attempt,
    ...(bead.needsHuman ? { needsHuman: true } : {}),
  }
}

/**
 * Takes one step: first the facts GitHub reports (issues closed by people, pull requests merged or closed,
 * reviews asking for changes, runs that ended or vanished), then retries after backoff, then the
 * scheduler's moves and dispatches, then whether the goal is done or stuck.
 */
export function goalStep(snapshot: GoalSnapshot, policy: GoalPolicy, random: Random): GoalStepResult {
  const { now } = snapshot
  const current = new Map<number, Bead>()
  const from = new Map<number, BeadStatus>()
  const reasons = new Map<number, string>()
  const actions: GoalAction[] = []

  for (const bead of snapshot.beads) {
    if (bead.number === undefined) continue
    current.set(bead.number, bead)
    from.set(bead.number, bead.status)
  }

  const move = (bead: Bead, to: BeadStatus, reason: string, extra: Partial<Bead> = {}): Bead => {
    const moved = { ...transition(bead, to, { now, reason }), ...extra }
    current.set(bead.number!, moved)
    reasons.set(bead.number!, reason)
    return moved
  }
  const amend = (bead: Bead, extra: Partial<Bead>, reason: string): Bead => {
    const changed = { ...bead, ...extra, updatedAt: now }
    current.set(bead.number!, changed)
    reasons.set(bead.number!, reason)
    return changed
  }

  for (const bead of [...current.values()]) {
    const number = bead.number!
    if (isTerminal(bead.status)) continue
    const output = snapshot.outputs[bead.role] ?? 'pr'
    const pull = bead.pr === undefined ? undefined : snapshot.pulls.get(bead.pr)
    const issue = snapshot.issues.get(number)

    // A merge closes the bead's issue too ("Closes #n"), so the merge is checked before the closed issue.
    if (pull?.merged) {
      if (canTransition(bead.status, 'completed')) move(bead, 'completed', `PR #${bead.pr} was merged`)
      continue
    }
    if (issue?.state === 'closed') {
      if (canTransition(bead.status, 'cancelled')) move(bead, 'cancelled', 'the issue was closed by a person')
      continue
    }
    if (pull && pull.state === 'closed' && bead.status === 'in_review') {
      move(
        bead,
        'failed',
        `PR #${bead.pr} was closed without merging; use /gastown retry #${number} to try again`,
        {
          needsHuman: true,
          failures: (bead.failures ?? 0) + 1,
        },
      )
      continue
    }
    if (
      output === 'pr' &&
      bead.status === 'in_review' &&
      pull?.state === 'open' &&
      pull.changesRequestedAt !== undefined &&
      // GitHub stamps reviews to the second and markers to the millisecond: a review in the same second
      // as the move to in_review counts as after it.
      pull.changesRequestedAt >= Math.floor(bead.updatedAt / 1000) * 1000
    ) {
      const round = bead.round ?? 0
      if (round < policy.reviewRounds) {
        move(
          bead,
          'ready',
          `${pull.changesRequestedBy ?? 'a reviewer'} requested changes on PR #${bead.pr}`,
          {
            round: round + 1,
            rebasing: false,
          },
        )
      } else if (bead.needsHuman !== true) {
        const reason = `changes were requested on PR #${bead.pr} after ${round} review rounds, the limit; a person must decide`
        amend(bead, { needsHuman: true }, reason)
        actions.push({ kind: 'needs-human', bead: current.get(number)!, reason })
      }
      continue
    }
    if (output === 'pr' && bead.status === 'in_review' && pull?.state === 'open') {
      const conflict = conflictMove(bead, pull, policy.maxAttempts)
      if (conflict?.kind === 'rebase') move(bead, 'ready', conflict.reason, conflict.extra)
      else if (conflict?.kind === 'look-again') actions.push({ kind: 'wake', at: now + conflict.afterMs })
      else if (conflict?.kind === 'needs-human') {
        amend(bead, { needsHuman: true }, conflict.reason)
        actions.push({ kind: 'needs-human', bead: current.get(number)!, reason: conflict.reason })
      }
      continue
    }
    if (bead.status === 'in_progress') checkRun(bead)
  }

  function checkRun(bead: Bead): void {
    const run = bead.assignedTo === undefined ? undefined : snapshot.runs.get(bead.assignedTo)
    const grace = policy.reportGraceMs ?? 60_000
    if (run === undefined || run === null) {
      // No run known: the dispatch answer was lost, or GitHub forgot the run. Only the lease tells.
      if (now - bead.updatedAt > policy.leaseMs) {
        fail(
          bead,
          `no live worker run held the bead for ${Math.round(policy.leaseMs / 60_000)} minutes (lease expired)`,
        )
      }
      return
    }
    if (run.status !== 'completed') {
      if (now - bead.updatedAt > policy.leaseMs && now - run.updatedAt > policy.leaseMs) {
        fail(bead, `worker run ${run.htmlUrl} made no progress within the lease`)
      }
      return
    }
    if (run.conclusion === 'success') {
      // The worker reports before its run ends; a run that ended without a report died between the two.
      if (now - run.updatedAt > grace)
        fail(bead, `worker run ${run.htmlUrl} ended without reporting its result`)
      return
    }
    fail(bead, `worker run ${run.htmlUrl} ended with conclusion "${run.conclusion ?? 'unknown'}"`)
  }

  function fail(bead: Bead, reason: string): void {
    move(bead, 'failed', reason, { failures: (bead.failures ?? 0) + 1 })
  }

  // Failed beads: retry after backoff while attempts remain, else a person must look.
  for (const bead of [...current.values()]) {
    if (bead.status !== 'failed' || bead.needsHuman === true) continue
    const failures = bead.failures ?? 1
    if (bead.retryAt === undefined) {
      const decision = retryDecision(
        Math.max(1, failures),
        { maxAttempts: policy.maxAttempts, baseDelayMs: policy.retryBaseMs, maxDelayMs: policy.retryMaxMs },
        random,
      )
      if (!decision.retry) {
        const reason = `${bead.error ?? 'the bead failed'}; ${decision.reason}`
        amend(bead, { needsHuman: true }, reason)
        actions.push({ kind: 'needs-human', bead: current.get(bead.number!)!, reason })
        continue
      }
      amend(bead, { retryAt: now + decision.delayMs }, `retry ${failures + 1} in ${decision.delayMs} ms`)
    }
    const due = current.get(bead.number!)!.retryAt!
    if (due <= now) {
      const retried = move(current.get(bead.number!)!, 'ready', `retrying after failure ${failures}`)
      delete retried.retryAt
    } else {
      actions.push({ kind: 'wake', at: due })
    }
  }

  // The scheduler: readiness, blocking and dispatch over the beads as they now stand.
  const asScheduled = (bead: Bead): SchedulerBead => schedulerBeadOf(bead, snapshot.outputs)
  const schedulerBeads = [...current.values()].map(asScheduled)
  const decision = schedule(
    schedulerBeads,
    { maxWorkers: policy.maxWorkers, ...(policy.perRole ? { perRole: policy.perRole } : {}) },
    policy.weights,
  )
  const readySet = new Set(decision.ready)
  for (const id of decision.unblocked) {
    const bead = current.get(id)!
    move(bead, readySet.has(id) ? 'ready' : 'pending', 'its blocking dependency is no longer failed')
  }
  for (const id of decision.blocked) move(current.get(id)!, 'blocked', 'a dependency failed or was cancelled')
  for (const id of decision.unready) move(current.get(id)!, 'pending', 'a dependency is no longer done')
  for (const id of decision.ready) {
    const bead = current.get(id)!
    if (bead.status === 'pending') move(bead, 'ready', 'its dependencies are done')
  }
  const dispatched = new Set<number>()
  for (const id of decision.dispatch) {
    const bead = current.get(id)!
    const next = move(bead, 'in_progress', `dispatched as attempt ${bead.attempt + 1}`, {
      attempt: bead.attempt + 1,
    })
    delete next.assignedTo
    dispatched.add(id)
  }

  const original = new Map(snapshot.beads.map((bead) => [bead.number, bead]))
  const moves: GoalAction[] = []
  for (const [number, bead] of current) {
    if (original.get(number) === bead || dispatched.has(number)) continue
    moves.push({ kind: 'update', bead, from: from.get(number)!, reason: reasons.get(number) ?? 'updated' })
  }
  // Dispatches go last and in the scheduler's priority order: a dependent's worker goes to work once
  // its own dispatch is written, which is after its dependencies' completions are.
  for (const id of decision.dispatch) moves.push({ kind: 'dispatch', bead: current.get(id)! })
  actions.unshift(...moves)

  const beads = [...current.values()]
  const state = goalState(beads.map(asScheduled))
  if (beads.length > 0 && state === 'done') actions.push({ kind: 'close-goal' })
  if (state === 'stuck') {
    actions.push({
      kind: 'stuck',
      beads: beads.filter((b) => b.needsHuman === true || b.status === 'blocked').map((b) => b.number!),
    })
  }
  return { beads, actions }
}
