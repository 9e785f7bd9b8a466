/**
 * A `workflow_dispatch` request made into a run: the ref and the workflow file at it, the inputs checked,
 * the run's id and number, and its concurrency group. Errors are DispatchErrors, as GitHub answers them.
 * https://docs.github.com/en/rest/actions/workflows#create-a-workflow-dispatch-event
 * Other events make runs of every workflow that takes them (workflow-triggers.ts).
 */
import { join } from 'node:path'
import { DispatchError, type ActionsRunner, type RepositoryEvent, type WorkflowRun } from './contracts.js'
import type { RunnerContext } from './runner-context.js'
import type { RunState } from './run-state.js'
import { interpolate, type ExpressionValue } from './workflow-expressions.js'
import { cronsOf, matchesTrigger, startsWorkflows } from './workflow-triggers.js'
import {
  WorkflowFileError,
  parseWorkflowFile,
  resolveDispatchInputs,
  workflowPath,
  type Workflow,
} from './workflow-file.js'

/** A dispatch request, as the runner's handle takes it. */
type DispatchRequest = Parameters<ActionsRunner['dispatch']>[0]

/** Makes runs of dispatch requests and events, numbering them. */
export interface RunDispatcher {
  /** The run state of a request, ready to queue; throws DispatchError. */
  admit(request: DispatchRequest): Promise<RunState>
  /** The run states of every workflow the event starts, ready to queue (none for a GITHUB_TOKEN's event). */
  admitEvent(event: RepositoryEvent): Promise<RunState[]>
}

/** What a new run is made of. */
interface RunSource {
  repo: string
  path: string
  workflow: Workflow
  event: string
  found: { sha: string; branch: string }
  inputs: Record<string, string>
  actor: WorkflowRun['actor']
  payload?: Record<string, unknown>
}

/** Creates the dispatcher; run ids count up from `context.firstRunId`. */
export function createRunDispatcher(context: RunnerContext): RunDispatcher {
  const runNumbers = new Map<string, number>()
  let nextId = context.firstRunId ?? 9_000_001
  const newRun = (source: RunSource): RunState => {
    const key = `${source.repo}:${source.path}`
    const runNumber = (runNumbers.get(key) ?? 0) + 1
    const now = context.clock().toISOString()
    const run: WorkflowRun = {
      id: nextId,
      run_number: runNumber,
      run_attempt: 1,
      name: source.workflow.name ?? source.path,
      path: source.path,
      repo: source.repo,
      event: source.event,
      head_branch: source.found.branch,
      head_sha: source.found.sha,
      status: 'queued',
      conclusion: null,
      inputs: source.inputs,
      actor: structuredClone(source.actor),
      created_at: now,
      updated_at: now,
      run_started_at: null,
      log: '',
      outputs: {},
      summary: '',
      ...(source.payload ? { payload: structuredClone(source.payload) } : {}),
    }
    const group = concurrencyGroup(context, source.workflow, run)
    nextId += 1
    runNumbers.set(key, runNumber)
    return newRunState(context, run, source.workflow, group)
  }
  return {
    async admit(request) {
      const { path, found, workflow, inputs } = await readDispatchedWorkflow(context, request)
      return newRun({ ...request, path, found, workflow, inputs, event: 'workflow_dispatch' })
    },
    async admitEvent(event) {
      if (!startsWorkflows(event.event, event.actor.login)) return []
      const found = event.at ?? (await defaultBranchHead(context, event.repo))
      if (!found) return []
      const states: RunState[] = []
      for (const { path, workflow } of await workflowsAt(context, event.repo, found.sha)) {
        if (!matchesTrigger(workflow, event.event, event.payload)) continue
        // A scheduled run's payload names the cron line that fired (the first, as the emulator has no clock for them).
        const payload =
          event.event === 'schedule' ? { ...event.payload, schedule: cronsOf(workflow)[0] } : event.payload
        try {
          states.push(newRun({ ...event, path, workflow, found, inputs: {}, payload }))
        } catch (error) {
          // GitHub shows a run of a workflow it cannot evaluate as failed at once; the emulator logs and skips it.
          context.logger?.warn({ err: error, path }, 'workflow not started')
        }
      }
      return states
    },
  }
}

