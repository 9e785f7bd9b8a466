/**
 * Advances a goal: reads its state from GitHub, takes core's goal step, and carries out the moves
 * (bead updates, dispatches, comments, closing the goal), then refreshes the progress comment. Safe to
 * run at any time and any number of times: the step reads state, not events.
 */
import type { Bead } from '../core/bead.js'
import { encodeBead } from '../core/bead-codec.js'
import { transition } from '../core/bead-status.js'
import { formatTag } from '../core/bead-marker.js'
import { inertText } from '../core/markdown-escape.js'
import {
  goalStep,
  schedulerBeadOf,
  type GoalAction,
  type GoalPolicy,
  type GoalSnapshot,
} from '../core/goal-step.js'
import type { PacingHold } from '../core/rate-pacing.js'
import { renderStallReport, stallReport } from '../core/stall-report.js'
import { statusOf } from '../github/client.js'
import { upsertComment, type CommentData } from '../github/comments.js'
import { getIssue, updateIssue, type IssueData } from '../github/issues.js'
import { dispatchWorkflow } from '../github/workflows.js'
import { showOnBoard } from './board.js'
import { progressTag, renderProgress, renderSummary } from './goal-comments.js'
import type { GoalScope } from './goal-scope.js'
import { passingFailure } from './job-retry.js'
import { landPulls, type LaneResult } from './merge-lane.js'
import { readGoalSnapshot } from './read-goal-snapshot.js'
import { readGoalBeads, type BeadRecord, type GoalBeads } from './read-beads.js'

/** What an advance did, for logs and tests. */
export interface AdvanceResult {
  actions: GoalAction[]
  beads: Bead[]
  /** Times at which another advance is due (retries after backoff). */
  wakeAt: number[]
}

/** Writes a bead to its issue in one request (body, labels, state), skipping what did not change. */
export async function writeBead(scope: GoalScope, bead: Bead, issue: IssueData, done: ReadonlySet<number>) {
  const encoded = encodeBead(bead, { doneDeps: done })
  const update: Parameters<typeof updateIssue>[3] = {}
  if (encoded.body !== issue.body) update.body = encoded.body
  const current = issue.labels.slice().sort().join('\n')
  const others = issue.labels.filter((label) => !label.startsWith('gastown:'))
  const wanted = [...others, ...encoded.labels]
  if (wanted.slice().sort().join('\n') !== current) update.labels = wanted
  if (encoded.state !== issue.state) {
    update.state = encoded.state
    if (encoded.stateReason) update.state_reason = encoded.stateReason
  }
  if (Object.keys(update).length === 0) return issue
  return updateIssue(scope.api, scope.repo, bead.number!, update)
}

/** The URL of a workflow run, for messages. */
function runLink(scope: GoalScope, runId: number | undefined): string {
  return runId === undefined ? 'the worker run' : `run ${runId}`
}

/** What the caller already read this job, so the step does not read it again. */
export interface KnownState {
  goalIssue: IssueData
  read: GoalBeads
  /** The goal's comments, when the job listed them (the progress comment may be known without). */
  comments?: CommentData[]
}

/** What one advance carries along while it acts out the step. */
interface StepRun {
  scope: GoalScope
  goalIssue: IssueData
  known: KnownState | undefined
  byNumber: Map<number, BeadRecord>
  /** The beads as the step left them, with dispatch outcomes. */
  beads: Map<number, Bead>
  done: Set<number>
  wakeAt: number[]
  needsHuman: { bead: number; reason: string }[]
  /** Set once a dispatch of this step waits for GitHub's rate limits. */
  paced?: PacingHold
}

