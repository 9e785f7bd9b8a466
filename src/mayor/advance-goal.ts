/**
 * Advances a goal: reads its state from GitHub, takes core's goal step, and carries out the moves
 * (bead updates, dispatches, comments, closing the goal), then refreshes the progress comment. Safe to
 * run at any time and any number of times: the step reads state, not events.
 */
import type { Bead } from '../core/bead.js'
import { encodeBead } from '../core/bead-codec.js'
import { formatTag } from '../core/bead-marker.js'
import { inertText } from '../core/markdown-escape.js'
import {
  goalStep,
  type GoalAction,
  type GoalSnapshot,
  type PullSnapshot,
  type RunSnapshot,
} from '../core/goal-step.js'
import { renderStallReport, stallReport } from '../core/stall-report.js'
import { statusOf } from '../github/client.js'
import { upsertComment, type CommentData } from '../github/comments.js'
import { getIssue, updateIssue, type IssueData } from '../github/issues.js'
import { getPull } from '../github/pulls.js'
import { listReviews } from '../github/reviews.js'
import { dispatchWorkflow, getWorkflowRun } from '../github/workflows.js'
import { showOnBoard } from './board.js'
import { progressTag, renderProgress, renderSummary } from './goal-comments.js'
import type { GoalScope } from './goal-scope.js'
import { keepTrusted } from '../github/reviewer-trust.js'
import { latestTrustedChangeRequest, scopeReviewerTrust } from './trusted-reviews.js'
import { passingFailure } from './job-retry.js'
import { landPulls } from './merge-lane.js'
import { readGoalBeads, type BeadRecord, type GoalBeads } from './read-beads.js'

/** What an advance did, for logs and tests. */
export interface AdvanceResult {
  actions: GoalAction[]
  beads: Bead[]
  /** Times at which another advance is due (retries after backoff). */
  wakeAt: number[]
}

/**
 * Reads the pull requests, reviews and runs that the beads point at, from the facts webhooks gave when
 * the scope allows it. A closed bead issue always has its PR read afresh: whether the PR merged decides
 * between completed and cancelled.
 */
async function readSnapshot(scope: GoalScope, records: BeadRecord[]): Promise<GoalSnapshot> {
  const { api, repo, facts } = scope
  const pulls = new Map<number, PullSnapshot>()
  const runs = new Map<string, RunSnapshot | null>()
  const reads: Promise<void>[] = []
  const trust = scopeReviewerTrust(scope)
  const readPull = async (number: number, withReviews: boolean): Promise<void> => {
    const pull = await getPull(api, repo, number)
    const snapshot: PullSnapshot = {
      state: pull.state,
      merged: pull.merged,
      mergeable: pull.mergeable,
      mergeableState: pull.mergeable_state,
      headSha: pull.head.sha,
      draft: pull.draft,
    }
    if (withReviews && pull.state === 'open') {
      // Only trusted reviewers' verdicts hold a merge or send a bead back (see trusted-reviews.ts).
      const { kept } = await keepTrusted(
        (await listReviews(api, repo, number)).filter((r) => r.submitted_at !== null),
        (review) => review.user,
        trust,
      )
      snapshot.reviews = kept.map((r) => ({ state: r.state, body: r.body ?? '' }))
      const latest = await latestTrustedChangeRequest(kept, trust)
      if (latest) {
        snapshot.changesRequestedAt = Date.parse(latest.submitted_at!)
        if (latest.user) snapshot.changesRequestedBy = latest.user
      }
    }
    pulls.set(number, snapshot)
    facts.notePull(repo, number, snapshot)
  }
  const readRun = async (id: string): Promise<void> => {
    const run = await getWorkflowRun(api, repo, Number(id))
    const snapshot = run && {
      status: run.status ?? 'queued',
      conclusion: run.conclusion,
      updatedAt: Date.parse(run.updated_at),
      htmlUrl: run.html_url,
    }
    runs.set(id, snapshot)
    if (snapshot) facts.noteRun(repo, id, snapshot)
  }
  const asked = new Set<string>()
  for (const { bead, issue } of records) {
    if (bead.status === 'completed' || bead.status === 'cancelled') continue
    if (bead.pr !== undefined && !asked.has(`pr:${bead.pr}`)) {
      asked.add(`pr:${bead.pr}`)
      // An in-review PR's mergeability changes whenever its base moves, which no event of the PR tells.
      const cached =
        scope.fresh || issue.state === 'closed' || bead.status === 'in_review'
          ? undefined
          : facts.pull(repo, bead.pr)
      if (cached) pulls.set(bead.pr, cached)
      else reads.push(readPull(bead.pr, bead.status === 'in_review'))
    }
    // A bead in a review round has both a PR and a run: both are read.
    const runId = bead.assignedTo
    if (
      bead.status === 'in_progress' &&
      runId !== undefined &&
      /^\d+$/.test(runId) &&
      !asked.has(`run:${runId}`)
    ) {
      asked.add(`run:${runId}`)
      const cached = scope.fresh ? undefined : facts.run(repo, runId)
      if (cached) runs.set(runId, cached)
      else reads.push(readRun(runId))
    }
  }
  // The reads are independent: in parallel, so a step waits for the slowest, not for their sum.
  await Promise.all(reads)
  return {
    now: scope.deps.now(),
    beads: records.map((r) => r.bead),
    issues: new Map(
      records.map((r) => [r.issue.number, { state: r.issue.state, stateReason: r.issue.state_reason }]),
    ),
    pulls,
    runs,
    outputs: Object.fromEntries(Object.values(scope.roles).map((role) => [role.name, role.output])),
  }
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
  comments: CommentData[]
}

