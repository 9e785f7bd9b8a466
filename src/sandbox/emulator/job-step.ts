/**
 * One step of a job: its `if:` and `env:`, its process (a `run:` script or a `uses:` action) under its
 * timeout, what it wrote to its environment files, and its outcome and conclusion.
 * https://docs.github.com/en/actions/reference/workflows-and-actions/workflow-syntax#jobsjob_idsteps
 */
import { randomUUID } from 'node:crypto'
import { writeFile } from 'node:fs/promises'
import { join, resolve as resolvePath } from 'node:path'
import { defaultVariables, interpolateSafe, jobScope, type JobState, type StepRecord } from './job-state.js'
import type { RunnerContext } from './runner-context.js'
import { applyStepFiles, createStepFiles, stepCommands, type StepFiles } from './step-outputs.js'
import { killChildren, spawnLogged, type StepOutput } from './step-process.js'
import { runUsesStep } from './uses-step.js'
import { maskText } from './workflow-commands.js'
import { evaluateCondition, interpolate, type ExpressionScope } from './workflow-expressions.js'
import type { WorkflowStep } from './workflow-file.js'

/** One step while it runs. */
interface StepRun {
  step: WorkflowStep
  stepId: string
  label: string
  /** The label as the log shows it: interpolated and masked. */
  shownLabel: string
  /** The environment of its processes. */
  processEnv: Record<string, string>
  scope: () => ExpressionScope
  out: StepOutput
  record: StepRecord
  stateValues: Record<string, string>
}

/** Runs step `index` of the job and records it in `job.steps` (and the run's outputs when it has an id). */
export async function runStep(
  context: RunnerContext,
  job: JobState,
  step: WorkflowStep,
  index: number,
): Promise<void> {
  const { state } = job
  const stepId = step.id ?? `__step${index + 1}`
  const label = step.name ?? (step.uses ? `Run ${step.uses}` : `Run ${(step.run ?? '').split('\n')[0] ?? ''}`)
  const env = stepEnvironment(context, job, step, stepId, label)
  if (env === null) return
  const files = await createStepFiles(job.commandsDir)
  const record: StepRecord = { outputs: {}, outcome: 'success', conclusion: 'success' }
  const stateValues: Record<string, string> = {}
  const masks = job.runMasks
  const onCommand = stepCommands(context.log, state, masks, { outputs: record.outputs, stateValues })
  const out: StepOutput = { state, log: context.log, masks, onCommand }
  const scope = () => jobScope(context, job, env, stepId)
  const processEnv = stepProcessEnv(context, job, { env, stepId, files })
  const shownLabel = maskText(interpolateSafe(label, scope()), masks)
  const run: StepRun = { step, stepId, label, shownLabel, processEnv, scope, out, record, stateValues }
  context.log.append(state, `##[group]${shownLabel}`)
  let code = await runWithTimeout(context, job, run)
  code = await collectFiles(context, job, run, files, code)
  if (state.killed) {
    context.log.append(state, '##[error]The operation was canceled.')
    record.outcome = 'cancelled'
    record.conclusion = 'cancelled'
  } else if (code !== 0) {
    if (step.run !== undefined)
      context.log.append(state, `##[error]Process completed with exit code ${code}.`)
    record.outcome = 'failure'
    record.conclusion = step['continue-on-error'] ? 'success' : 'failure'
    if (!step['continue-on-error']) job.failed = true
  }
  job.steps[stepId] = record
  if (step.id) state.run.outputs[step.id] = { ...record.outputs }
}

/**
 * The step's env (the job's and its own `env:`), or null when it does not run: its `if:` is false (skipped),
 * or an expression failed (a failure, recorded).
 */