/** Takes one step of the goal and carries it out. */
export async function advanceGoal(scope: GoalScope, known?: KnownState): Promise<AdvanceResult> {
  const { api, repo, goal, deps } = scope
  const goalIssue = known?.goalIssue ?? (await getIssue(api, repo, goal))
  const read = known?.read ?? (await readGoalBeads(api, repo, goal, scope.bot))
  if (goalIssue.state === 'closed') {
    scope.memory?.close(repo, goal)
    return { actions: [], beads: read.beads.map((r) => r.bead), wakeAt: [] }
  }

  const snapshot = await readGoalSnapshot(scope, read.beads)
  const policy = policyOf(scope)
  const step = goalStep(snapshot, policy, deps.random)
  const run: StepRun = {
    scope,
    goalIssue,
    known,
    byNumber: new Map(read.beads.map((record) => [record.issue.number, record])),
    beads: new Map(step.beads.map((bead) => [bead.number!, bead])),
    done: new Set(step.beads.filter((b) => b.status === 'completed').map((b) => b.number!)),
    wakeAt: [],
    needsHuman: [],
  }
  const actions = leaveRoomForEarly(run, step.actions, snapshot.beads)
  const { memory } = scope
  const sending = actions.flatMap((a) =>
    a.kind === 'dispatch' ? [[a.bead.number!, a.bead.attempt] as const] : [],
  )
  memory?.sending(repo, goal, new Map(sending))
  try {
    await stepOn(run, actions, read, snapshot.pulls)
  } catch (error) {
    // What the step left half done is not known: the next merge waits for a step before it dispatches.
    memory?.forget(repo, goal)
    throw error
  } finally {
    memory?.sent(repo, goal)
  }
  // A closed goal dispatches nothing more: nothing of it need be remembered.
  if (actions.some((action) => action.kind === 'close-goal')) memory?.close(repo, goal)
  else if (memory) {
    memory.remember(repo, goal, {
      beads: [...run.beads.values()].map((bead) => schedulerBeadOf(bead, snapshot.outputs)),
      limits: { maxWorkers: policy.maxWorkers, ...(policy.perRole ? { perRole: policy.perRole } : {}) },
      workflow: scope.config.worker_workflow,
      defaultBranch: scope.defaultBranch,
    })
    const unborne = memory.dropUnborne(repo, goal, (after) => {
      const status = run.beads.get(after)?.status
      return status !== undefined && status !== 'in_progress' && status !== 'in_review'
    })
    for (const early of unborne) {
      scope.log.warn(
        { bead: early.bead, attempt: early.attempt, after: early.after },
        'a dispatch sent on a merge was not borne out by the step: its worker finds an earlier attempt and stops',
      )
    }
  }
  return { actions, beads: [...run.beads.values()], wakeAt: run.wakeAt }
}

/** Carries out the step's actions, lands what the Refinery may, and reports on the goal. */
async function stepOn(
  run: StepRun,
  actions: readonly GoalAction[],
  read: GoalBeads,
  pulls: GoalSnapshot['pulls'],
): Promise<void> {
  const { scope } = run
  await carryOutAll(run, actions)

  // The Refinery: update and merge the in-review PRs (merge: auto), or say what each waits for.
  const lane = await landPulls(scope, [...run.beads.values()], pulls)
  run.wakeAt.push(...lane.wakeAt)

  // The board follows statuses that workers and people set, not only the Mayor's own moves.
  for (const record of read.beads) {
    await showOnBoard(
      scope,
      record.issue.node_id,
      run.beads.get(record.issue.number)?.status ?? record.bead.status,
    )
  }
  await repairMirrors(run, read, actions)
  await reportProgress(run, read, actions, lane)
}

/**
 * The step's actions, with as many of its dispatches dropped (the last in priority first) as slots are
 * held by dispatches sent on a merge that this step's read does not show yet: together they would run
 * more workers than `max_workers` allows. A dropped bead stays as it was; a later step dispatches it.
 */
