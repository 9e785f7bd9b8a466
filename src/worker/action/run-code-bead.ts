/**
 * A code role's run (output `pr`): check out the bead's branch, run the agent, build the commit in a
 * trusted clone, validate it, push it (never forced, never to the default branch), open or update the
 * one PR of the bead, answer the review comments it addressed, and move the bead to in_review. When
 * the agent runs out of budget or fails, the work so far is pushed so a retry continues from it.
 */
import { transition } from '../../core/bead-status.js'
import { neutralizeClosingKeywords } from '../../core/sanitize.js'
import { graphqlErrorsOf, githubSaid } from '../../github/github-error.js'
import type { IssueData } from '../../github/issues.js'
import {
  createPull,
  findPullsForBranch,
  getPull,
  openPullReading,
  updatePull,
  type PullData,
} from '../../github/pulls.js'
import { ACTIONS_BOT, keepTrusted, reviewerTrust } from '../../github/reviewer-trust.js'
import { listReviewComments, listReviews, replyToReviewComment } from '../../github/reviews.js'
import { statusOf } from '../../github/client.js'
import type { ChatModel } from '../../llm/chat-model.js'
import { runAgent } from '../agent/agent-loop.js'
import { describeChanges } from '../agent/changed-files.js'
import { validateEffects, type AgentOutcome } from '../agent/effects.js'
import { agentOptions, CHANGE_LIMITS, protectedPaths } from './agent-options.js'
import { branchFor, isPushableBranch } from './branch-name.js'
import {
  failBead,
  forGitHub,
  refreshBead,
  refreshBeadFrom,
  saveWithUsage,
  timed,
  type BeadResult,
  type BeadRun,
} from './bead-run.js'
import { dependencyInfo, loadGoalAndDependencies, readConventions } from './gather-context.js'
import {
  commitStaged,
  pushBranch,
  prepareBranch,
  remoteBranchSha,
  removeClone,
  stageInTrustedClone,
} from './git-workspace.js'
import type { ActionInputs } from './inputs.js'
import { renderPrBody } from './pr-body.js'
import {
  commitMerge,
  mergeDefaultBranch,
  ownChanges,
  pathsWithMarkers,
  rebaseSection,
  type DefaultBranchMerge,
} from './rebase-attempt.js'
import { buildTaskMessage, commentAnswers, type TaskContext } from './task-message.js'

/**
 * The commit message: title, blank line, summary, trailer. A closing keyword in the title or the
 * summary (both model text) is broken: a commit reaching the default branch would close that issue.
 */
export function commitMessage(title: string, summary: string, bead: number): string {
  const body = neutralizeClosingKeywords(summary.trim())
  const line = neutralizeClosingKeywords(title.replace(/\s+/g, ' ').trim())
  return `${line}\n\n${body === '' ? 'No summary.' : body}\n\nGastown-Bead: #${bead}\n`
}

/** Where the bead's work lives: its branch, the PR already open for it, and where to start from. */
interface Target {
  branch: string
  pull?: PullData
  /** The server branch the work starts from: the bead's branch when it exists, else the default. */
  source: string
}

async function findTarget(run: BeadRun): Promise<Target> {
  const { api, repo } = run.deps
  const { bead } = run
  let branch = branchFor(bead.number!, bead.title)
  let pull: PullData | undefined
  if (bead.pr !== undefined) {
    const known = await getPull(api, repo, bead.pr)
    // A marker's PR is followed only onto this bead's own branch, never onto another bead's or a person's.
    const own = known.head.ref.startsWith(`gastown/${bead.number}-`)
    if (known.state === 'open' && own && isPushableBranch(known.head.ref, run.defaultBranch)) {
      pull = known
      branch = known.head.ref
    }
  }
  const existing = await remoteBranchSha(run.deps.workspace, run.deps.remote, branch)
  // An open PR needs its head branch (deleting the branch closes it): no branch, no PR to look for.
  // Were one open anyway, creating the PR answers 422 and the open one is found then (openOrUpdatePull).
  if (pull === undefined && existing !== null) pull = (await findPullsForBranch(api, repo, branch, 'open'))[0]
  return {
    branch,
    source: existing === null ? run.defaultBranch : branch,
    ...(pull === undefined ? {} : { pull }),
  }
}

