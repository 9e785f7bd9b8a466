/**
 * The worker's work for one dispatch: read the bead, refuse a stale dispatch, claim the attempt, then
 * run the role's agent and apply its effects (a PR, or reviews), or fail the bead saying why. Never
 * fails the step itself: it answers an outcome, and run.ts decides.
 */
import { CONFIG_PATH } from '../core/config.js'
import { resolveRoles } from '../core/roles.js'
import { realSleep } from '../llm/sleep.js'
import { readBeadStart } from '../github/bead-context-query.js'
import { beadFromIssue, missingBeadError } from './action/bead-issue.js'
import {
  failBead,
  saveWithUsage,
  timed,
  timedModel,
  type BeadResult,
  type BeadRun,
  type WorkerDeps,
} from './action/bead-run.js'
import { claimBead, staleReason } from './action/claim.js'
import { trustedConfig } from './action/gather-context.js'
import type { ActionInputs } from './action/inputs.js'
import { renderJobSummary, type Timings } from './action/job-summary.js'
import { checkIsolation, isolationWarning } from './action/isolation-check.js'
import { createProgressReporter } from './action/progress-comment.js'
import { runCodeBead } from './action/run-code-bead.js'
import { findStoredCredentials, storedCredentialsError } from './action/git-workspace.js'
import { runReviewBead } from './action/run-review-bead.js'
import { resolveGitBinary } from './agent/trusted-git.js'

export type { WorkerDeps } from './action/bead-run.js'

/** What the run did, as the action's `status` output says it. */
export type WorkerStatus = 'claimed-elsewhere' | 'stale' | 'in_review' | 'completed' | 'pending' | 'failed'

/** The outcome of a run, for the outputs and the exit code. */
export interface WorkerOutcome {
  status: WorkerStatus
  message: string
  prNumber?: number
  tokens: number
  costUsd: number
  timings?: Timings
}

/**
 * Whether the run was dispatched at the head of the default branch as GitHub recorded it (GITHUB_REF,
 * GITHUB_SHA): the claim then points at the commit the checkout holds, not at a head that moved since.
 */
function dispatchedOnDefault(
  deps: WorkerDeps,
  defaultBranch: string,
): deps is WorkerDeps & { dispatchedAt: { ref: string; sha: string } } {
  return (
    deps.dispatchedAt?.ref === `refs/heads/${defaultBranch}` && /^[0-9a-f]{40}$/.test(deps.dispatchedAt.sha)
  )
}

/** Pauses before reading a bead again whose marker is still at an earlier attempt than the dispatch. */
const DISPATCH_WRITE_WAITS_MS = [1000, 2000, 4000]