/** The default branch's head (the branch HEAD names), or null for an empty repository. */
async function defaultBranchHead(
  context: RunnerContext,
  repo: string,
): Promise<{ sha: string; branch: string } | null> {
  const branch = context.defaultBranch ? context.defaultBranch(repo) : 'main'
  const sha = branch ? await context.gitHost.resolveRef(repo, `refs/heads/${branch}`) : null
  return branch && sha ? { sha, branch } : null
}

/** The workflow files of a commit that parse; others start nothing, as on GitHub. */
async function workflowsAt(
  context: RunnerContext,
  repo: string,
  sha: string,
): Promise<{ path: string; workflow: Workflow }[]> {
  let entries: Awaited<ReturnType<RunnerContext['gitHost']['listTree']>>
  try {
    entries = await context.gitHost.listTree(repo, sha, '.github/workflows')
  } catch {
    return []
  }
  const found: { path: string; workflow: Workflow }[] = []
  for (const entry of entries) {
    if (entry.type !== 'blob' || !/\.ya?ml$/.test(entry.path)) continue
    const path = entry.path.startsWith('.github/') ? entry.path : `.github/workflows/${entry.path}`
    const text = await context.gitHost.readFile(repo, sha, path)
    if (!text) continue
    try {
      found.push({ path, workflow: parseWorkflowFile(path, text.toString('utf8')) })
    } catch (error) {
      if (!(error instanceof WorkflowFileError)) throw error
    }
  }
  return found
}

/** The workflow file of a request at its ref, parsed, with the inputs resolved. */
async function readDispatchedWorkflow(
  context: RunnerContext,
  request: DispatchRequest,
): Promise<{
  path: string
  found: { sha: string; branch: string }
  workflow: Workflow
  inputs: Record<string, string>
}> {
  const path = workflowPath(request.workflow)
  let found: { sha: string; branch: string } | null
  try {
    found = await resolveDispatchRef(context, request.repo, request.ref)
  } catch {
    throw new DispatchError('Not Found', 404)
  }
  if (!found) throw new DispatchError(`No ref found for: ${request.ref}`, 422)
  const text = await context.gitHost.readFile(request.repo, found.sha, path)
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
  return { path, found, workflow, inputs: resolved.inputs }
}

/** The commit and branch (or tag) name of a dispatch ref, or null when there is none. */
async function resolveDispatchRef(
  context: RunnerContext,
  repo: string,
  ref: string,
): Promise<{ sha: string; branch: string } | null> {
  const candidates = ref.startsWith('refs/') ? [ref] : [`refs/heads/${ref}`, `refs/tags/${ref}`]
  for (const candidate of candidates) {
    const sha = await context.gitHost.resolveRef(repo, candidate)
    if (sha) return { sha, branch: candidate.replace(/^refs\/(heads|tags)\//, '') }
  }
  return null
}

/** The run's concurrency group, evaluated with the contexts GitHub allows there; null without one. */
function concurrencyGroup(context: RunnerContext, workflow: Workflow, run: WorkflowRun): string | null {
  const concurrency = workflow.concurrency
  if (!concurrency) return null
  try {
    return interpolate(concurrency.group, {
      contexts: {
        inputs: run.inputs,
        github: {
          repository: run.repo,
          repository_owner: run.repo.split('/')[0] ?? '',
          workflow: run.name,
          ref: `refs/heads/${run.head_branch}`,
          ref_name: run.head_branch,
          sha: run.head_sha,
          event_name: run.event,
          event: (run.payload ?? { inputs: run.inputs }) as ExpressionValue,
          actor: run.actor.login,
          run_id: String(run.id),
          run_number: String(run.run_number),
        },
        vars: { ...context.variables },
      },
    })
  } catch (error) {
    throw new DispatchError(
      `Invalid workflow file ${run.path}: concurrency.group: ${(error as Error).message}`,
      422,
    )
  }
}

/** The state of a new, queued run. */
function newRunState(
  context: RunnerContext,
  run: WorkflowRun,
  workflow: Workflow,
  group: string | null,
): RunState {
  let finish = () => undefined as void
  const done = new Promise<void>((resolve) => {
    finish = resolve
  })
  return {
    run,
    workflow,
    group,
    cancelInProgress: workflow.concurrency?.['cancel-in-progress'] ?? false,
    dir: join(context.workRoot, `run-${run.id}`),
    children: new Set(),
    killed: null,
    done,
    finish,
  }
}