function stepEnvironment(
  context: RunnerContext,
  job: JobState,
  step: WorkflowStep,
  stepId: string,
  label: string,
): Record<string, string> | null {
  let shouldRun: boolean
  let stepEnv: Record<string, string>
  try {
    shouldRun = evaluateCondition(step.if, jobScope(context, job, job.env, stepId))
    stepEnv = { ...job.env }
    for (const [key, value] of Object.entries(step.env ?? {})) {
      stepEnv[key] = interpolate(value, jobScope(context, job, stepEnv, stepId))
    }
  } catch (error) {
    context.log.append(job.state, `##[group]${label}`)
    context.log.append(job.state, `##[error]${(error as Error).message}`)
    context.log.append(job.state, '##[endgroup]')
    job.steps[stepId] = {
      outputs: {},
      outcome: 'failure',
      conclusion: step['continue-on-error'] ? 'success' : 'failure',
    }
    if (!step['continue-on-error']) job.failed = true
    return null
  }
  if (!shouldRun) {
    job.steps[stepId] = { outputs: {}, outcome: 'skipped', conclusion: 'skipped' }
    return null
  }
  return stepEnv
}

/** The step's process environment: HOME, the host's base variables, its env, the defaults and its files. */
function stepProcessEnv(
  context: RunnerContext,
  job: JobState,
  step: { env: Record<string, string>; stepId: string; files: StepFiles },
): Record<string, string> {
  const env: Record<string, string> = {
    HOME: job.home,
    ...context.baseEnv,
    ...step.env,
    ...defaultVariables(job, step.stepId),
    ...step.files,
  }
  if (job.extraPath.length > 0) env.PATH = [...job.extraPath, env.PATH ?? ''].join(':')
  if (context.refuseUnshare) env.PATH = [join(job.state.dir, 'refused-unshare'), env.PATH ?? ''].join(':')
  return env
}

/** Runs the step's process, killed at its `timeout-minutes`; answers its exit code (1 when it threw). */
async function runWithTimeout(context: RunnerContext, job: JobState, run: StepRun): Promise<number> {
  const { step, out } = run
  const stepTimeout = step['timeout-minutes']
  let timedOut = false
  const stepTimer =
    stepTimeout === undefined
      ? undefined
      : setTimeout(() => {
          timedOut = true
          killChildren(job.state)
        }, stepTimeout * 60_000)
  let code: number
  try {
    code = step.uses
      ? await runUsesStep(context, step, {
          scope: run.scope(),
          processEnv: run.processEnv,
          workspace: job.workspace,
          out,
          token: job.token,
          stateValues: run.stateValues,
          posts: job.posts,
          label: run.shownLabel,
        })
      : await runScript(context, job, run)
  } catch (error) {
    context.log.append(job.state, `##[error]${(error as Error).message}`, out.masks)
    code = 1
  } finally {
    if (stepTimer) clearTimeout(stepTimer)
  }
  if (timedOut) {
    const message = `##[error]The action '${run.label}' has timed out after ${stepTimeout} minutes.`
    context.log.append(job.state, message, out.masks)
    code = code || 1
  }
  return code
}

/** Runs a `run:` step as a bash script in its `working-directory`. */
async function runScript(context: RunnerContext, job: JobState, run: StepRun): Promise<number> {
  const { step } = run
  const script = interpolate(step.run ?? '', run.scope())
  const scriptPath = join(job.temp, `${randomUUID()}.sh`)
  await writeFile(scriptPath, script)
  context.log.append(job.state, 'shell: bash --noprofile --norc -e -o pipefail {0}')
  context.log.append(job.state, '##[endgroup]')
  const cwd = step['working-directory']
    ? resolvePath(job.workspace, interpolate(step['working-directory'], run.scope()))
    : job.workspace
  const args = ['--noprofile', '--norc', '-eo', 'pipefail', scriptPath]
  return spawnLogged(run.out, 'bash', args, { cwd, env: run.processEnv })
}

/** Applies what the step wrote to its files; a bad file fails the step. Answers the step's exit code. */
async function collectFiles(
  context: RunnerContext,
  job: JobState,
  run: StepRun,
  files: StepFiles,
  code: number,
): Promise<number> {
  const { log } = context
  try {
    await applyStepFiles(files, {
      outputs: run.record.outputs,
      stateValues: run.stateValues,
      addEnv: (vars) => {
        job.env = { ...job.env, ...vars }
      },
      prependPath: (paths) => job.extraPath.unshift(...paths.reverse()),
      addSummary: (summary) => {
        job.state.run.summary += log.mask(summary, run.out.masks)
      },
    })
    return code
  } catch (error) {
    log.append(job.state, `##[error]${(error as Error).message}`, run.out.masks)
    return code || 1
  }
}
