/**
 * A review role's run (output `review`): the PRs of its dependencies go into the prompt with their
 * diffs and are checked out so the agent can run their tests; the agent's reviews are validated, their
 * inline comments checked against the diff hunks (the rest moved into the body), and posted one per
 * PR. A review that requests changes sends the developer bead back for another round, within the
 * config's limit; otherwise the reviewer bead is completed.
 */
import type { Bead } from '../../core/bead.js'
import { transition } from '../../core/bead-status.js'
import { statusOf } from '../../github/client.js'
import { getPull, listPullFiles, type PullData, type PullFile } from '../../github/pulls.js'
import { createReview } from '../../github/reviews.js'
import type { ChatModel } from '../../llm/chat-model.js'
import { runAgent } from '../agent/agent-loop.js'
import { validateEffects, type AgentOutcome, type Review } from '../agent/effects.js'
import { agentOptions, CHANGE_LIMITS, protectedPaths } from './agent-options.js'
import { saveBead, type LoadedBead } from './bead-issue.js'
import {
  failBead,
  forGitHub,
  refreshBead,
  saveWithUsage,
  timed,
  type BeadResult,
  type BeadRun,
} from './bead-run.js'
import { partitionComments } from './diff-lines.js'
import { dependencyInfo, loadGoalAndDependencies, readConventions } from './gather-context.js'
import { preparePullHeads } from './git-workspace.js'
import type { ActionInputs } from './inputs.js'
import { describeStop } from './run-code-bead.js'
import { buildTaskMessage, type PullInfo } from './task-message.js'

/** A PR to review, with the bead it carries and its files. */
interface ReviewTarget {
  dependency: LoadedBead
  pull: PullData
  files: PullFile[]
}

/** A review ready to post: inline comments on diff lines, the others folded into the body. */
export interface PreparedReview {
  pr: number
  event: Review['event']
  body: string
  comments: { path: string; line: number; side: 'LEFT' | 'RIGHT'; body: string }[]
  moved: number
}

/** Checks a review's inline comments against the PR's diff and sanitises every text for GitHub. */
export function prepareReview(
  review: Review,
  files: readonly { filename: string; patch?: string }[],
  clean: (text: string, maxChars: number) => string,
): PreparedReview {
  const { valid, invalid } = partitionComments(review.comments, files)
  let body = clean(review.body, 50_000).trim()
  if (invalid.length > 0) {
    const moved = invalid.map(
      ({ comment, reason }) =>
        `- \`${comment.path}\` line ${comment.line} (${reason}): ${clean(comment.body, 4_000).replace(/\n/g, '\n  ')}`,
    )
    body = `${body}\n\n**Comments on lines outside the diff:**\n\n${moved.join('\n')}`.trim()
  }
  if (body === '')
    body = review.event === 'REQUEST_CHANGES' ? 'Changes requested; see the inline comments.' : 'Reviewed.'
  return {
    pr: review.pr,
    event: review.event,
    body,
    comments: valid.map((comment) => ({
      path: comment.path,
      line: comment.line,
      side: comment.side ?? 'RIGHT',
      body: clean(comment.body, 8_000),
    })),
    moved: invalid.length,
  }
}