/** Takes one step of the goal and carries it out. */
export async function advanceGoal(scope: GoalScope, known?: KnownState): Promise<AdvanceResult> {
  const { api, repo, goal, log, deps } = scope
  const goalIssue = known?.goalIssue ?? (await getIssue(api, repo, goal))
  const read = known?.read ?? (await readGoalBeads(api, repo, goal, scope.bot))
  const byNumber = new Map(read.beads.map((record) => [record.issue.number, record]))
  if (goalIssue.state === 'closed') {
    return { actions: [], beads: read.beads.map((r) => r.bead), wakeAt: [] }
  }

  const snapshot = await readSnapshot(scope, read.beads)
  const step = goalStep(
    snapshot,
    {
      maxWorkers: scope.config.max_workers,
      perRole: scope.config.role_limits,
      maxAttempts: scope.config.max_attempts,
      retryBaseMs: scope.config.retry.base_delay_seconds * 1000,
      retryMaxMs: scope.config.retry.max_delay_seconds * 1000,
      reviewRounds: scope.config.review_rounds,
      leaseMs: scope.config.lease_minutes * 60_000,
      ...(deps.reportGraceMs !== undefined ? { reportGraceMs: deps.reportGraceMs } : {}),
    },
    deps.random,
  )
  const beads = new Map(step.beads.map((bead) => [bead.number!, bead]))
  const done = new Set(step.beads.filter((b) => b.status === 'completed').map((b) => b.number!))
  const wakeAt: number[] = []
  const needsHuman: { bead: number; reason: string }[] = []

  for (const action of step.actions) {
    switch (action.kind) {
      case 'update': {
        const record = byNumber.get(action.bead.number!)!
        record.issue = await writeBead(scope, action.bead, record.issue, done)
        if (action.bead.status !== action.from)
          await showOnBoard(scope, record.issue.node_id, action.bead.status)
        log.info(
          { bead: action.bead.number, from: action.from, to: action.bead.status, reason: action.reason },
          'bead moved',
        )
        break
      }
      case 'dispatch': {
        const record = byNumber.get(action.bead.number!)!
        let bead = action.bead
        try {
          const run = await dispatchWorkflow(api, repo, scope.config.worker_workflow, scope.defaultBranch, {
            bead: String(bead.number),
            attempt: String(bead.attempt),
          })
          if (run) bead = { ...bead, assignedTo: String(run.runId) }
          log.info(
            { bead: bead.number, attempt: bead.attempt, run: run?.runId },
            `bead dispatched to ${runLink(scope, run?.runId)}`,
          )
        } catch (error) {
          // GitHub's passing trouble is no fault of the bead: the job runs again (app.ts) and dispatches.
          if (passingFailure(error) !== undefined) throw error
          const status = statusOf(error)
          const reason =
            status === 404 || status === 422
              ? `could not dispatch .github/workflows/${scope.config.worker_workflow} (GitHub answered ${status}): add the worker workflow (\`npx gastown init\`) or set \`worker_workflow\` in .github/gastown.yml`
              : `could not dispatch the worker: ${(error as Error).message}`
          bead = {
            ...bead,
            status: 'failed',
            error: reason,
            failures: (bead.failures ?? 0) + 1,
            updatedAt: deps.now(),
          }
          log.error({ bead: bead.number, err: (error as Error).message }, 'dispatch failed')
        }
        beads.set(bead.number!, bead)
        record.issue = await writeBead(scope, bead, record.issue, done)
        await showOnBoard(scope, record.issue.node_id, bead.status)
        break
      }
      case 'needs-human': {
        needsHuman.push({ bead: action.bead.number!, reason: action.reason })
        const record = byNumber.get(action.bead.number!)!
        record.issue = await writeBead(scope, action.bead, record.issue, done)
        await upsertComment(
          api,
          repo,
          action.bead.number!,
          formatTag('needs-human', { bead: action.bead.number! }),
          `🙋 **This bead needs a person.** ${inertText(action.reason, { multiline: true })}\n\nFix what is wrong, then comment \`/gastown retry\` here to try again, or close the issue to cancel it.`,
          scope.bot ? { author: scope.bot } : {},
        )
        break
      }
      case 'wake':
        wakeAt.push(action.at)
        break
      case 'close-goal': {
        const all = [...beads.values()]
        // Found by its tag, so a Mayor that died between this comment and the close posts it only once.
        await upsertComment(
          api,
          repo,
          goal,
          formatTag('summary', { goal }),
          renderSummary(all, Date.parse(goalIssue.created_at), deps.now()),
          { ...(scope.bot ? { author: scope.bot } : {}), ...(known ? { known: known.comments } : {}) },
        )
        await updateIssue(api, repo, goal, { state: 'closed', state_reason: 'completed' })
        log.info({ beads: all.length }, 'goal done and closed')
        break
      }
      case 'stuck':
        break
    }
  }

  // The Refinery: update and merge the in-review PRs (merge: auto), or say what each waits for.
  const lane = await landPulls(scope, [...beads.values()], snapshot.pulls)
  wakeAt.push(...lane.wakeAt)

  // The board follows statuses that workers and people set, not only the Mayor's own moves.
  for (const record of read.beads) {
    await showOnBoard(
      scope,
      record.issue.node_id,
      beads.get(record.issue.number)?.status ?? record.bead.status,
    )
  }

  // Mirrors people edited or a crash left half-written (labels, task list): put them back in step with the
  // marker, which is the truth. Beads written above are already in step.
  const written = new Set(step.actions.flatMap((a) => ('bead' in a ? [a.bead.number!] : [])))
  for (const record of read.beads) {
    const { decoded } = record
    if (written.has(record.issue.number) || decoded.stateDrift) continue
    const ticked = new Set(record.bead.dependencies.filter((dep) => done.has(dep)))
    const listed = new Set(
      [...(record.issue.body ?? '').matchAll(/^[ \t]*[-*+][ \t]+\[[xX]\][ \t]+#(\d+)/gm)].map((m) =>
        Number(m[1]),
      ),
    )
    const ticksDrift = [...ticked].some((dep) => !listed.has(dep))
    if (decoded.labelDrift || decoded.taskListDrift || ticksDrift) {
      record.issue = await writeBead(scope, beads.get(record.issue.number) ?? record.bead, record.issue, done)
      log.info({ bead: record.issue.number }, 'bead labels and task list repaired')
    }
  }

  for (const bead of beads.values()) {
    if (bead.needsHuman && !needsHuman.some((n) => n.bead === bead.number)) {
      needsHuman.push({ bead: bead.number!, reason: bead.error ?? 'see the bead' })
    }
  }
  const all = [...beads.values()]
  const closing = step.actions.some((a) => a.kind === 'close-goal')
  const running = all.filter((b) => b.status === 'in_progress').length
  const stall = closing
    ? undefined
    : stallReport({
        beads: all,
        dispatched: step.actions.filter((a) => a.kind === 'dispatch').length,
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
  await upsertComment(
    api,
    repo,
    goal,
    progressTag(goal),
    renderProgress(goal, all, {
      headline,
      unreadable: read.unreadable,
      needsHuman,
      waits: lane.waits,
      startedAt: Date.parse(goalIssue.created_at),
      now: deps.now(),
    }),
    { ...(scope.bot ? { author: scope.bot } : {}), ...(known ? { known: known.comments } : {}) },
  )
  return { actions: step.actions, beads: all, wakeAt }
}