function leaveRoomForEarly(run: StepRun, actions: GoalAction[], before: readonly Bead[]): GoalAction[] {
  const { scope } = run
  const dispatches = actions.filter(
    (a): a is Extract<GoalAction, { kind: 'dispatch' }> => a.kind === 'dispatch',
  )
  const early = scope.memory?.early(scope.repo, scope.goal) ?? []
  if (dispatches.length === 0 || early.length === 0) return actions
  const hidden = early.filter((e) => {
    const bead = run.beads.get(e.bead)
    return bead?.status !== 'in_progress' || bead.attempt < e.attempt
  }).length
  const busy = [...run.beads.values()].filter((bead) => bead.status === 'in_progress').length
  const excess = Math.min(dispatches.length, busy + hidden - scope.config.max_workers)
  if (excess <= 0) return actions
  const dropped = new Set(dispatches.slice(dispatches.length - excess))
  const original = new Map(before.map((bead) => [bead.number!, bead]))
  for (const action of dropped) {
    const number = action.bead.number!
    run.beads.set(number, original.get(number)!)
    scope.log.info({ bead: number }, 'dispatch left for a later step: a merge took the slot first')
  }
  return actions.filter((action) => action.kind !== 'dispatch' || !dropped.has(action))
}

/** The goal step's policy, from the repository's config. */
function policyOf(scope: GoalScope): GoalPolicy {
  const { config, deps } = scope
  return {
    maxWorkers: config.max_workers,
    perRole: config.role_limits,
    maxAttempts: config.max_attempts,
    retryBaseMs: config.retry.base_delay_seconds * 1000,
    retryMaxMs: config.retry.max_delay_seconds * 1000,
    reviewRounds: config.review_rounds,
    leaseMs: config.lease_minutes * 60_000,
    ...(deps.reportGraceMs !== undefined ? { reportGraceMs: deps.reportGraceMs } : {}),
  }
}

/**
 * Carries out the step's actions: first the bead updates, all at once (each writes its own bead), then
 * the dispatches, all at once, each followed by its bead's write; then the rest in order. Dispatches wait
 * for every update, so a dependent starts after its dependency shows as completed. Every write of a
 * phase ends before the next phase or the job ends, even when one of them fails.
 */
async function carryOutAll(run: StepRun, actions: readonly GoalAction[]): Promise<void> {
  const phase = async (kind: GoalAction['kind']) => {
    const results = await Promise.allSettled(
      actions.filter((action) => action.kind === kind).map((action) => carryOut(run, action)),
    )
    const failed = results.find((result) => result.status === 'rejected')
    if (failed) throw failed.reason
  }
  await phase('update')
  await phase('dispatch')
  for (const action of actions) {
    if (action.kind !== 'update' && action.kind !== 'dispatch') await carryOut(run, action)
  }
}

/** Carries out one action of the step on GitHub. */
async function carryOut(run: StepRun, action: GoalAction): Promise<void> {
  const { scope, byNumber, done } = run
  switch (action.kind) {
    case 'update': {
      const record = byNumber.get(action.bead.number!)!
      record.issue = await writeBead(scope, action.bead, record.issue, done)
      if (action.bead.status !== action.from)
        await showOnBoard(scope, record.issue.node_id, action.bead.status)
      scope.log.info(
        { bead: action.bead.number, from: action.from, to: action.bead.status, reason: action.reason },
        'bead moved',
      )
      return
    }
    case 'dispatch': {
      const record = byNumber.get(action.bead.number!)!
      // GitHub's budget runs low, or a secondary limit holds: the bead stays as it was and the goal
      // wakes when the budget allows, rather than sending work into a limit.
      // A merge dispatched it already, on what the Mayor knew: this step bears that out by writing it.
      const taken = scope.memory?.takeEarly(scope.repo, scope.goal, action.bead.number!, action.bead.attempt)
      const early = taken ? await taken.sent : null
      const hold = early ? undefined : (run.paced ?? scope.budget?.hold(scope.repo.owner))
      const bead = early
        ? { ...action.bead, ...(early.runId === undefined ? {} : { assignedTo: early.runId }) }
        : hold
          ? undefined
          : await dispatchBead(scope, action.bead)
      if (!bead) {
        const paced = hold ?? scope.budget?.hold(scope.repo.owner) ?? fallbackHold(scope)
        run.paced = paced
        // A bead whose dependencies just completed shows as ready while it waits.
        const waiting =
          record.bead.status === 'pending'
            ? transition(record.bead, 'ready', { now: scope.deps.now(), reason: 'its dependencies are done' })
            : record.bead
        if (waiting !== record.bead) record.issue = await writeBead(scope, waiting, record.issue, done)
        run.beads.set(waiting.number!, waiting)
        run.wakeAt.push(paced.until)
        scope.log.info({ bead: record.bead.number, until: paced.until }, 'dispatch paced')
        return
      }
      run.beads.set(bead.number!, bead)
      record.issue = await writeBead(scope, bead, record.issue, done)
      await showOnBoard(scope, record.issue.node_id, bead.status)
      return
    }
    case 'needs-human':
      run.needsHuman.push({ bead: action.bead.number!, reason: action.reason })
      return askForPerson(scope, byNumber.get(action.bead.number!)!, action.bead, action.reason, done)
    case 'wake':
      run.wakeAt.push(action.at)
      return
    case 'close-goal':
      return closeGoal(run)
    case 'stuck':
      return
  }
}

