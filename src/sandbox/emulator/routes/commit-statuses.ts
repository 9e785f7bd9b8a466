/**
 * Commit statuses and check runs: what CI reports on a commit, and what the Mayor reads before it
 * merges a PR with `merge: auto`.
 * - `POST /repos/{owner}/{repo}/statuses/{sha}` creates a status
 *   (https://docs.github.com/en/rest/commits/statuses#create-a-commit-status).
 * - `GET /repos/{owner}/{repo}/commits/{ref}/status` combines the latest status of each context: `failure`
 *   when any is `error` or `failure`, `pending` when there is none or any is pending, else `success`
 *   (https://docs.github.com/en/rest/commits/statuses#get-the-combined-status-for-a-specific-reference).
 * - `POST /repos/{owner}/{repo}/check-runs` and `GET /repos/{owner}/{repo}/commits/{ref}/check-runs`: check
 *   runs, which GitHub Actions CI reports (https://docs.github.com/en/rest/checks/runs).
 */
import { HttpError, notFound } from '../http-error.js'
import { nodeIdFor, type CommitCheckRecord, type RepoRecord } from '../state.js'
import type { RouteContext, RouteResult, RouteTable } from './route-context.js'

const STATUS_STATES = ['error', 'failure', 'pending', 'success']

async function commitOf(context: RouteContext, repo: RepoRecord, rev: string): Promise<string> {
  const git = context.services.git
  if (!git) throw notFound()
  const sha =
    /^[0-9a-f]{40}$/.test(rev) && (await git.hasCommit(repo.fullName, rev))
      ? rev
      : ((await git.resolveRef(repo.fullName, `refs/heads/${rev}`)) ??
        (await git.resolveRef(repo.fullName, `refs/tags/${rev}`)))
  if (!sha) throw new HttpError(422, `No commit found for SHA: ${rev}`)
  return sha
}

function statusShape(context: RouteContext, repo: RepoRecord, record: CommitCheckRecord) {
  const { apiUrl, shapes } = context.services
  return {
    url: `${apiUrl}/repos/${repo.fullName}/statuses/${record.sha}`,
    avatar_url: null,
    id: record.id,
    node_id: nodeIdFor('SC', record.id),
    state: record.state,
    description: record.description,
    target_url: record.targetUrl,
    context: record.name,
    created_at: record.createdAt,
    updated_at: record.updatedAt,
    creator: shapes.userByLogin(record.creator),
  }
}

function checkRunShape(context: RouteContext, repo: RepoRecord, record: CommitCheckRecord) {
  const { apiUrl, htmlUrl } = context.services
  return {
    id: record.id,
    node_id: nodeIdFor('CR', record.id),
    head_sha: record.sha,
    external_id: null,
    url: `${apiUrl}/repos/${repo.fullName}/check-runs/${record.id}`,
    html_url: `${htmlUrl}/${repo.fullName}/runs/${record.id}`,
    details_url: record.targetUrl,
    status: record.state,
    conclusion: record.conclusion,
    started_at: record.createdAt,
    completed_at: record.state === 'completed' ? record.updatedAt : null,
    output: {
      title: null,
      summary: record.description,
      text: null,
      annotations_count: 0,
      annotations_url: `${apiUrl}/repos/${repo.fullName}/check-runs/${record.id}/annotations`,
    },
    name: record.name,
    check_suite: null,
    app: null,
    pull_requests: [],
  }
}

const checksOf = (context: RouteContext, repo: RepoRecord, sha: string, kind: CommitCheckRecord['kind']) =>
  [...context.services.state.checks.values()]
    .filter((c) => c.repo === repo.fullName && c.sha === sha && c.kind === kind)
    .sort((a, b) => b.id - a.id)

const createStatus = async (context: RouteContext): Promise<RouteResult> => {
  const actor = context.requireActor()
  const repo = context.repo('write')
  const sha = await commitOf(context, repo, String(context.params.sha))
  const state = String(context.body.state)
  if (!STATUS_STATES.includes(state)) throw new HttpError(422, `State is not included in the list`)
  const now = context.services.state.timestamp()
  const record: CommitCheckRecord = {
    id: context.services.state.nextId(),
    kind: 'status',
    repo: repo.fullName,
    sha,
    name: typeof context.body.context === 'string' ? context.body.context : 'default',
    state,
    conclusion: null,
    description: typeof context.body.description === 'string' ? context.body.description : null,
    targetUrl: typeof context.body.target_url === 'string' ? context.body.target_url : null,
    creator: actor.login,
    createdAt: now,
    updatedAt: now,
  }
  context.services.state.checks.set(record.id, record)
  return { status: 201, body: statusShape(context, repo, record) }
}

const combinedStatus = async (context: RouteContext): Promise<RouteResult> => {
  const repo = context.repo('read')
  const sha = await commitOf(context, repo, String(context.params.ref))
  // The latest status of each context counts; older ones of the same context are history.
  const latest = new Map<string, CommitCheckRecord>()
  for (const record of checksOf(context, repo, sha, 'status')) {
    if (!latest.has(record.name)) latest.set(record.name, record)
  }
  const statuses = [...latest.values()]
  const state = statuses.some((s) => s.state === 'error' || s.state === 'failure')
    ? 'failure'
    : statuses.length === 0 || statuses.some((s) => s.state === 'pending')
      ? 'pending'
      : 'success'
  const { apiUrl, shapes } = context.services
  return {
    status: 200,
    body: {
      state,
      sha,
      total_count: statuses.length,
      statuses: statuses.map((record) => {
        const { creator: _creator, ...simple } = statusShape(context, repo, record)
        return simple
      }),
      repository: shapes.repository(repo),
      commit_url: `${apiUrl}/repos/${repo.fullName}/commits/${sha}`,
      url: `${apiUrl}/repos/${repo.fullName}/commits/${sha}/status`,
    },
  }
}

const createCheckRun = async (context: RouteContext): Promise<RouteResult> => {
  const actor = context.requireActor()
  const repo = context.repo('write')
  const sha = await commitOf(context, repo, String(context.body.head_sha))
  const now = context.services.state.timestamp()
  const conclusion = typeof context.body.conclusion === 'string' ? context.body.conclusion : null
  const record: CommitCheckRecord = {
    id: context.services.state.nextId(),
    kind: 'check-run',
    repo: repo.fullName,
    sha,
    name: String(context.body.name),
    state: conclusion !== null ? 'completed' : String(context.body.status ?? 'queued'),
    conclusion,
    description: null,
    targetUrl: typeof context.body.details_url === 'string' ? context.body.details_url : null,
    creator: actor.login,
    createdAt: now,
    updatedAt: now,
  }
  context.services.state.checks.set(record.id, record)
  return { status: 201, body: checkRunShape(context, repo, record) }
}

const listCheckRuns = async (context: RouteContext): Promise<RouteResult> => {
  const repo = context.repo('read')
  const sha = await commitOf(context, repo, String(context.params.ref))
  const runs = checksOf(context, repo, sha, 'check-run')
  return {
    status: 200,
    body: { total_count: runs.length, check_runs: runs.map((run) => checkRunShape(context, repo, run)) },
  }
}

/** Commit status and check run routes. */
export const commitStatusRoutes: RouteTable = {
  'POST /repos/{owner}/{repo}/statuses/{sha}': createStatus,
  'GET /repos/{owner}/{repo}/commits/{ref}/status': combinedStatus,
  'POST /repos/{owner}/{repo}/check-runs': createCheckRun,
  'GET /repos/{owner}/{repo}/commits/{ref}/check-runs': listCheckRuns,
}
