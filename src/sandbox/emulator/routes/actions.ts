/** GitHub Actions: workflow_dispatch (with or without run details), workflow runs, cancel. */
import { DispatchError, type ActionsRunner, type WorkflowRun } from '../contracts.js'
import { HttpError, notFound } from '../http-error.js'
import { paginate } from '../pagination.js'
import type { RepoRecord } from '../state.js'
import type { RouteContext, RouteResult, RouteTable } from './route-context.js'
import { intParam } from './route-context.js'

const requireRunner = (context: RouteContext): ActionsRunner => {
  const runner = context.services.runner
  if (!runner) throw notFound()
  return runner
}

/** The workflow file a `{workflow_id}` names: a file name, or the numeric id the emulator gave it. */
function workflowFile(context: RouteContext, repo: RepoRecord): string {
  const id = String(context.params.workflow_id)
  if (!/^\d+$/.test(id)) return id
  for (const [key, value] of context.services.state.workflowIds) {
    const [fullName, path] = [key.slice(0, key.lastIndexOf(':')), key.slice(key.lastIndexOf(':') + 1)]
    if (value === Number(id) && fullName === repo.fullName) return path.replace(/^\.github\/workflows\//, '')
  }
  throw notFound()
}

const dispatch = async (context: RouteContext): Promise<RouteResult> => {
  const actor = context.requireActor()
  const repo = context.repo('write')
  const runner = requireRunner(context)
  const inputs = Object.fromEntries(
    Object.entries((context.body.inputs ?? {}) as Record<string, unknown>).map(([k, v]) => [
      k,
      typeof v === 'string' ? v : JSON.stringify(v),
    ]),
  )
  let run: WorkflowRun
  try {
    run = await runner.dispatch({
      repo: repo.fullName,
      workflow: workflowFile(context, repo),
      ref: String(context.body.ref),
      inputs,
      actor,
    })
  } catch (error) {
    if (error instanceof DispatchError) throw new HttpError(error.status, error.message)
    throw error
  }
  if (context.body.return_run_details !== true) return { status: 204 }
  const { apiUrl, htmlUrl } = context.services
  return {
    status: 200,
    body: {
      workflow_run_id: run.id,
      run_url: `${apiUrl}/repos/${repo.fullName}/actions/runs/${run.id}`,
      html_url: `${htmlUrl}/${repo.fullName}/actions/runs/${run.id}`,
    },
  }
}

const runMatches = (run: WorkflowRun, q: URLSearchParams): boolean => {
  const status = q.get('status')
  if (status && run.status !== status && run.conclusion !== status) return false
  const branch = q.get('branch')
  if (branch && run.head_branch !== branch) return false
  const actor = q.get('actor')
  if (actor && run.actor.login.toLowerCase() !== actor.toLowerCase()) return false
  const event = q.get('event')
  if (event && run.event !== event) return false
  const headSha = q.get('head_sha')
  return !headSha || run.head_sha === headSha
}

const listRuns = (context: RouteContext, workflow?: string): RouteResult => {
  const repo = context.repo('read')
  const runs = requireRunner(context)
    .list(repo.fullName, workflow)
    .filter((run) => runMatches(run, context.url.searchParams))
  const page = paginate(runs, context.url)
  return {
    status: 200,
    body: {
      total_count: runs.length,
      workflow_runs: page.items.map((r) => context.services.shapes.workflowRun(r)),
    },
    headers: page.link ? { link: page.link } : {},
  }
}

const findRun = (context: RouteContext): { repo: RepoRecord; run: WorkflowRun } => {
  const repo = context.repo('read')
  const run = requireRunner(context).get(intParam(context, 'run_id'))
  if (!run || run.repo !== repo.fullName) throw notFound()
  return { repo, run }
}

const cancelRun = async (context: RouteContext): Promise<RouteResult> => {
  context.requireActor()
  context.repo('write')
  const { run } = findRun(context)
  if (run.status === 'completed') throw new HttpError(409, 'Cannot cancel a workflow run that is completed.')
  void requireRunner(context).kill(run.id)
  return { status: 202, body: {} }
}

const getWorkflow = (context: RouteContext): RouteResult => {
  const repo = context.repo('read')
  return {
    status: 200,
    body: context.services.shapes.workflow(repo, `.github/workflows/${workflowFile(context, repo)}`),
  }
}

/** Actions routes. */
export const actionRoutes: RouteTable = {
  'POST /repos/{owner}/{repo}/actions/workflows/{workflow_id}/dispatches': dispatch,
  'GET /repos/{owner}/{repo}/actions/workflows/{workflow_id}': getWorkflow,
  'GET /repos/{owner}/{repo}/actions/runs': (context) => listRuns(context),
  'GET /repos/{owner}/{repo}/actions/workflows/{workflow_id}/runs': (context) =>
    listRuns(context, workflowFile(context, context.repo('read'))),
  'GET /repos/{owner}/{repo}/actions/runs/{run_id}': (context) => {
    const { run } = findRun(context)
    return { status: 200, body: context.services.shapes.workflowRun(run) }
  },
  'POST /repos/{owner}/{repo}/actions/runs/{run_id}/cancel': cancelRun,
}
