/**
 * The emulator's Actions runner: runs `workflow_dispatch` workflows from the repositories of the git host
 * as child processes, with the environment, workflow commands, environment files, concurrency groups and
 * conclusions of GitHub's hosted runner.
 */
import { spawn, type ChildProcess } from 'node:child_process'
import { randomUUID } from 'node:crypto'
import { existsSync } from 'node:fs'
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises'
import { isAbsolute, join, resolve as resolvePath } from 'node:path'
import yaml from 'js-yaml'
import { z } from 'zod'
import { DispatchError, type ActionsRunner, type GitHost, type WorkflowRun } from './contracts.js'
import { isolatedGitEnv } from './git-exec.js'
import { writeRefusedUnshare } from './refused-unshare.js'
import { maskText, parseEnvironmentFile, parseWorkflowCommand } from './workflow-commands.js'
import {
  evaluateCondition,
  interpolate,
  type ExpressionScope,
  type ExpressionValue,
} from './workflow-expressions.js'
import {
  WorkflowFileError,
  orderJobs,
  parseWorkflowFile,
  resolveDispatchInputs,
  type Workflow,
  type WorkflowJob,
  type WorkflowStep,
} from './workflow-file.js'

/** What the runner needs: the git host, where to work, how many runs at once, and the URLs and secrets. */
export interface ActionsRunnerOptions {
  gitHost: GitHost
  /** Directory for run workspaces (removed by `close`). */
  workRoot: string
  /** How many runs may be in progress at once (the number of runners). */
  concurrency: number
  serverUrl: string
  apiUrl: string
  graphqlUrl: string
  /** Base URL that git clones from: `${gitUrl}/<owner>/<repo>.git`. */
  gitUrl: string
  /** `uses:` values (exact, or `owner/repo` without the version) mapped to local directories holding action.yml. */
  actions: Record<string, string>
  /** Repository secrets, visible to steps only through `${{ secrets.X }}`. */
  secrets: Record<string, string>
  /** The GITHUB_TOKEN for a run, given the workflow's `permissions:` (its first job's, when it has its own). */
  tokenFor: (run: WorkflowRun, permissions: Workflow['permissions']) => string
  /** The only variables of the host environment a step sees (default: PATH and LANG). */
  baseEnv?: NodeJS.ProcessEnv
  clock?: () => Date
  /** First run id; later runs count up from it. */
  firstRunId?: number
  /** Node binary for JavaScript actions (default: the one running the emulator). */
  nodePath?: string
  logger?: { warn(details: object, message: string): void }
  /** Play a GitHub-hosted ubuntu-24.04 runner, whose AppArmor refuses `unshare` (see refused-unshare.ts). */
  refuseUnshare?: boolean
}

interface RunState {
  run: WorkflowRun
  workflow: Workflow
  group: string | null
  cancelInProgress: boolean
  dir: string
  children: Set<ChildProcess>
  killed: 'cancelled' | 'failure' | null
  done: Promise<void>
  finish: () => void
}

/** The result of one job. */
interface JobResult {
  result: 'success' | 'failure' | 'skipped' | 'cancelled'
  outputs: Record<string, string>
}

interface StepRecord {
  outputs: Record<string, string>
  outcome: 'success' | 'failure' | 'skipped' | 'cancelled'
  conclusion: 'success' | 'failure' | 'skipped' | 'cancelled'
}

const actionSchema = z.object({
  name: z.string().optional(),
  inputs: z
    .record(
      z.string(),
      z
        .object({
          description: z.string().optional(),
          required: z.boolean().optional(),
          default: z.union([z.string(), z.number(), z.boolean()]).transform(String).optional(),
        })
        .nullable()
        .transform((input) => input ?? {}),
    )
    .default({}),
  runs: z.object({
    using: z.string(),
    main: z.string().optional(),
    post: z.string().optional(),
    'post-if': z.string().optional(),
  }),
})
type ActionManifest = z.infer<typeof actionSchema>

const BOT: { name: string; email: string } = {
  name: 'github-actions[bot]',
  email: '41898282+github-actions[bot]@users.noreply.github.com',
}

/** GitHub's rule for an input's variable: `INPUT_` and the name upper-cased with spaces as `_`. */
export function inputVariable(name: string): string {
  return `INPUT_${name.replace(/ /g, '_').toUpperCase()}`
}

/**
 * What `actions/checkout` checks out for a `ref` input: a local branch at a start point, or a detached
 * commit; null when it cannot tell (another repository without a ref).
 */
function checkoutPlan(
  ref: string,
  ownRun: WorkflowRun | null,
): { branch: string | null; start: string; fetch?: string } | null {
  if (ownRun && (ref === '' || ref === ownRun.head_branch || ref === `refs/heads/${ownRun.head_branch}`)) {
    // The run's own ref checks out the run's commit, even if the branch has moved since.
    return {
      branch: ownRun.head_branch,
      start: ref === '' ? ownRun.head_sha : `refs/remotes/origin/${ownRun.head_branch}`,
    }
  }
  if (ref === '') return null
  if (/^[0-9a-f]{40}$/.test(ref)) return { branch: null, start: ref }
  if (ref.startsWith('refs/heads/')) {
    const branch = ref.slice('refs/heads/'.length)
    return { branch, start: `refs/remotes/origin/${branch}` }
  }
  if (ref.startsWith('refs/')) return { branch: null, start: ref, fetch: ref }
  return { branch: ref, start: `refs/remotes/origin/${ref}` }
}

