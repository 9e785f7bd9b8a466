/**
 * One job while it runs: where it works, the expression contexts its steps see (`github`, `runner`,
 * `inputs`, `needs`, `steps`, `env`, ...), and the default environment variables of its steps.
 * https://docs.github.com/en/actions/reference/workflows-and-actions/contexts
 */
import { mkdir } from 'node:fs/promises'
import { join } from 'node:path'
import type { RunnerContext } from './runner-context.js'
import type { RunState } from './run-state.js'
import { interpolate, type ExpressionScope, type ExpressionValue } from './workflow-expressions.js'
import type { WorkflowJob } from './workflow-file.js'

/** The result of one job. */
export interface JobResult {
  result: 'success' | 'failure' | 'skipped' | 'cancelled'
  outputs: Record<string, string>
}

/** What a step did, as the `steps` context shows it. */
export interface StepRecord {
  outputs: Record<string, string>
  outcome: 'success' | 'failure' | 'skipped' | 'cancelled'
  conclusion: 'success' | 'failure' | 'skipped' | 'cancelled'
}

/** What the run gives each of its jobs. */
export interface JobInputs {
  token: string
  /** The run's masks: the token, and what steps add with `add-mask`. */
  runMasks: Set<string>
  eventPath: string
  event: Record<string, unknown>
  jobResults: Record<string, JobResult>
  /** Whether every job it needs succeeded. */
  needsOk: boolean
}

/** One job while it runs. */
export interface JobState extends JobInputs {
  state: RunState
  jobId: string
  job: WorkflowJob
  workspace: string
  temp: string
  home: string
  commandsDir: string
  runnerName: string
  github: Record<string, ExpressionValue>
  runner: Record<string, string>
  inputs: Record<string, ExpressionValue>
  needs: Record<string, ExpressionValue>
  steps: Record<string, StepRecord>
  failed: boolean
  /** The job's env: workflow and job `env:`, then what steps wrote to GITHUB_ENV. */
  env: Record<string, string>
  /** What steps wrote to GITHUB_PATH, newest first. */
  extraPath: string[]
  /** The post steps of the actions run so far, in the order they ran. */
  posts: (() => Promise<void>)[]
}

/** Makes the job's directories and contexts. */
export async function createJobState(
  context: RunnerContext,
  state: RunState,
  jobId: string,
  job: WorkflowJob,
  given: JobInputs,
): Promise<JobState> {
  const { run, workflow } = state
  const jobDir = join(state.dir, jobId)
  const dirs = {
    workspace: join(jobDir, 'workspace'),
    temp: join(jobDir, 'temp'),
    home: join(jobDir, 'home'),
    commandsDir: join(jobDir, 'file-commands'),
  }
  for (const dir of Object.values(dirs)) await mkdir(dir, { recursive: true })
  const runnerName = `GitHub Actions ${run.id}`
  const runner = { os: 'Linux', arch: 'X64', name: runnerName, temp: dirs.temp, environment: 'github-hosted' }
  const inputs: Record<string, ExpressionValue> = {}
  const declared = workflow.on.dispatch?.inputs ?? {}
  for (const [key, value] of Object.entries(run.inputs)) {
    const type = declared[key]?.type
    inputs[key] =
      type === 'boolean' ? value === 'true' : type === 'number' && value !== '' ? Number(value) : value
  }
  const needs: Record<string, ExpressionValue> = {}
  for (const need of job.needs) {
    const result = given.jobResults[need]
    needs[need] = { result: result?.result ?? 'skipped', outputs: result?.outputs ?? {} }
  }
  const github = githubContext(context, state, jobId, { ...given, workspace: dirs.workspace })
  return {
    ...given,
    ...dirs,
    state,
    jobId,
    job,
    runnerName,
    github,
    runner,
    inputs,
    needs,
    steps: {},
    failed: !given.needsOk,
    env: {},
    extraPath: [],
    posts: [],
  }
}

/** The `github` context of a job, but `action` (which each step sets). */
function githubContext(
  context: RunnerContext,
  state: RunState,
  jobId: string,
  job: { token: string; event: Record<string, unknown>; eventPath: string; workspace: string },
): Record<string, ExpressionValue> {
  const { run } = state
  const ref = `refs/heads/${run.head_branch}`
  return {
    token: job.token,
    repository: run.repo,
    repository_owner: run.repo.split('/')[0] ?? '',
    run_id: String(run.id),
    run_number: String(run.run_number),
    run_attempt: String(run.run_attempt),
    workflow: run.name,
    workflow_ref: `${run.repo}/${run.path}@${ref}`,
    job: jobId,
    actor: run.actor.login,
    actor_id: String(run.actor.id),
    triggering_actor: run.actor.login,
    event_name: run.event,
    event: job.event as ExpressionValue,
    sha: run.head_sha,
    ref,
    ref_name: run.head_branch,
    ref_type: 'branch',
    head_ref: '',
    base_ref: '',
    server_url: context.serverUrl,
    api_url: context.apiUrl,
    graphql_url: context.graphqlUrl,
    workspace: job.workspace,
    event_path: job.eventPath,
    retention_days: '90',
  }
}

/** The expression scope of a step (`action` is its id) with `stepEnv` as its `env` context. */
export function jobScope(
  context: RunnerContext,
  job: JobState,
  stepEnv: Record<string, string>,
  action = '',
): ExpressionScope {
  return {
    contexts: {
      github: { ...job.github, action },
      inputs: job.inputs,
      secrets: { ...context.secrets, GITHUB_TOKEN: job.token },
      vars: { ...context.variables },
      env: { ...stepEnv },
      steps: job.steps as unknown as ExpressionValue,
      runner: job.runner,
      job: { status: job.failed ? 'failure' : 'success' },
      needs: job.needs,
      matrix: {},
      strategy: {},
    },
    status: { failed: job.failed, cancelled: job.state.killed !== null },
  }
}

// The default variables mirror the `github` and `runner` contexts, in the runner's order.
// https://docs.github.com/en/actions/reference/workflows-and-actions/variables#default-environment-variables
const GITHUB_VARIABLES = [
  'repository',
  'repository_owner',
  'run_id',
  'run_number',
  'run_attempt',
  'workflow',
  'workflow_ref',
  'job',
  'action',
  'actor',
  'actor_id',
  'triggering_actor',
  'event_name',
  'event_path',
  'sha',
  'ref',
  'ref_name',
  'ref_type',
  'head_ref',
  'base_ref',
  'workspace',
  'server_url',
  'api_url',
  'graphql_url',
  'retention_days',
] as const
const RUNNER_VARIABLES = ['temp', 'os', 'arch', 'name', 'environment'] as const

/** The default environment variables of a step whose id is `action`. */
export function defaultVariables(job: JobState, action: string): Record<string, string> {
  const github: Record<string, ExpressionValue> = { ...job.github, action }
  const variables: Record<string, string> = { CI: 'true', GITHUB_ACTIONS: 'true' }
  for (const key of GITHUB_VARIABLES) variables[`GITHUB_${key.toUpperCase()}`] = String(github[key])
  for (const key of RUNNER_VARIABLES) variables[`RUNNER_${key.toUpperCase()}`] = job.runner[key] ?? ''
  return variables
}

/** `text` interpolated, or as it is when an expression in it fails (for labels and job outputs). */
export function interpolateSafe(text: string, at: ExpressionScope): string {
  try {
    return interpolate(text, at)
  } catch {
    return text
  }
}
