/**
 * A `workflow_dispatch` request made into a run: the ref and the workflow file at it, the inputs checked,
 * the run's id and number, and its concurrency group. Errors are DispatchErrors, as GitHub answers them.
 * https://docs.github.com/en/rest/actions/workflows#create-a-workflow-dispatch-event
 */
import { join } from 'node:path'
import { DispatchError, type ActionsRunner, type WorkflowRun } from './contracts.js'
import type { RunnerContext } from './runner-context.js'
import type { RunState } from './run-state.js'
import { interpolate } from './workflow-expressions.js'
import {
  WorkflowFileError,
  parseWorkflowFile,
  resolveDispatchInputs,
  workflowPath,
  type Workflow,
} from './workflow-file.js'

/** A dispatch request, as the runner's handle takes it. */
type DispatchRequest = Parameters<ActionsRunner['dispatch']>[0]

/** Makes runs of dispatch requests, numbering them. */
export interface RunDispatcher {
  /** The run state of a request, ready to queue; throws DispatchError. */
  admit(request: DispatchRequest): Promise<RunState>
}

/** Creates the dispatcher; run ids count up from `context.firstRunId`. */
export function createRunDispatcher(context: RunnerContext): RunDispatcher {
  const runNumbers = new Map<string, number>()
  let nextId = context.firstRunId ?? 9_000_001
  return {
    async admit(request) {
      const { path, found, workflow, inputs } = await readDispatchedWorkflow(context, request)
      const key = `${request.repo}:${path}`
      const runNumber = (runNumbers.get(key) ?? 0) + 1
      const now = context.clock().toISOString()
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
        inputs,
        actor: structuredClone(request.actor),
        created_at: now,
        updated_at: now,
        run_started_at: null,
        log: '',
        outputs: {},
        summary: '',
      }
      const group = concurrencyGroup(workflow, run)
      nextId += 1
      runNumbers.set(key, runNumber)
      return newRunState(context, run, workflow, group)
    },
  }
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
function concurrencyGroup(workflow: Workflow, run: WorkflowRun): string | null {
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
          event_name: 'workflow_dispatch',
          event: { inputs: run.inputs },
          actor: run.actor.login,
          run_id: String(run.id),
          run_number: String(run.run_number),
        },
        vars: {},
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