/** Does the work of one dispatch of a bead. */
export async function main(inputs: ActionInputs, deps: WorkerDeps): Promise<WorkerOutcome> {
  const started = deps.clock.now()
  const log = deps.logger.child({ bead: inputs.bead, attempt: inputs.attempt })
  const phases: Record<string, number> = {}
  const phaseHost = { phases, deps }
  // Before any agent runs: a git the agent later puts on PATH is never the one trusted code runs.
  const git = await resolveGitBinary()
  log.info({ git: git.path }, 'trusted git')
  // Before anything is claimed: a checkout that kept the token hands it to the agent's commands.
  const stored = await findStoredCredentials(deps.workspace, deps.runnerTemp)
  if (stored.length > 0) throw storedCredentialsError(stored)

  // One read for all the run needs before it claims: the bead, its goal (as its parent), the default
  // branch's head and the trusted config.
  const readStart = async () => {
    const read = await timed(phaseHost, 'claim', () =>
      readBeadStart(deps.api, deps.repo, { bead: inputs.bead, configPath: CONFIG_PATH }),
    )
    if (read.bead === null) throw missingBeadError(inputs.bead, deps.repo)
    return { start: read, loaded: beadFromIssue(read.bead, deps.dispatcher) }
  }
  let { start, loaded } = await readStart()
  // The Mayor writes the attempt into the marker right after GitHub answers its dispatch: a run that
  // starts fast can read the bead a moment before. An earlier attempt is read again before it counts
  // as stale; a later one, or the same attempt moved on, is stale at once.
  const sleep = deps.sleep ?? realSleep
  for (const waitMs of DISPATCH_WRITE_WAITS_MS) {
    if (loaded.bead.attempt >= inputs.attempt) break
    log.info(
      { markerAttempt: loaded.bead.attempt, waitMs },
      'the marker is at an earlier attempt: reading it again',
    )
    await sleep(waitMs)
    ;({ start, loaded } = await readStart())
  }
  const stale = staleReason(loaded.bead, inputs.attempt)
  if (stale !== undefined) {
    log.info({ reason: stale }, 'stale dispatch: nothing done')
    return { status: 'stale', message: stale, tokens: 0, costUsd: 0 }
  }
  const defaultBranch = start.defaultBranch
  if (defaultBranch === null) {
    throw new Error(
      `${deps.repo.owner}/${deps.repo.repo} has no commit on its default branch; push one first`,
    )
  }
  const headSha = dispatchedOnDefault(deps, defaultBranch.name)
    ? deps.dispatchedAt.sha
    : defaultBranch.headSha
  const claim = await timed(phaseHost, 'claim', () =>
    claimBead(deps.api, deps.repo, loaded.bead, inputs.attempt, headSha),
  )
  if (claim.kind === 'stale') return { status: 'stale', message: claim.reason, tokens: 0, costUsd: 0 }
  if (claim.kind === 'elsewhere') {
    log.info({ ref: claim.ref }, 'another run claimed this attempt first: nothing done')
    return {
      status: 'claimed-elsewhere',
      message: `${claim.ref} exists: another run holds this attempt`,
      tokens: 0,
      costUsd: 0,
    }
  }
  log.info({ ref: claim.ref, headSha }, 'claimed')

  const progress = createProgressReporter({
    api: deps.api,
    repo: deps.repo,
    bead: inputs.bead,
    attempt: inputs.attempt,
    runUrl: deps.runUrl,
    now: () => deps.clock.now(),
    logger: log,
    secrets: deps.secrets,
    ...(deps.progressIntervalMs === undefined ? {} : { intervalMs: deps.progressIntervalMs }),
  })
  const run: BeadRun = {
    deps,
    log,
    progress,
    config: undefined as never,
    role: undefined as never,
    defaultBranch: defaultBranch.name,
    repositoryId: start.repositoryId,
    bead: loaded.bead,
    issue: loaded.issue,
    // The parent counts as the goal only when it is the goal the marker names.
    ...(start.parent?.number === loaded.bead.goal ? { goal: start.parent } : {}),
    siblings: start.siblings,
    usage: { tokens: 0, costUsd: 0 },
    modelMs: 0,
    phases,
  }
  // The claim ref is the claim's one write: the Mayor wrote this run's id into the marker when it
  // dispatched. Only a dispatch whose answer carried no run id leaves the marker for the worker to fill.
  if (loaded.bead.assignedTo !== deps.runId) {
    await timed(run, 'claim', () =>
      saveWithUsage(run, { ...loaded.bead, assignedTo: deps.runId, updatedAt: deps.clock.now() }),
    )
  }
  await progress.phase(`Claimed by worker run ${deps.runId}; reading the goal, the config and the code`)

  let result: BeadResult
  try {
    run.config = trustedConfig(start.configText)
    const role = resolveRoles(run.config)[run.bead.role]
    const refused = await checkIsolation(run)
    if (refused !== null) {
      result = await failBead(run, refused)
    } else if (role === undefined) {
      result = await failBead(
        run,
        `the role "${run.bead.role}" is not in the catalogue or .github/gastown.yml; add it under roles:`,
      )
    } else {
      run.role = role
      const model = timedModel(await deps.createModel(run.config), run)
      log.info(
        { model: model.name, scripted: model.scripted, role: role.name, output: role.output },
        'starting the agent',
      )
      result =
        role.output === 'review'
          ? await runReviewBead(run, inputs, model)
          : await runCodeBead(run, inputs, model)
    }
  } catch (error) {
    log.error({ error }, 'the run stopped on an error')
    try {
      result = await failBead(
        run,
        `the worker stopped on an error: ${(error as Error).message ?? String(error)}`,
      )
    } catch (failError) {
      // The bead could not even be marked failed: the Mayor's lease will notice the failed run.
      log.error({ error: failError }, 'could not record the failure on the bead')
      result = {
        status: 'failed',
        message: `${(error as Error).message}; and recording it failed: ${(failError as Error).message}`,
      }
    }
  }
  // A PR in review or posted reviews say what the run did; a failure or unfinished work needs the comment.
  await progress.flush({ quietIfUnwritten: result.status === 'in_review' || result.status === 'completed' })

  const totalMs = deps.clock.now() - started
  const toolMs = result.outcome?.trajectory.reduce((sum, step) => sum + step.ms, 0) ?? 0
  const timings: Timings = {
    totalMs,
    modelMs: run.modelMs,
    toolMs,
    overheadMs: Math.max(0, totalMs - run.modelMs - toolMs),
    phases,
  }
  log.info({ status: result.status, timings, usage: run.usage }, 'worker done')
  try {
    await deps.writeSummary(
      renderJobSummary({
        bead: inputs.bead,
        attempt: inputs.attempt,
        role: run.bead.role,
        status: result.status,
        message: result.message,
        timings,
        secrets: deps.secrets,
        warning: isolationWarning(run),
        ...(result.prNumber === undefined ? {} : { prNumber: result.prNumber }),
        ...(result.outcome === undefined ? {} : { outcome: result.outcome }),
      }),
    )
  } catch (error) {
    log.warn({ error }, 'could not write the job summary')
  }
  return {
    status: result.status,
    message: result.message,
    tokens: run.usage.tokens,
    costUsd: run.usage.costUsd,
    timings,
    ...(result.prNumber === undefined ? {} : { prNumber: result.prNumber }),
  }
}
