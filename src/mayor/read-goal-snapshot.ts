/**
 * Reads what a goal step decides on besides the beads: the pull requests, reviews and runs the beads
 * point at. A bead's PR usually came with its issue in the goal query (read-beads.ts, one GraphQL round
 * trip); otherwise it comes from the facts webhooks gave when the scope allows it, or from REST. A closed
 * bead issue always has its PR read afresh: whether the PR merged decides between completed and cancelled.
 * A worker run is known from its dispatch and its `workflow_run` webhooks; REST reads it when those are
 * missing (a restart) or as old as the lease, and on sweeps.
 */
import type { Bead } from '../core/bead.js'
import type { GoalSnapshot, PullSnapshot, RunSnapshot } from '../core/goal-step.js'
import type { LinkedPull } from '../github/goal-query.js'
import { getPull } from '../github/pulls.js'
import { keepTrusted, type ReviewerTrust } from '../github/reviewer-trust.js'
import { listReviews, type ReviewData } from '../github/reviews.js'
import { getWorkflowRun } from '../github/workflows.js'
import type { GoalScope } from './goal-scope.js'
import type { BeadRecord } from './read-beads.js'
import { latestTrustedChangeRequest, scopeReviewerTrust } from './trusted-reviews.js'

/** The goal's snapshot for core's goal step. */
export async function readGoalSnapshot(scope: GoalScope, records: BeadRecord[]): Promise<GoalSnapshot> {
  const { repo, facts } = scope
  const pulls = new Map<number, PullSnapshot>()
  const runs = new Map<string, RunSnapshot | null>()
  const reads: Promise<void>[] = []
  const asked = new Set<string>()
  // One per step: it remembers whose permission it already read.
  const trust = scopeReviewerTrust(scope)
  const beads: Bead[] = []
  for (const record of records) {
    const { issue, pulls: linkedPulls } = record
    const bead = withClosingMerge(record)
    beads.push(bead)
    // Only the bot's bead issues are records: their marker's goal routes later events (find-goal.ts).
    facts.noteBeadGoal(repo, issue.number, bead.goal)
    if (bead.assignedTo !== undefined) facts.noteRunBead(repo, bead.assignedTo, issue.number)
    facts.noteReportOf(repo, bead)
    if (bead.status === 'completed' || bead.status === 'cancelled') continue
    const pr = bead.pr
    if (pr !== undefined && !asked.has(`pr:${pr}`)) {
      asked.add(`pr:${pr}`)
      // Read with the bead issue a moment ago: as fresh as a REST read, so sweeps take it too.
      const linked = linkedPulls?.find((candidate) => candidate.number === pr)
      // An in-review PR's mergeability changes whenever its base moves, which no event of the PR tells.
      const cached =
        scope.fresh || issue.state === 'closed' || bead.status === 'in_review'
          ? undefined
          : facts.pull(repo, pr)
      if (linked)
        reads.push(
          linkedSnapshot(scope, linked, bead.status === 'in_review' ? trust : undefined).then(
            (read) => void pulls.set(pr, read),
          ),
        )
      else if (cached) pulls.set(pr, cached)
      else
        reads.push(
          readPull(scope, pr, bead.status === 'in_review' ? trust : undefined).then(
            (read) => void pulls.set(pr, read),
          ),
        )
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
      // The dispatch and the run's webhooks keep it current; a snapshot as old as the lease is read
      // again, so a run whose events went missing is never failed on its dispatch-time facts alone.
      if (
        cached &&
        (cached.status === 'completed' ||
          scope.deps.now() - cached.updatedAt < scope.config.lease_minutes * 60_000)
      )
        runs.set(runId, cached)
      else reads.push(readRun(scope, runId).then((read) => void runs.set(runId, read)))
    }
  }
  // The reads are independent: in parallel, so a step waits for the slowest, not for their sum.
  await Promise.all(reads)
  return {
    now: scope.deps.now(),
    beads,
    issues: new Map(
      records.map((r) => [r.issue.number, { state: r.issue.state, stateReason: r.issue.state_reason }]),
    ),
    pulls,
    runs,
    outputs: Object.fromEntries(Object.values(scope.roles).map((role) => [role.name, role.output])),
  }
}

/**
 * The bead, with the merged PR that closed its issue when its marker names no merged PR. A merge closes
 * the issue at once, while the worker writes the PR into the marker only after opening it (and a person
 * may merge their own PR that closes the bead): without this, such a bead would count as closed by a
 * person, and cancelled, although its work was merged.
 */
function withClosingMerge({ bead, issue, pulls }: BeadRecord): Bead {
  if (issue.state !== 'closed' || bead.status === 'completed' || bead.status === 'cancelled') return bead
  if (pulls?.some((pull) => pull.number === bead.pr && pull.merged)) return bead
  const merged = pulls?.find((pull) => pull.merged)
  return merged ? { ...bead, pr: merged.number } : bead
}

/** A PR as the goal query read it, with its trusted reviews when given `trust`; noted in the facts cache. */
async function linkedSnapshot(
  scope: GoalScope,
  pull: LinkedPull,
  trust?: ReviewerTrust,
): Promise<PullSnapshot> {
  const snapshot: PullSnapshot = {
    state: pull.state,
    merged: pull.merged,
    mergeable: pull.mergeable,
    mergeableState: pull.mergeableState,
    headSha: pull.headSha,
    draft: pull.draft,
  }
  // Reviews past the query's page are read by REST, page after page.
  return withTrustedReviews(scope, pull.number, snapshot, trust, pull.reviews)
}

/** A PR as the step sees it, with its trusted reviews when given `trust`; noted in the facts cache. */
async function readPull(scope: GoalScope, number: number, trust?: ReviewerTrust): Promise<PullSnapshot> {
  const pull = await getPull(scope.api, scope.repo, number)
  const snapshot: PullSnapshot = {
    state: pull.state,
    merged: pull.merged,
    mergeable: pull.mergeable,
    mergeableState: pull.mergeable_state,
    headSha: pull.head.sha,
    draft: pull.draft,
  }
  return withTrustedReviews(scope, number, snapshot, trust)
}

/** Adds an open PR's trusted reviews (`known`, or read by REST) when given `trust`, and notes the PR. */
async function withTrustedReviews(
  scope: GoalScope,
  number: number,
  snapshot: PullSnapshot,
  trust: ReviewerTrust | undefined,
  known?: ReviewData[],
): Promise<PullSnapshot> {
  const { api, repo } = scope
  if (trust && snapshot.state === 'open') {
    // Only trusted reviewers' verdicts hold a merge or send a bead back (see trusted-reviews.ts).
    const { kept } = await keepTrusted(
      (known ?? (await listReviews(api, repo, number))).filter((r) => r.submitted_at !== null),
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
  scope.facts.notePull(repo, number, snapshot)
  return snapshot
}

/** A worker run as the step sees it (null when GitHub has no such run); noted in the facts cache. */
async function readRun(scope: GoalScope, id: string): Promise<RunSnapshot | null> {
  const run = await getWorkflowRun(scope.api, scope.repo, Number(id))
  return run && scope.facts.noteRunData(scope.repo, run)
}
