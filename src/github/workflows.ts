/** Worker runs: dispatched with `workflow_dispatch`, asking for the run's id so each attempt is tied to it. */
import { statusOf, type GitHubApi, type RepoRef } from './client.js'

/** A dispatched run, as GitHub answers when asked for run details. */
export interface DispatchedRun {
  runId: number
  runUrl: string
  htmlUrl: string
}

/**
 * Dispatches `workflow` (file name or id) at `ref`. With `return_run_details` GitHub answers 200 and the
 * run's id; an older server answers 204 with nothing, and then the run id is unknown (null).
 */
export async function dispatchWorkflow(
  api: GitHubApi,
  repo: RepoRef,
  workflow: string,
  ref: string,
  inputs: Record<string, string>,
): Promise<DispatchedRun | null> {
  const response = await api.request(
    'POST /repos/{owner}/{repo}/actions/workflows/{workflow_id}/dispatches',
    {
      ...repo,
      workflow_id: workflow,
      ref,
      inputs,
      return_run_details: true,
    },
  )
  const data = response.data as unknown as
    { workflow_run_id?: number; run_url?: string; html_url?: string } | undefined
  if ((response.status as number) === 204 || !data || typeof data.workflow_run_id !== 'number') return null
  return { runId: data.workflow_run_id, runUrl: data.run_url ?? '', htmlUrl: data.html_url ?? '' }
}

/** The fields of a workflow run the town reads. */
export interface RunData {
  id: number
  status: string | null
  conclusion: string | null
  html_url: string
  created_at: string
  updated_at: string
  path: string
}

/** One run, or null when GitHub does not know it. */
export async function getWorkflowRun(api: GitHubApi, repo: RepoRef, runId: number): Promise<RunData | null> {
  try {
    const { data } = await api.request('GET /repos/{owner}/{repo}/actions/runs/{run_id}', {
      ...repo,
      run_id: runId,
    })
    return {
      id: Number(data.id),
      status: data.status,
      conclusion: data.conclusion,
      html_url: data.html_url,
      created_at: data.created_at,
      updated_at: data.updated_at,
      path: data.path,
    }
  } catch (error) {
    if (statusOf(error) === 404) return null
    throw error
  }
}