/** Runs a code bead to in_review, or to failed. */
export async function runCodeBead(run: BeadRun, inputs: ActionInputs, model: ChatModel): Promise<BeadResult> {
  const { deps } = run
  const { api, repo } = deps
  const number = run.bead.number!
  const target = await timed(run, 'context', () => findTarget(run))
  if (!isPushableBranch(target.branch, run.defaultBranch)) {
    return failBead(run, `the branch ${target.branch} is not one a worker may push to`)
  }

  const round = run.bead.round ?? 0
  const task = await timed(run, 'context', async (): Promise<TaskContext> => {
    const [{ goal, dependencies }, conventions] = await Promise.all([
      loadGoalAndDependencies(api, repo, run.bead, deps.dispatcher, run.goal, run.siblings),
      readConventions(deps.workspace),
    ])
    const context: TaskContext = {
      bead: run.bead,
      goal,
      dependencies: dependencies.loaded.map(dependencyInfo),
      conventions,
      branch: target.branch,
      secrets: deps.secrets,
    }
    if (round > 0 && target.pull !== undefined) {
      // Only reviews the Mayor acts on reach the prompt: an outsider's words never steer the agent.
      const trust = reviewerTrust(api, repo, { bots: [deps.dispatcher, ACTIONS_BOT] })
      const [reviews, comments] = await Promise.all([
        listReviews(api, repo, target.pull.number).then((all) => keepTrusted(all, (r) => r.user, trust)),
        listReviewComments(api, repo, target.pull.number).then((all) =>
          keepTrusted(all, (c) => c.user, trust),
        ),
      ])
      if (reviews.dropped + comments.dropped > 0) {
        run.log.info(
          { reviews: reviews.dropped, comments: comments.dropped },
          'left out reviews by accounts without write access',
        )
      }
      const answered = new Set(
        comments.kept.flatMap((comment) =>
          comment.in_reply_to_id === undefined ? [] : [comment.in_reply_to_id],
        ),
      )
      context.review = {
        pr: target.pull.number,
        round,
        reviews: reviews.kept.filter(
          (review) => review.state === 'CHANGES_REQUESTED' || review.state === 'COMMENTED',
        ),
        comments: comments.kept.filter(
          (comment) => comment.in_reply_to_id === undefined && !answered.has(comment.id),
        ),
      }
    }
    return context
  })

  const baseSha = await timed(run, 'prepare', () =>
    prepareBranch(deps.workspace, deps.remote, { branch: target.branch, source: target.source }),
  )
  run.log.info({ branch: target.branch, source: target.source, baseSha }, 'workspace ready')
  // Work that continues a branch first takes in what merged meanwhile: a rebase attempt resolves here.
  const rebase =
    target.source === target.branch
      ? await timed(run, 'prepare', () => mergeDefaultBranch(deps.workspace, deps.remote, run.defaultBranch))
      : undefined
  if (rebase?.merged) {
    run.log.info({ mainSha: rebase.mainSha, conflicts: rebase.conflicts }, 'merged the default branch')
  }
  await run.progress.phase(
    rebase?.merged && rebase.conflicts.length > 0
      ? `Resolving conflicts with ${run.defaultBranch} on branch ${target.branch}: ${rebase.conflicts.join(', ')}`
      : `Working on branch ${target.branch}`,
  )

  const message = [
    buildTaskMessage(task),
    rebase === undefined ? '' : rebaseSection(rebase, target.pull?.number, deps.secrets),
  ]
    .filter((part) => part !== '')
    .join('\n\n')
  const outcome = await timed(run, 'agent', () => runAgent(agentOptions(run, inputs, model, message)))
  run.usage = { tokens: outcome.usage.tokens, costUsd: outcome.usage.costUsd }
  await run.progress.phase(outcome.status === 'finished' ? 'Applying the changes' : 'Saving the work so far')

  const staged = await timed(run, 'apply', () =>
    stageInTrustedClone({
      workspace: deps.workspace,
      remote: deps.remote,
      source: target.source,
      branch: target.branch,
      baseSha,
      changes: outcome.changedFiles,
      tmpRoot: deps.tmpRoot,
    }),
  )
  try {
    const changed = await describeChanges(staged.dir, staged.staged)
    // What the merge brought from the default branch landed there through reviewed PRs: only the bead's
    // own changes are checked against the protected paths and the limits.
    const own = rebase?.merged
      ? await ownChanges(
          staged.dir,
          deps.remote,
          rebase,
          changed.map((file) => file.path),
        )
      : undefined
    const verdict = validateEffects(
      { ...outcome, changedFiles: own ? changed.filter((file) => own.has(file.path)) : changed },
      {
        protectedPaths: protectedPaths(run.config),
        maxFiles: CHANGE_LIMITS.maxFiles,
        maxFileBytes: CHANGE_LIMITS.maxFileBytes,
        allowApprove: false,
        ownPrNumbers: [],
      },
    )
    const markers = rebase?.merged ? await pathsWithMarkers(staged.dir, rebase.conflicts) : []
    const violations = [
      ...staged.refused.map((problem) => `changed file ${problem}`),
      ...verdict.errors,
      ...markers.map(
        (file) => `${file} still holds conflict markers (<<<<<<<, =======, >>>>>>>): resolve every conflict`,
      ),
    ]
    if (violations.length > 0) {
      return withOutcome(
        await failBead(
          run,
          `the agent's changes were refused, nothing was pushed:\n- ${violations.join('\n- ')}`,
        ),
        outcome,
      )
    }
    const effects = verdict.effects ?? outcome
    const summary = forGitHub(run, effects.summary, 4_000)
    const finished = outcome.status === 'finished'
    let sha: string | undefined
    if (changed.length > 0) {
      const note = finished
        ? summary
        : `Work in progress, saved when the run stopped: ${describeStop(outcome)}\n\n${summary}`
      sha = await timed(run, 'apply', async () => {
        const text = commitMessage(run.bead.title, note, number)
        const commit = rebase?.merged
          ? await commitMerge(staged.dir, rebase, text)
          : await commitStaged(staged.dir, text)
        await pushBranch(staged.dir, deps.remote, target.branch)
        return commit
      })
      run.log.info({ sha, branch: target.branch, files: changed.length }, 'pushed')
    }
    if (!finished) {
      const saved =
        sha === undefined
          ? 'nothing was changed'
          : `the work so far is on branch ${target.branch} (${sha.slice(0, 7)})`
      return withOutcome(await failBead(run, `${describeStop(outcome)}; ${saved}`), outcome)
    }
    if (sha === undefined && target.source !== target.branch) {
      return withOutcome(
        await failBead(
          run,
          'the agent finished without changing any file, so there is no pull request to open',
        ),
        outcome,
      )
    }
    return withOutcome(
      await timed(run, 'apply', () => openOrUpdatePull(run, target, effects, summary, task, sha, rebase)),
      outcome,
    )
  } finally {
    await removeClone(staged.dir)
  }
}