/** Creates the runner. */
export function createActionsRunner(options: ActionsRunnerOptions): ActionsRunner {
  const clock = options.clock ?? (() => new Date())
  const nodePath = options.nodePath ?? process.execPath
  const baseEnv: Record<string, string> = {}
  for (const [key, value] of Object.entries(
    options.baseEnv ?? { PATH: process.env.PATH, LANG: process.env.LANG ?? 'C.UTF-8' },
  )) {
    if (value !== undefined) baseEnv[key] = value
  }
  const states = new Map<number, RunState>()
  const queue: number[] = []
  const runNumbers = new Map<string, number>()
  const listeners: ((run: WorkflowRun) => void)[] = []
  let idleWaiters: (() => void)[] = []
  let nextId = options.firstRunId ?? 9_000_001
  let running = 0
  let closed = false

  const snapshot = (run: WorkflowRun): WorkflowRun => structuredClone(run)

  const publish = (state: RunState) => {
    state.run.updated_at = clock().toISOString()
    const copy = snapshot(state.run)
    for (const listener of listeners) {
      try {
        listener(copy)
      } catch (error) {
        options.logger?.warn({ err: error, runId: copy.id }, 'run update listener failed')
      }
    }
  }

  const checkIdle = () => {
    if (running > 0 || queue.length > 0) return
    const waiters = idleWaiters
    idleWaiters = []
    for (const waiter of waiters) waiter()
  }

  const groupBusy = (group: string) =>
    [...states.values()].some((state) => state.group === group && state.run.status === 'in_progress')

  const complete = (state: RunState, conclusion: 'success' | 'failure' | 'cancelled') => {
    state.run.status = 'completed'
    state.run.conclusion = conclusion
    publish(state)
    state.finish()
  }

  const pump = () => {
    while (!closed && running < options.concurrency) {
      const index = queue.findIndex((id) => {
        const state = states.get(id)
        return state !== undefined && (state.group === null || !groupBusy(state.group))
      })
      if (index < 0) break
      const [id] = queue.splice(index, 1)
      const state = id === undefined ? undefined : states.get(id)
      if (!state) continue
      running += 1
      state.run.status = 'in_progress'
      state.run.run_started_at = clock().toISOString()
      publish(state)
      execute(state)
        .catch((error: unknown) => {
          appendLog(
            state,
            `##[error]The runner failed: ${error instanceof Error ? error.message : String(error)}`,
          )
          return 'failure' as const
        })
        .then((conclusion) => {
          running -= 1
          complete(state, state.killed ?? conclusion)
          pump()
          checkIdle()
        })
    }
    checkIdle()
  }

  const masksOf = (extra: Set<string>) => {
    const masks = new Set(extra)
    for (const value of Object.values(options.secrets)) masks.add(value)
    return masks
  }

  const appendLog = (state: RunState, line: string, masks: Set<string> = new Set()) => {
    state.run.log += `${maskText(line, masksOf(masks))}\n`
  }

  /** Spawns one process of a step in its own process group, logging its output through the command parser. */
  const spawnLogged = (
    state: RunState,
    command: string,
    args: string[],
    spawnOptions: { cwd: string; env: Record<string, string> },
    masks: Set<string>,
    onCommand: (name: string, properties: Record<string, string>, message: string) => void,
  ): Promise<number> =>
    new Promise((resolve) => {
      if (state.killed) {
        resolve(1)
        return
      }
      const child = spawn(command, args, {
        cwd: spawnOptions.cwd,
        env: spawnOptions.env,
        detached: true,
        stdio: ['ignore', 'pipe', 'pipe'],
      })
      state.children.add(child)
      let stopToken: string | null = null
      const handleLine = (line: string) => {
        if (stopToken !== null) {
          if (line.trim() === `::${stopToken}::`) stopToken = null
          else appendLog(state, line, masks)
          return
        }
        const parsed = parseWorkflowCommand(line)
        if (!parsed) {
          appendLog(state, line, masks)
          return
        }
        if (parsed.command === 'add-mask') {
          masks.add(parsed.message)
          return
        }
        if (parsed.command === 'stop-commands') {
          stopToken = parsed.message
          return
        }
        onCommand(parsed.command, parsed.properties, parsed.message)
      }
      const reader = (stream: NodeJS.ReadableStream) => {
        let buffered = ''
        stream.setEncoding('utf8')
        stream.on('data', (chunk: string) => {
          buffered += chunk
          const lines = buffered.split('\n')
          buffered = lines.pop() ?? ''
          for (const line of lines) handleLine(line.replace(/\r$/, ''))
        })
        stream.on('end', () => {
          if (buffered) handleLine(buffered)
          buffered = ''
        })
      }
      if (child.stdout) reader(child.stdout)
      if (child.stderr) reader(child.stderr)
      child.on('error', (error) => {
        // A process that never started may not emit 'close'; resolving twice is harmless.
        appendLog(state, `##[error]Could not start ${command}: ${error.message}`)
        state.children.delete(child)
        resolve(127)
      })
      child.on('close', (code, signal) => {
        state.children.delete(child)
        resolve(code ?? (signal ? 128 : 1))
      })
    })

  const killChildren = (state: RunState) => {
    for (const child of state.children) {
      if (child.pid === undefined) continue
      try {
        // A negative pid signals the whole process group, so grandchildren die with the step.
        process.kill(-child.pid, 'SIGKILL')
      } catch {
        child.kill('SIGKILL')
      }
    }
  }

  /** Finds the directory of a `uses:` action, or null when the emulator does not know it. */
  const resolveAction = (uses: string, workspace: string): string | null => {
    if (uses.startsWith('./')) return resolvePath(workspace, uses)
    const exact = options.actions[uses]
    if (exact) return exact
    const name = uses.split('@')[0] ?? uses
    const byName = options.actions[name]
    if (byName) return byName
    const prefix = Object.keys(options.actions)
      .filter((key) => name.startsWith(`${key}/`))
      .sort((a, b) => b.length - a.length)[0]
    const base = prefix === undefined ? undefined : options.actions[prefix]
    return prefix === undefined || base === undefined ? null : join(base, name.slice(prefix.length + 1))
  }

  const readAction = async (dir: string): Promise<ActionManifest> => {
    const file = ['action.yml', 'action.yaml'].map((name) => join(dir, name)).find((path) => existsSync(path))
    if (!file) throw new Error(`no action.yml in ${dir}`)
    const parsed = actionSchema.safeParse(yaml.load(await readFile(file, 'utf8')))
    if (!parsed.success) {
      throw new Error(
        `${file} is not a valid action: ${parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`).join('; ')}`,
      )
    }
    return parsed.data
  }

  /** Runs every job of a run in `needs` order; answers the run's conclusion. */
  const execute = async (state: RunState): Promise<'success' | 'failure' | 'cancelled'> => {
    const { run, workflow } = state
    await mkdir(state.dir, { recursive: true })
    if (options.refuseUnshare) await writeRefusedUnshare(join(state.dir, 'refused-unshare'))
    const firstJob = Object.values(workflow.jobs)[0]
    const token = options.tokenFor(snapshot(run), firstJob?.permissions ?? workflow.permissions)
    const runMasks = new Set([token])
    const [owner = '', name = ''] = run.repo.split('/')
    const event = {
      inputs: run.inputs,
      ref: `refs/heads/${run.head_branch}`,
      repository: { full_name: run.repo, name, owner: { login: owner } },
      sender: { login: run.actor.login, id: run.actor.id, type: run.actor.type },
      workflow: run.path,
    }
    const eventPath = join(state.dir, 'event.json')
    await writeFile(eventPath, JSON.stringify(event, null, 2))
    const jobResults: Record<string, JobResult> = {}
    let failed = false
    for (const jobId of orderJobs(workflow)) {
      const job = workflow.jobs[jobId]
      if (!job) continue
      if (state.killed) break
      const needsOk = job.needs.every((need) => jobResults[need]?.result === 'success')
      if (!needsOk && !job.if) {
        jobResults[jobId] = { result: 'skipped', outputs: {} }
        appendLog(state, `##[group]Job ${jobId} skipped: a job it needs did not succeed\n##[endgroup]`)
        continue
      }
      const result = await runJob(state, jobId, job, {
        token,
        runMasks,
        eventPath,
        event,
        jobResults,
        needsOk,
      })
      jobResults[jobId] = result
      if (result.result === 'failure') failed = true
    }
    if (state.killed) return state.killed
    return failed ? 'failure' : 'success'
  }

  const runJob = async (
    state: RunState,
    jobId: string,
    job: WorkflowJob,
    context: {
      token: string
      runMasks: Set<string>
      eventPath: string
      event: Record<string, unknown>
      jobResults: Record<string, JobResult>
      needsOk: boolean
    },
  ): Promise<JobResult> => {
    const { run, workflow } = state
    const jobDir = join(state.dir, jobId)
    const workspace = join(jobDir, 'workspace')
    const temp = join(jobDir, 'temp')
    const home = join(jobDir, 'home')
    const commandsDir = join(jobDir, 'file-commands')
    for (const dir of [workspace, temp, home, commandsDir]) await mkdir(dir, { recursive: true })
    const [owner = ''] = run.repo.split('/')
    const runnerName = `GitHub Actions ${run.id}`
    const ref = `refs/heads/${run.head_branch}`
    const github: Record<string, ExpressionValue> = {
      token: context.token,
      repository: run.repo,
      repository_owner: owner,
      run_id: String(run.id),
      run_number: String(run.run_number),
      run_attempt: String(run.run_attempt),
      workflow: run.name,
      workflow_ref: `${run.repo}/${run.path}@${ref}`,
      job: jobId,
      actor: run.actor.login,
      actor_id: String(run.actor.id),
      triggering_actor: run.actor.login,
      event_name: 'workflow_dispatch',
      event: context.event as ExpressionValue,
      sha: run.head_sha,
      ref,
      ref_name: run.head_branch,
      ref_type: 'branch',
      head_ref: '',
      base_ref: '',
      server_url: options.serverUrl,
      api_url: options.apiUrl,
      graphql_url: options.graphqlUrl,
      workspace,
      event_path: context.eventPath,
      retention_days: '90',
    }
    const runnerContext = { os: 'Linux', arch: 'X64', name: runnerName, temp, environment: 'github-hosted' }
    const inputsContext: Record<string, ExpressionValue> = {}
    const declared = workflow.on.dispatch?.inputs ?? {}
    for (const [key, value] of Object.entries(run.inputs)) {
      const type = declared[key]?.type
      inputsContext[key] =
        type === 'boolean' ? value === 'true' : type === 'number' && value !== '' ? Number(value) : value
    }
    const steps: Record<string, StepRecord> = {}
    const needs: Record<string, ExpressionValue> = {}
    for (const need of job.needs) {
      const result = context.jobResults[need]
      needs[need] = { result: result?.result ?? 'skipped', outputs: result?.outputs ?? {} }
    }
    const status = { failed: !context.needsOk, cancelled: false }
    let env: Record<string, string> = {}
    const extraPath: string[] = []
    const scope = (stepEnv: Record<string, string>, action = ''): ExpressionScope => ({
      contexts: {
        github: { ...github, action },
        inputs: inputsContext,
        secrets: { ...options.secrets, GITHUB_TOKEN: context.token },
        vars: {},
        env: { ...stepEnv },
        steps: steps as unknown as ExpressionValue,
        runner: runnerContext,
        job: { status: status.failed ? 'failure' : 'success' },
        needs,
        matrix: {},
        strategy: {},
      },
      status: { failed: status.failed, cancelled: status.cancelled || state.killed !== null },
    })

    const jobHeader = job.name ?? jobId
    appendLog(state, `##[group]Job ${jobHeader}`)
    appendLog(state, `Runner name: ${runnerName}`)
    appendLog(state, '##[endgroup]')

    // Workflow- and job-level env are evaluated once, as the runner does at job start.
    try {
      const base = scope({})
      for (const [key, value] of Object.entries(workflow.env))
        env[key] = interpolate(value, { ...base, contexts: { ...base.contexts, env: { ...env } } })
      for (const [key, value] of Object.entries(job.env))
        env[key] = interpolate(value, { ...base, contexts: { ...base.contexts, env: { ...env } } })
      if (job.if !== undefined && !evaluateCondition(job.if, scope(env))) {
        appendLog(state, `Job ${jobId} skipped: its condition "${job.if}" is false`)
        return { result: 'skipped', outputs: {} }
      }
    } catch (error) {
      appendLog(state, `##[error]${(error as Error).message}`)
      return { result: 'failure', outputs: {} }
    }
    if (!context.needsOk) status.failed = true

    const timeout = job['timeout-minutes']
    const timer =
      timeout === undefined
        ? undefined
        : setTimeout(() => {
            appendLog(
              state,
              `##[error]The job running on runner ${runnerName} has exceeded the maximum execution time of ${timeout} minutes.`,
            )
            state.killed = 'failure'
            killChildren(state)
          }, timeout * 60_000)
    const posts: (() => Promise<void>)[] = []

    try {
      for (const [index, step] of job.steps.entries()) {
        if (state.killed) break
        const stepId = step.id ?? `__step${index + 1}`
        const label =
          step.name ?? (step.uses ? `Run ${step.uses}` : `Run ${(step.run ?? '').split('\n')[0] ?? ''}`)
        let shouldRun: boolean
        let stepEnv: Record<string, string>
        try {
          shouldRun = evaluateCondition(step.if, scope(env, stepId))
          stepEnv = { ...env }
          for (const [key, value] of Object.entries(step.env ?? {})) {
            stepEnv[key] = interpolate(value, scope(stepEnv, stepId))
          }
        } catch (error) {
          appendLog(state, `##[group]${label}`)
          appendLog(state, `##[error]${(error as Error).message}`)
          appendLog(state, '##[endgroup]')
          steps[stepId] = {
            outputs: {},
            outcome: 'failure',
            conclusion: step['continue-on-error'] ? 'success' : 'failure',
          }
          if (!step['continue-on-error']) status.failed = true
          continue
        }
        if (!shouldRun) {
          steps[stepId] = { outputs: {}, outcome: 'skipped', conclusion: 'skipped' }
          continue
        }
        const files = {
          GITHUB_OUTPUT: join(commandsDir, `set_output_${randomUUID()}`),
          GITHUB_ENV: join(commandsDir, `set_env_${randomUUID()}`),
          GITHUB_PATH: join(commandsDir, `add_path_${randomUUID()}`),
          GITHUB_STATE: join(commandsDir, `save_state_${randomUUID()}`),
          GITHUB_STEP_SUMMARY: join(commandsDir, `step_summary_${randomUUID()}`),
        }
        for (const file of Object.values(files)) await writeFile(file, '')
        const runnerEnv: Record<string, string> = {
          CI: 'true',
          GITHUB_ACTIONS: 'true',
          GITHUB_REPOSITORY: run.repo,
          GITHUB_REPOSITORY_OWNER: owner,
          GITHUB_RUN_ID: String(run.id),
          GITHUB_RUN_NUMBER: String(run.run_number),
          GITHUB_RUN_ATTEMPT: String(run.run_attempt),
          GITHUB_WORKFLOW: run.name,
          GITHUB_WORKFLOW_REF: `${run.repo}/${run.path}@${ref}`,
          GITHUB_JOB: jobId,
          GITHUB_ACTION: stepId,
          GITHUB_ACTOR: run.actor.login,
          GITHUB_ACTOR_ID: String(run.actor.id),
          GITHUB_TRIGGERING_ACTOR: run.actor.login,
          GITHUB_EVENT_NAME: 'workflow_dispatch',
          GITHUB_EVENT_PATH: context.eventPath,
          GITHUB_SHA: run.head_sha,
          GITHUB_REF: ref,
          GITHUB_REF_NAME: run.head_branch,
          GITHUB_REF_TYPE: 'branch',
          GITHUB_HEAD_REF: '',
          GITHUB_BASE_REF: '',
          GITHUB_WORKSPACE: workspace,
          GITHUB_SERVER_URL: options.serverUrl,
          GITHUB_API_URL: options.apiUrl,
          GITHUB_GRAPHQL_URL: options.graphqlUrl,
          GITHUB_RETENTION_DAYS: '90',
          RUNNER_TEMP: temp,
          RUNNER_OS: 'Linux',
          RUNNER_ARCH: 'X64',
          RUNNER_NAME: runnerName,
          RUNNER_ENVIRONMENT: 'github-hosted',
          ...files,
        }
        const processEnv: Record<string, string> = { HOME: home, ...baseEnv, ...stepEnv, ...runnerEnv }
        if (extraPath.length > 0) processEnv.PATH = [...extraPath, processEnv.PATH ?? ''].join(':')
        if (options.refuseUnshare) {
          processEnv.PATH = [join(state.dir, 'refused-unshare'), processEnv.PATH ?? ''].join(':')
        }
        const stepMasks = context.runMasks
        const record: StepRecord = { outputs: {}, outcome: 'success', conclusion: 'success' }
        const stateValues: Record<string, string> = {}
        const onCommand = (name: string, properties: Record<string, string>, message: string) => {
          if (name === 'error' || name === 'warning' || name === 'notice') {
            const where = properties.file
              ? ` (${properties.file}${properties.line ? `:${properties.line}` : ''})`
              : ''
            appendLog(state, `##[${name}]${message}${where}`, stepMasks)
          } else if (name === 'set-output' && properties.name) {
            record.outputs[properties.name] = message
          } else if (name === 'save-state' && properties.name) {
            stateValues[properties.name] = message
          } else if (name === 'group' || name === 'endgroup') {
            appendLog(state, `##[${name}]${message}`, stepMasks)
          } else if (name !== 'debug') {
            appendLog(state, `::${name}::${message}`, stepMasks)
          }
        }

        appendLog(state, `##[group]${maskText(interpolateSafe(label, scope(stepEnv, stepId)), stepMasks)}`)
        let code: number
        const stepTimeout = step['timeout-minutes']
        let timedOut = false
        const stepTimer =
          stepTimeout === undefined
            ? undefined
            : setTimeout(() => {
                timedOut = true
                killChildren(state)
              }, stepTimeout * 60_000)
        try {
          if (step.uses) {
            code = await runUses(state, step, {
              scope: scope(stepEnv, stepId),
              processEnv,
              workspace,
              masks: stepMasks,
              onCommand,
              token: context.token,
              stateValues,
              posts,
              label: maskText(interpolateSafe(label, scope(stepEnv, stepId)), stepMasks),
            })
          } else {
            const script = interpolate(step.run ?? '', scope(stepEnv, stepId))
            const scriptPath = join(temp, `${randomUUID()}.sh`)
            await writeFile(scriptPath, script)
            appendLog(state, 'shell: bash --noprofile --norc -e -o pipefail {0}')
            appendLog(state, '##[endgroup]')
            const cwd = step['working-directory']
              ? resolvePath(workspace, interpolate(step['working-directory'], scope(stepEnv, stepId)))
              : workspace
            code = await spawnLogged(
              state,
              'bash',
              ['--noprofile', '--norc', '-eo', 'pipefail', scriptPath],
              { cwd, env: processEnv },
              stepMasks,
              onCommand,
            )
          }
        } catch (error) {
          appendLog(state, `##[error]${(error as Error).message}`, stepMasks)
          code = 1
        } finally {
          if (stepTimer) clearTimeout(stepTimer)
        }
        if (timedOut) {
          appendLog(
            state,
            `##[error]The action '${label}' has timed out after ${stepTimeout} minutes.`,
            stepMasks,
          )
          code = code || 1
        }

        try {
          Object.assign(
            record.outputs,
            parseEnvironmentFile(await readFile(files.GITHUB_OUTPUT, 'utf8'), 'GITHUB_OUTPUT'),
          )
          env = { ...env, ...parseEnvironmentFile(await readFile(files.GITHUB_ENV, 'utf8'), 'GITHUB_ENV') }
          Object.assign(
            stateValues,
            parseEnvironmentFile(await readFile(files.GITHUB_STATE, 'utf8'), 'GITHUB_STATE'),
          )
          const paths = (await readFile(files.GITHUB_PATH, 'utf8')).split('\n').filter(Boolean)
          extraPath.unshift(...paths.reverse())
          const summary = await readFile(files.GITHUB_STEP_SUMMARY, 'utf8')
          if (summary) run.summary += maskText(summary, masksOf(stepMasks))
        } catch (error) {
          appendLog(state, `##[error]${(error as Error).message}`, stepMasks)
          code = code || 1
        }

        if (state.killed) {
          appendLog(state, '##[error]The operation was canceled.')
          record.outcome = 'cancelled'
          record.conclusion = 'cancelled'
        } else if (code !== 0) {
          if (step.run !== undefined) appendLog(state, `##[error]Process completed with exit code ${code}.`)
          record.outcome = 'failure'
          record.conclusion = step['continue-on-error'] ? 'success' : 'failure'
          if (!step['continue-on-error']) status.failed = true
        }
        steps[stepId] = record
        if (step.id) run.outputs[step.id] = { ...record.outputs }
      }
      // Post steps run last, in reverse order, as the runner does (unless the run was killed).
      for (const post of posts.reverse()) {
        if (state.killed) break
        await post()
      }
    } finally {
      if (timer) clearTimeout(timer)
    }

    const outputs: Record<string, string> = {}
    for (const [key, value] of Object.entries(job.outputs ?? {})) {
      outputs[key] = interpolateSafe(value, scope(env))
    }
    if (state.killed) return { result: 'cancelled', outputs }
    return { result: status.failed ? 'failure' : 'success', outputs }

    function interpolateSafe(text: string, at: ExpressionScope): string {
      try {
        return interpolate(text, at)
      } catch {
        return text
      }
    }
  }

  /** Runs a `uses:` step: the built-in checkout, or a mapped JavaScript action (and queues its post). */
  const runUses = async (
    state: RunState,
    step: WorkflowStep,
    context: {
      scope: ExpressionScope
      processEnv: Record<string, string>
      workspace: string
      masks: Set<string>
      onCommand: (name: string, properties: Record<string, string>, message: string) => void
      token: string
      stateValues: Record<string, string>
      posts: (() => Promise<void>)[]
      label: string
    },
  ): Promise<number> => {
    const uses = step.uses ?? ''
    const withValues: Record<string, string> = {}
    for (const [key, value] of Object.entries(step.with ?? {}))
      withValues[key] = interpolate(value, context.scope)
    const dir = resolveAction(uses, context.workspace)
    if (!dir && /^actions\/checkout@/.test(uses)) {
      for (const [name, value] of Object.entries(withValues))
        appendLog(state, `  ${name}: ${value}`, context.masks)
      appendLog(state, '##[endgroup]')
      return checkout(state, withValues, context)
    }
    if (!dir) {
      throw new Error(
        `Unable to resolve action \`${uses}\`: the emulator runs only actions/checkout and the actions it maps (${Object.keys(options.actions).join(', ') || 'none'}); add it to the runner's "actions" option`,
      )
    }
    const manifest = await readAction(dir)
    if (!/^node\d+$/.test(manifest.runs.using) || !manifest.runs.main) {
      throw new Error(
        `${uses} uses "${manifest.runs.using}"; the emulator runs only JavaScript actions (runs.using: node20 or node24)`,
      )
    }
    const env: Record<string, string> = {
      ...context.processEnv,
      GITHUB_ACTION_PATH: dir,
      GITHUB_ACTION_REPOSITORY: uses.split('@')[0] ?? '',
    }
    for (const [name, input] of Object.entries(manifest.inputs)) {
      if (input.default !== undefined) env[inputVariable(name)] = interpolate(input.default, context.scope)
    }
    for (const [name, value] of Object.entries(withValues)) env[inputVariable(name)] = value
    for (const [name, input] of Object.entries(manifest.inputs)) {
      if (input.required && (env[inputVariable(name)] ?? '') === '') {
        appendLog(state, `##[warning]Input required and not supplied: ${name}`)
      }
    }
    appendLog(state, `with:`)
    for (const [name, value] of Object.entries(withValues))
      appendLog(state, `  ${name}: ${value}`, context.masks)
    appendLog(state, '##[endgroup]')
    const code = await spawnLogged(
      state,
      nodePath,
      [join(dir, manifest.runs.main)],
      { cwd: context.workspace, env },
      context.masks,
      context.onCommand,
    )
    if (manifest.runs.post) {
      const post = manifest.runs.post
      const postIf = manifest.runs['post-if'] ?? 'always()'
      const stateValues = context.stateValues
      const postScope = context.scope
      context.posts.push(async () => {
        if (!evaluateCondition(postIf, postScope)) return
        appendLog(state, `##[group]Post ${context.label}`)
        appendLog(state, '##[endgroup]')
        const summaryFile = `${env.GITHUB_STEP_SUMMARY ?? join(state.dir, 'summary')}_post`
        await writeFile(summaryFile, '')
        const postEnv: Record<string, string> = { ...env, GITHUB_STEP_SUMMARY: summaryFile }
        for (const [name, value] of Object.entries(stateValues)) postEnv[`STATE_${name}`] = value
        const postCode = await spawnLogged(
          state,
          nodePath,
          [join(dir, post)],
          { cwd: context.workspace, env: postEnv },
          context.masks,
          context.onCommand,
        )
        if (postCode !== 0) appendLog(state, `##[warning]Post step of ${uses} exited with code ${postCode}`)
        state.run.summary += maskText(await readFile(summaryFile, 'utf8'), masksOf(context.masks))
      })
    }
    return code
  }

  /** The built-in `actions/checkout`: a real clone over the emulator's git URL, at the run's commit. */
  const checkout = async (
    state: RunState,
    withValues: Record<string, string>,
    context: {
      workspace: string
      masks: Set<string>
      token: string
      onCommand: (name: string, properties: Record<string, string>, message: string) => void
    },
  ): Promise<number> => {
    const { run } = state
    const repo = withValues.repository || run.repo
    const token = withValues.token || context.token
    const target = withValues.path ? resolvePath(context.workspace, withValues.path) : context.workspace
    if (!isAbsolute(target) || !target.startsWith(context.workspace)) {
      throw new Error(`checkout path "${withValues.path}" leaves the workspace`)
    }
    const url = `${options.gitUrl}/${repo}.git`
    const header = `AUTHORIZATION: basic ${Buffer.from(`x-access-token:${token}`).toString('base64')}`
    context.masks.add(Buffer.from(`x-access-token:${token}`).toString('base64'))
    const gitEnv = isolatedGitEnv()
    const gitStep = (args: string[], cwd: string) =>
      spawnLogged(state, 'git', args, { cwd, env: gitEnv }, context.masks, context.onCommand)
    await mkdir(target, { recursive: true })
    const steps: [string[], string][] = [
      [['init', '--quiet', target], context.workspace],
      [['remote', 'add', 'origin', url], target],
      [['config', '--local', `http.${options.gitUrl}/.extraheader`, header], target],
      [['config', '--local', 'user.name', BOT.name], target],
      [['config', '--local', 'user.email', BOT.email], target],
      [['fetch', '--quiet', '--no-tags', 'origin', '+refs/heads/*:refs/remotes/origin/*'], target],
    ]
    for (const [args, cwd] of steps) {
      const code = await gitStep(args, cwd)
      if (code !== 0) return code
    }
    const plan = checkoutPlan(withValues.ref ?? '', repo === run.repo ? run : null)
    if (!plan) throw new Error(`checkout of ${repo} needs a "ref" input in the emulator`)
    if (plan.fetch) {
      const fetched = await gitStep(
        ['fetch', '--quiet', '--no-tags', 'origin', `+${plan.fetch}:${plan.fetch}`],
        target,
      )
      if (fetched !== 0) return fetched
    }
    const branch = plan.branch
    const checkoutArgs = branch
      ? ['checkout', '--quiet', '--force', '-B', branch, plan.start]
      : ['checkout', '--quiet', '--force', '--detach', plan.start]
    let code = await gitStep(checkoutArgs, target)
    if (code === 0 && branch)
      code = await gitStep(['branch', '--quiet', `--set-upstream-to=origin/${branch}`, branch], target)
    if (code === 0 && withValues['persist-credentials'] === 'false') {
      code = await gitStep(
        ['config', '--local', '--unset-all', `http.${options.gitUrl}/.extraheader`],
        target,
      )
    }
    return code
  }

  const resolveDispatchRef = async (
    repo: string,
    ref: string,
  ): Promise<{ sha: string; branch: string } | null> => {
    const candidates = ref.startsWith('refs/') ? [ref] : [`refs/heads/${ref}`, `refs/tags/${ref}`]
    for (const candidate of candidates) {
      const sha = await options.gitHost.resolveRef(repo, candidate)
      if (sha) return { sha, branch: candidate.replace(/^refs\/(heads|tags)\//, '') }
    }
    return null
  }

  const runner: ActionsRunner = {
    async dispatch(request) {
      if (closed) throw new Error('the Actions runner is closed; create a new one')
      const file = request.workflow.replace(/^\.github\/workflows\//, '')
      const path = `.github/workflows/${file}`
      let found: { sha: string; branch: string } | null
      try {
        found = await resolveDispatchRef(request.repo, request.ref)
      } catch {
        throw new DispatchError('Not Found', 404)
      }
      if (!found) throw new DispatchError(`No ref found for: ${request.ref}`, 422)
      const text = await options.gitHost.readFile(request.repo, found.sha, path)
      if (!text)
        throw new DispatchError(`Not Found: ${path} does not exist at ${request.ref} of ${request.repo}`, 404)
      let workflow: Workflow
      try {
        workflow = parseWorkflowFile(path, text.toString('utf8'))
      } catch (error) {
        if (error instanceof WorkflowFileError) throw new DispatchError(error.message, 422)
        throw error
      }
      const resolved = resolveDispatchInputs(workflow, request.inputs)
      if ('error' in resolved) throw new DispatchError(resolved.error, 422)
      const key = `${request.repo}:${path}`
      const runNumber = (runNumbers.get(key) ?? 0) + 1
      const now = clock().toISOString()
      const run: WorkflowRun = {
        id: nextId,
        run_number: runNumber,
        run_attempt: 1,
        name: workflow.name ?? path,
        path,
        repo: request.repo,
        event: 'workflow_dispatch',
        head_branch: found.branch,
        head_sha: found.sha,
        status: 'queued',
        conclusion: null,
        inputs: resolved.inputs,
        actor: structuredClone(request.actor),
        created_at: now,
        updated_at: now,
        run_started_at: null,
        log: '',
        outputs: {},
        summary: '',
      }
      const concurrency = workflow.concurrency
      let group: string | null = null
      if (concurrency) {
        try {
          group = interpolate(concurrency.group, {
            contexts: {
              inputs: resolved.inputs,
              github: {
                repository: run.repo,
                repository_owner: request.repo.split('/')[0] ?? '',
                workflow: run.name,
                ref: `refs/heads/${run.head_branch}`,
                ref_name: run.head_branch,
                sha: run.head_sha,
                event_name: 'workflow_dispatch',
                event: { inputs: resolved.inputs },
                actor: request.actor.login,
                run_id: String(nextId),
                run_number: String(runNumber),
              },
              vars: {},
            },
          })
        } catch (error) {
          throw new DispatchError(
            `Invalid workflow file ${path}: concurrency.group: ${(error as Error).message}`,
            422,
          )
        }
      }
      nextId += 1
      runNumbers.set(key, runNumber)
      let finish = () => undefined as void
      const done = new Promise<void>((resolve) => {
        finish = resolve
      })
      const state: RunState = {
        run,
        workflow,
        group,
        cancelInProgress: concurrency?.['cancel-in-progress'] ?? false,
        dir: join(options.workRoot, `run-${run.id}`),
        children: new Set(),
        killed: null,
        done,
        finish,
      }
      states.set(run.id, state)
      queue.push(run.id)
      publish(state)
      if (group !== null) {
        // GitHub keeps one pending run per group: a newer one cancels the older pending run, and
        // with cancel-in-progress also the running one.
        for (const other of states.values()) {
          if (other === state || other.group !== group || other.run.status === 'completed') continue
          if (other.run.status === 'queued') {
            appendLog(
              other,
              `##[error]Canceling since a higher priority waiting request for '${group}' exists`,
            )
            await runner.kill(other.run.id)
          } else if (state.cancelInProgress) {
            await runner.kill(other.run.id)
          }
        }
      }
      const answer = snapshot(run)
      // Start on a later turn, so the dispatcher gets its answer (queued) before the run moves on.
      setImmediate(pump)
      return answer
    },

    get(id) {
      const state = states.get(id)
      return state ? snapshot(state.run) : undefined
    },

    list(repo, workflow) {
      const path =
        workflow === undefined
          ? undefined
          : `.github/workflows/${workflow.replace(/^\.github\/workflows\//, '')}`
      return [...states.values()]
        .map((state) => state.run)
        .filter((run) => run.repo === repo && (path === undefined || run.path === path))
        .sort((a, b) => b.id - a.id)
        .map(snapshot)
    },

    async kill(id, killOptions = {}) {
      const state = states.get(id)
      if (!state || state.run.status === 'completed') return false
      const conclusion = killOptions.asFailure ? 'failure' : 'cancelled'
      if (state.run.status === 'queued') {
        const index = queue.indexOf(id)
        if (index >= 0) queue.splice(index, 1)
        state.killed = conclusion
        complete(state, conclusion)
        pump()
        return true
      }
      state.killed = conclusion
      killChildren(state)
      await state.done
      return true
    },

    onUpdate(listener) {
      listeners.push(listener)
    },

    idle() {
      if (running === 0 && queue.length === 0) return Promise.resolve()
      return new Promise((resolve) => idleWaiters.push(resolve))
    },

    async close() {
      closed = true
      for (const id of [...queue]) await runner.kill(id)
      await Promise.all(
        [...states.values()]
          .filter((state) => state.run.status !== 'completed')
          .map((state) => runner.kill(state.run.id)),
      )
      await rm(options.workRoot, { recursive: true, force: true })
    },
  }
  return runner
}