/** When GitHub refused a dispatch with a rate limit the budget did not see (no headers): a minute. */
function fallbackHold(scope: GoalScope): PacingHold {
  return { until: scope.deps.now() + 60_000, reason: 'GitHub answered the dispatch with a rate limit' }
}

/**
 * Dispatches the worker for a bead: the bead with its run, or failed with the reason and the fix, or
 * undefined when GitHub's rate limits refused it (the bead waits; the budget knows until when).
 */
async function dispatchBead(scope: GoalScope, bead: Bead): Promise<Bead | undefined> {
  const { api, repo, log, deps } = scope
  try {
    const run = await dispatchWorkflow(api, repo, scope.config.worker_workflow, scope.defaultBranch, {
      bead: String(bead.number),
      attempt: String(bead.attempt),
    })
    log.info(
      { bead: bead.number, attempt: bead.attempt, run: run?.runId },
      `bead dispatched to ${runLink(scope, run?.runId)}`,
    )
    if (!run) return bead
    scope.facts.noteDispatchedRun(repo, run, bead.number!)
    return { ...bead, assignedTo: String(run.runId) }
  } catch (error) {
    // GitHub's passing trouble is no fault of the bead: a rate limit paces dispatch; anything else runs
    // the job again (job-queue.ts), which dispatches.
    const passing = passingFailure(error)
    if (passing === 'rate-limit' && scope.budget) return undefined
    if (passing !== undefined) throw error
    const status = statusOf(error)
    const reason =
      status === 404 || status === 422
        ? `could not dispatch .github/workflows/${scope.config.worker_workflow} (GitHub answered ${status}): add the worker workflow (\`npx gastown init\`) or set \`worker_workflow\` in .github/gastown.yml`
        : `could not dispatch the worker: ${(error as Error).message}`
    log.error({ bead: bead.number, err: (error as Error).message }, 'dispatch failed')
    return {
      ...bead,
      status: 'failed',
      error: reason,
      failures: (bead.failures ?? 0) + 1,
      updatedAt: deps.now(),
    }
  }
}

/** Writes the bead and says on its issue, once (edited in place), that it needs a person and why. */
async function askForPerson(
  scope: GoalScope,
  record: BeadRecord,
  bead: Bead,
  reason: string,
  done: ReadonlySet<number>,
): Promise<void> {
  record.issue = await writeBead(scope, bead, record.issue, done)
  await upsertComment(
    scope.api,
    scope.repo,
    bead.number!,
    formatTag('needs-human', { bead: bead.number! }),
    `🙋 **This bead needs a person.** ${inertText(reason, { multiline: true })}\n\nFix what is wrong, then comment \`/gastown retry\` here to try again, or close the issue to cancel it.`,
    scope.bot ? { author: scope.bot } : {},
  )
}