/** Runs a reviewer bead to completed or pending (another round), or to failed. */
export async function runReviewBead(
  run: BeadRun,
  inputs: ActionInputs,
  model: ChatModel,
): Promise<BeadResult> {
  const { deps } = run
  const { api, repo } = deps
  const gathered = await timed(run, 'context', async () => {
    const [{ goal, dependencies }, conventions] = await Promise.all([
      loadGoalAndDependencies(api, repo, run.bead, deps.dispatcher, run.goal, run.siblings),
      readConventions(deps.workspace),
    ])
    const targets: ReviewTarget[] = []
    for (const dependency of dependencies.loaded) {
      if (dependency.bead.pr === undefined) continue
      const pull = await getPull(api, repo, dependency.bead.pr)
      if (pull.state !== 'open') continue
      targets.push({ dependency, pull, files: await listPullFiles(api, repo, pull.number) })
    }
    return { goal, dependencies, conventions, targets }
  })
  const { targets } = gathered
  if (targets.length === 0) {
    const problems =
      gathered.dependencies.problems.length > 0 ? ` (${gathered.dependencies.problems.join('; ')})` : ''
    return failBead(
      run,
      `none of the dependencies #${run.bead.dependencies.join(', #')} has an open pull request to review${problems}`,
    )
  }

  const local = await timed(run, 'prepare', () =>
    preparePullHeads(
      deps.workspace,
      deps.remote,
      targets.map((target) => ({ number: target.pull.number, headRef: target.pull.head.ref })),
    ),
  )
  const pulls: PullInfo[] = targets.map((target) => ({
    number: target.pull.number,
    title: target.pull.title,
    body: target.pull.body,
    localBranch: local.get(target.pull.number)!,
    bead: {
      number: target.dependency.bead.number!,
      title: target.dependency.bead.title,
      description: target.dependency.bead.description,
    },
    files: target.files,
  }))
  const prNumbers = targets.map((target) => target.pull.number)
  await run.progress.phase(`Reviewing PR ${prNumbers.map((pr) => `#${pr}`).join(', ')}`)

  const message = buildTaskMessage({
    bead: run.bead,
    goal: gathered.goal,
    dependencies: gathered.dependencies.loaded.map(dependencyInfo),
    conventions: gathered.conventions,
    pulls,
    allowApprove: run.config.allow_approve,
    secrets: deps.secrets,
  })
  const outcome = await timed(run, 'agent', () =>
    runAgent({
      ...agentOptions(run, inputs, model, message),
      reviewPrNumbers: prNumbers,
      allowApprove: run.config.allow_approve,
    }),
  )
  run.usage = { tokens: outcome.usage.tokens, costUsd: outcome.usage.costUsd }
  const result = await timed(run, 'apply', () => applyReviews(run, outcome, targets))
  return { ...result, outcome }
}

async function applyReviews(
  run: BeadRun,
  outcome: AgentOutcome,
  targets: readonly ReviewTarget[],
): Promise<BeadResult> {
  const { api, repo } = run.deps
  // A reviewer commits nothing, so files its test runs left behind are not effects.
  const verdict = validateEffects(
    { ...outcome, changedFiles: [] },
    {
      protectedPaths: protectedPaths(run.config),
      maxFiles: CHANGE_LIMITS.maxFiles,
      maxFileBytes: CHANGE_LIMITS.maxFileBytes,
      allowApprove: run.config.allow_approve,
      ownPrNumbers: targets.map((target) => target.pull.number),
    },
  )
  if (!verdict.ok) {
    return failBead(
      run,
      `the agent's reviews were refused, nothing was posted:\n- ${verdict.errors.join('\n- ')}`,
    )
  }
  if (outcome.status !== 'finished') return failBead(run, `${describeStop(outcome)}; no review was posted`)
  const reviews = verdict.effects.reviews
  if (reviews.length === 0) return failBead(run, 'the agent finished without submitting a review')
  await run.progress.phase('Posting the reviews')

  const clean = (text: string, max: number) => forGitHub(run, text, max)
  const posted: PreparedReview[] = []
  for (const review of reviews) {
    const target = targets.find((entry) => entry.pull.number === review.pr)!
    const prepared = prepareReview(review, target.files, clean)
    try {
      await createReview(api, repo, prepared.pr, prepared)
    } catch (error) {
      // GitHub refuses REQUEST_CHANGES (and APPROVE) on a PR its author reviews: when the workers share
      // one identity, the verdict goes out as a comment that says so, and still counts as ours.
      if (statusOf(error) !== 422 || prepared.event === 'COMMENT') throw error
      const verdictWord = prepared.event === 'REQUEST_CHANGES' ? 'Changes requested' : 'Approved'
      await createReview(api, repo, prepared.pr, {
        ...prepared,
        event: 'COMMENT',
        body: `**${verdictWord}** (posted as a comment: GitHub refused the ${prepared.event} event for this reviewer)\n\n${prepared.body}`,
      })
    }
    posted.push(prepared)
    run.log.info(
      { pr: prepared.pr, event: prepared.event, inline: prepared.comments.length, moved: prepared.moved },
      'posted a review',
    )
  }

  const unreviewed = targets.filter((target) => !posted.some((review) => review.pr === target.pull.number))
  const verdicts = posted.map((review) => `PR #${review.pr}: ${review.event}`).join('; ')
  const missing =
    unreviewed.length > 0
      ? ` Not reviewed: ${unreviewed.map((target) => `#${target.pull.number}`).join(', ')}.`
      : ''
  const summary = clean(`${verdicts}.${missing}\n\n${verdict.effects.summary}`, 4_000)
  const requested = new Set(
    posted.filter((review) => review.event === 'REQUEST_CHANGES').map((review) => review.pr),
  )
  const round = run.bead.round ?? 0
  const now = run.deps.clock.now()

  if (requested.size > 0 && round < run.config.review_rounds) {
    const sentBack: number[] = []
    for (const target of targets) {
      if (!requested.has(target.pull.number)) continue
      const sent = await sendBack(run, target.dependency, now)
      if (sent) sentBack.push(target.dependency.bead.number!)
    }
    const current = await refreshBead(run)
    const next = transition(current, 'pending', { now, result: summary })
    next.round = round + 1
    await saveWithUsage(run, next)
    const message = `changes requested; bead ${sentBack.map((n) => `#${n}`).join(', ') || '(none)'} sent back for round ${round + 1}`
    await run.progress.phase(`Done: ${message}. This reviewer looks again once the fixes are in review.`)
    return { status: 'pending', message }
  }
  const current = await refreshBead(run)
  const next = transition(current, 'completed', { now, result: summary })
  await saveWithUsage(run, next)
  const limit =
    requested.size > 0
      ? ` (changes requested, but the ${run.config.review_rounds} review rounds are used up)`
      : ''
  await run.progress.phase(`Done: reviews posted${limit}`)
  return { status: 'completed', message: `reviews posted: ${verdicts}${limit}` }
}

/** Moves a developer bead whose PR got REQUEST_CHANGES back to ready, one round further. */
async function sendBack(run: BeadRun, dependency: LoadedBead, now: number): Promise<boolean> {
  const { bead, issue } = dependency
  if (bead.status !== 'in_review') {
    run.log.warn({ dependency: bead.number, status: bead.status }, 'not sent back: the bead is not in review')
    return false
  }
  const next: Bead = transition(bead, 'ready', { now })
  next.round = (bead.round ?? 0) + 1
  await saveBead(run.deps.api, run.deps.repo, next, issue)
  return true
}
