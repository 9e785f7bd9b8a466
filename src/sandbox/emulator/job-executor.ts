/**
 * Runs the jobs of a run in `needs` order: the run's token and event file, then per job its env and `if:`,
 * its steps in order, its post steps, its timeout, its outputs and its result.
 * https://docs.github.com/en/actions/reference/workflows-and-actions/workflow-syntax#jobs
 */
import { mkdir, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import {
  createJobState,
  interpolateSafe,
  jobScope,
  type JobInputs,
  type JobResult,
  type JobState,
} from './job-state.js'
import { runStep } from './job-step.js'
import { writeRefusedUnshare } from './refused-unshare.js'
import type { RunnerContext } from './runner-context.js'
import type { RunConclusion, RunState } from './run-state.js'
import { killChildren } from './step-process.js'
import { evaluateCondition, interpolate } from './workflow-expressions.js'
import { orderJobs, type WorkflowJob } from './workflow-file.js'

/** Runs every job of a run in `needs` order; answers the run's conclusion. */
export async function runJobs(context: RunnerContext, state: RunState): Promise<RunConclusion> {
  const { run, workflow } = state
  await mkdir(state.dir, { recursive: true })
  if (context.refuseUnshare) await writeRefusedUnshare(join(state.dir, 'refused-unshare'))
  const firstJob = Object.values(workflow.jobs)[0]
  const token = context.tokenFor(structuredClone(run), firstJob?.permissions ?? workflow.permissions)
  const event = dispatchEvent(state)
  const eventPath = join(state.dir, 'event.json')
  await writeFile(eventPath, JSON.stringify(event, null, 2))
  const given = { token, runMasks: new Set([token]), eventPath, event }
  const jobResults: Record<string, JobResult> = {}
  let failed = false
  for (const jobId of orderJobs(workflow)) {
    const job = workflow.jobs[jobId]
    if (!job) continue
    if (state.killed) break
    const needsOk = job.needs.every((need) => jobResults[need]?.result === 'success')
    if (!needsOk && !job.if) {
      jobResults[jobId] = { result: 'skipped', outputs: {} }
      context.log.append(state, `##[group]Job ${jobId} skipped: a job it needs did not succeed\n##[endgroup]`)
      continue
    }
    const result = await runJob(context, state, jobId, job, { ...given, jobResults, needsOk })
    jobResults[jobId] = result
    if (result.result === 'failure') failed = true
  }
  if (state.killed) return state.killed
  return failed ? 'failure' : 'success'
}

/** The event payload, as the file GITHUB_EVENT_PATH names (the `workflow_dispatch` one, unless the run has its own). */
function dispatchEvent(state: RunState): Record<string, unknown> {
  const { run } = state
  if (run.payload) return run.payload
  const [owner = '', name = ''] = run.repo.split('/')
  return {
    inputs: run.inputs,
    ref: `refs/heads/${run.head_branch}`,
    repository: { full_name: run.repo, name, owner: { login: owner } },
    sender: { login: run.actor.login, id: run.actor.id, type: run.actor.type },
    workflow: run.path,
  }
}

/** Runs one job: answers its result and outputs. */
async function runJob(
  context: RunnerContext,
  state: RunState,
  jobId: string,
  job: WorkflowJob,
  given: JobInputs,
): Promise<JobResult> {
  const jobState = await createJobState(context, state, jobId, job, given)
  context.log.append(state, `##[group]Job ${job.name ?? jobId}`)
  context.log.append(state, `Runner name: ${jobState.runnerName}`)
  context.log.append(state, '##[endgroup]')
  const skippedOrFailed = startJob(context, jobState)
  if (skippedOrFailed) return skippedOrFailed
  await runSteps(context, jobState)
  const outputs: Record<string, string> = {}
  for (const [key, value] of Object.entries(job.outputs ?? {})) {
    outputs[key] = interpolateSafe(value, jobScope(context, jobState, jobState.env))
  }
  if (state.killed) return { result: 'cancelled', outputs }
  return { result: jobState.failed ? 'failure' : 'success', outputs }
}

/**
 * Evaluates the workflow- and job-level env once, as the runner does at job start, then the job's `if:`;
 * answers a result when the job stops there (skipped, or failed on an expression), else null.
 */
function startJob(context: RunnerContext, job: JobState): JobResult | null {
  const { workflow } = job.state
  const env = job.env
  try {
    const base = jobScope(context, job, {})
    for (const [key, value] of Object.entries(workflow.env))
      env[key] = interpolate(value, { ...base, contexts: { ...base.contexts, env: { ...env } } })
    for (const [key, value] of Object.entries(job.job.env))
      env[key] = interpolate(value, { ...base, contexts: { ...base.contexts, env: { ...env } } })
    if (job.job.if !== undefined && !evaluateCondition(job.job.if, jobScope(context, job, env))) {
      context.log.append(job.state, `Job ${job.jobId} skipped: its condition "${job.job.if}" is false`)
      return { result: 'skipped', outputs: {} }
    }
  } catch (error) {
    context.log.append(job.state, `##[error]${(error as Error).message}`)
    return { result: 'failure', outputs: {} }
  }
  return null
}

/** Runs the steps in order, then the post steps in reverse order, under the job's `timeout-minutes`. */
async function runSteps(context: RunnerContext, job: JobState): Promise<void> {
  const { state } = job
  const timeout = job.job['timeout-minutes']
  const timer =
    timeout === undefined
      ? undefined
      : setTimeout(() => {
          context.log.append(
            state,
            `##[error]The job running on runner ${job.runnerName} has exceeded the maximum execution time of ${timeout} minutes.`,
          )
          state.killed = 'failure'
          killChildren(state)
        }, timeout * 60_000)
  try {
    for (const [index, step] of job.job.steps.entries()) {
      if (state.killed) break
      await runStep(context, job, step, index)
    }
    // Post steps run last, in reverse order, as the runner does (unless the run was killed).
    for (const post of job.posts.reverse()) {
      if (state.killed) break
      await post()
    }
  } finally {
    if (timer) clearTimeout(timer)
  }
}