/** Posts the goal's summary and closes it as completed. */
async function closeGoal(run: StepRun): Promise<void> {
  const { scope, goalIssue, known } = run
  const { api, repo, goal, deps } = scope
  const all = [...run.beads.values()]
  // Found by its tag, so a Mayor that died between this comment and the close posts it only once.
  await upsertComment(
    api,
    repo,
    goal,
    formatTag('summary', { goal }),
    renderSummary(all, Date.parse(goalIssue.created_at), deps.now()),
    { ...(scope.bot ? { author: scope.bot } : {}), ...(known?.comments ? { known: known.comments } : {}) },
  )
  await updateIssue(api, repo, goal, { state: 'closed', state_reason: 'completed' })
  scope.log.info({ beads: all.length }, 'goal done and closed')
}

/**
 * Mirrors people edited or a crash left half-written (labels, task list): puts them back in step with
 * the marker, which is the truth. Beads the step wrote are already in step.
 */
async function repairMirrors(run: StepRun, read: GoalBeads, actions: readonly GoalAction[]): Promise<void> {
  const { scope, beads, done } = run
  const written = new Set(actions.flatMap((a) => ('bead' in a ? [a.bead.number!] : [])))
  for (const record of read.beads) {
    const { decoded } = record
    if (written.has(record.issue.number) || decoded.stateDrift) continue
    // A tick alone is not worth a write (a content-creating request, GitHub's scarcest limit): GitHub
    // shows each listed issue's state beside it anyway, and the bead's next write (its dispatch or its
    // end) ticks every dependency done by then.
    if (decoded.labelDrift || decoded.taskListDrift) {
      record.issue = await writeBead(scope, beads.get(record.issue.number) ?? record.bead, record.issue, done)
      scope.log.info({ bead: record.issue.number }, 'bead labels and task list repaired')
    }
  }
}

/** Refreshes the goal's progress comment: what runs, what waits and why, and who needs a person. */
async function reportProgress(
  run: StepRun,
  read: GoalBeads,
  actions: readonly GoalAction[],
  lane: LaneResult,
): Promise<void> {
  const { scope, goalIssue, known, needsHuman, wakeAt } = run
  const { api, repo, goal, log, deps } = scope
  const all = [...run.beads.values()]
  for (const bead of all) {
    if (bead.needsHuman && !needsHuman.some((n) => n.bead === bead.number)) {
      needsHuman.push({ bead: bead.number!, reason: bead.error ?? 'see the bead' })
    }
  }
  const closing = actions.some((a) => a.kind === 'close-goal')
  const running = all.filter((b) => b.status === 'in_progress').length
  const stall = closing
    ? undefined
    : stallReport({
        beads: all,
        dispatched: actions.filter((a) => a.kind === 'dispatch').length,
        timers: wakeAt.length,
        landed: lane.merged.length + lane.updated.length,
        waits: lane.waits,
        maxWorkers: scope.config.max_workers,
        ...(scope.config.role_limits ? { perRole: scope.config.role_limits } : {}),
      })
  if (stall) log.info({ waiting: stall.lines.length }, 'goal stalled: reported on the goal')
  const headline = closing
    ? '🏁 Every bead is done; the goal is closed.'
    : stall
      ? renderStallReport(stall)
      : `${running} worker${running === 1 ? '' : 's'} busy.`
  const body = renderProgress(goal, all, {
    headline: run.paced ? `${pacedLine(run.paced)}\n\n${headline}` : headline,
    unreadable: read.unreadable,
    needsHuman,
    waits: lane.waits,
    startedAt: Date.parse(goalIssue.created_at),
    now: deps.now(),
  })
  if (scope.progress) {
    // Closing, and a sweep, write at once; other steps' edits are coalesced (progress-comment.ts).
    await scope.progress.write({ api, repo, goal, bot: scope.bot }, body, {
      coalesce: !closing && !scope.fresh,
    })
    return
  }
  await upsertComment(api, repo, goal, progressTag(goal), body, {
    author: scope.bot,
    ...(known?.comments ? { known: known.comments } : {}),
  })
}

/** The progress line of a goal whose dispatch waits for GitHub's rate limits. */
function pacedLine(hold: PacingHold): string {
  const at = new Date(hold.until).toISOString().slice(11, 19)
  return `⏸️ **Dispatch is paced:** ${hold.reason}. Ready beads wait until ${at} UTC, then the Mayor dispatches them by itself.`
}