function withOutcome(result: BeadResult, outcome: AgentOutcome): BeadResult {
  return { ...result, outcome }
}

/** Why the agent stopped, naming the budget when one ran out. */
export function describeStop(outcome: AgentOutcome): string {
  if (outcome.status === 'budget_exhausted') {
    return `the ${(outcome.budget ?? 'unknown').replace('_', ' ')} budget ran out: ${outcome.summary.split('\n')[0] ?? ''}`
  }
  return `the agent failed: ${outcome.error ?? outcome.summary}`
}

/**
 * Opens the bead's PR by GraphQL, reading the bead in the same request; undefined when GitHub refused the
 * mutation (a PR already open for the branch, a GitHub without it), and REST then opens or finds it.
 */
async function openReadingBead(
  run: BeadRun,
  opening: { title: string; body: string; head: string; base: string },
): Promise<{ number: number; issue: IssueData | null } | undefined> {
  if (run.repositoryId === undefined) return undefined
  try {
    return await openPullReading(run.deps.api, run.repositoryId, opening, run.bead.number!)
  } catch (error) {
    if (graphqlErrorsOf(error) === undefined) throw error
    run.log.info({ said: githubSaid(error) }, 'GitHub did not open the PR by GraphQL: opening it by REST')
    return undefined
  }
}

/** Opens the bead's PR by REST; when another path opened it meanwhile (422), updates that one. */
async function openByRest(
  run: BeadRun,
  opening: { title: string; body: string; head: string; base: string },
): Promise<PullData> {
  const { api, repo } = run.deps
  try {
    return await createPull(api, repo, opening)
  } catch (error) {
    // Never a duplicate: the open PR of the branch takes this run's body.
    if (statusOf(error) !== 422) throw error
    const open = (await findPullsForBranch(api, repo, opening.head, 'open'))[0]
    if (open === undefined) throw error
    return updatePull(api, repo, open.number, { body: opening.body })
  }
}

async function openOrUpdatePull(
  run: BeadRun,
  target: Target,
  effects: AgentOutcome,
  summary: string,
  task: TaskContext,
  sha: string | undefined,
  rebase: DefaultBranchMerge | undefined,
): Promise<BeadResult> {
  const { api, repo } = run.deps
  const number = run.bead.number!
  const round = run.bead.round ?? 0
  const body = renderPrBody({
    bead: number,
    summary,
    commands: effects.commands,
    trajectory: effects.trajectory,
    tokens: effects.usage.tokens,
    costUsd: effects.usage.costUsd,
    runUrl: run.deps.runUrl,
    round,
    secrets: run.deps.secrets,
  })
  const title = forGitHub(run, run.bead.title, 256)
  const opening = { title, body, head: target.branch, base: run.defaultBranch }
  // Opened by a mutation that reads the bead afresh too, the read the final save needs (refreshBead).
  const opened = target.pull === undefined ? await openReadingBead(run, opening) : undefined
  const pull: Pick<PullData, 'number'> =
    opened ??
    (target.pull === undefined
      ? await openByRest(run, opening)
      : await updatePull(api, repo, target.pull.number, { body }))
  run.log.info(
    { pr: pull.number },
    target.pull === undefined ? 'opened the pull request' : 'updated the pull request',
  )

  if (task.review !== undefined && sha !== undefined) {
    const answers = commentAnswers(effects.summary)
    for (const [index, comment] of task.review.comments.entries()) {
      const answer = answers.get(index + 1)
      if (answer === undefined) continue
      await replyToReviewComment(
        api,
        repo,
        pull.number,
        comment.id,
        forGitHub(run, `${answer}\n\n(addressed in ${sha.slice(0, 7)}, review round ${round})`, 8_000),
      )
    }
  }

  // Review comments answered since the PR was opened are no change to the bead: the mutation's read holds.
  const current = opened?.issue ? refreshBeadFrom(run, opened.issue) : await refreshBead(run)
  const next = transition(current, 'in_review', {
    now: run.deps.clock.now(),
    pr: pull.number,
    result: summary,
  })
  // The rebase attempt is over: the Mayor reads the PR's mergeability again and decides.
  delete next.rebasing
  if (rebase?.merged) next.conflicts = rebase.conflicts
  await saveWithUsage(run, next)
  await run.progress.phase(`Done: PR #${pull.number} is ready for review`)
  return {
    status: 'in_review',
    message: `PR #${pull.number} opened for bead #${number}`,
    prNumber: pull.number,
  }
}
