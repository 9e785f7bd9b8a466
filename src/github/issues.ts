/** Issues: create, read, update and list, with pull requests filtered out of lists. */
import type { GitHubApi, RepoRef } from './client.js'

/** The fields of an issue the town reads. */
export interface IssueData {
  /** The global integer id: sub-issue and blocked-by endpoints take this, not the number. */
  id: number
  node_id: string
  number: number
  title: string
  body: string
  state: 'open' | 'closed'
  state_reason: string | null
  labels: string[]
  user: string | null
  html_url: string
  created_at: string
  updated_at: string
  closed_at: string | null
}

type RawIssue = {
  id: number | bigint
  node_id: string
  number: number
  title: string
  body?: string | null
  state: string
  state_reason?: string | null
  labels: (string | { name?: string })[]
  user: { login: string } | null
  html_url: string
  created_at: string
  updated_at: string
  closed_at: string | null
  pull_request?: unknown
}

/** Narrows GitHub's issue shape to IssueData. */
export function toIssueData(raw: RawIssue): IssueData {
  return {
    id: Number(raw.id),
    node_id: raw.node_id,
    number: raw.number,
    title: raw.title,
    body: raw.body ?? '',
    state: raw.state === 'closed' ? 'closed' : 'open',
    state_reason: raw.state_reason ?? null,
    labels: raw.labels
      .map((label) => (typeof label === 'string' ? label : (label.name ?? '')))
      .filter(Boolean),
    user: raw.user?.login ?? null,
    html_url: raw.html_url,
    created_at: raw.created_at,
    updated_at: raw.updated_at,
    closed_at: raw.closed_at,
  }
}

/**
 * Creates an issue with its labels in the same request (one content-creating call, not three).
 * `retries: 0` turns off Octokit's retry of a 5xx, for a caller that must first look whether the create
 * was applied anyway (GitHub can apply a create and still answer 5xx).
 */
export async function createIssue(
  api: GitHubApi,
  repo: RepoRef,
  issue: { title: string; body: string; labels?: string[] },
  options: { retries?: number } = {},
): Promise<IssueData> {
  const { data } = await api.request('POST /repos/{owner}/{repo}/issues', {
    ...repo,
    ...issue,
    ...(options.retries === undefined ? {} : { request: { retries: options.retries } }),
  })
  return toIssueData(data as RawIssue)
}

/** One issue by number. */
export async function getIssue(api: GitHubApi, repo: RepoRef, number: number): Promise<IssueData> {
  const { data } = await api.request('GET /repos/{owner}/{repo}/issues/{issue_number}', {
    ...repo,
    issue_number: number,
  })
  return toIssueData(data as RawIssue)
}

/** What `updateIssue` may change; `labels` replaces every label. */
export interface IssueUpdate {
  title?: string
  body?: string
  labels?: string[]
  state?: 'open' | 'closed'
  state_reason?: 'completed' | 'not_planned' | 'reopened' | null
}

/** Changes an issue in one request: body and labels together when both move. */
export async function updateIssue(
  api: GitHubApi,
  repo: RepoRef,
  number: number,
  update: IssueUpdate,
): Promise<IssueData> {
  const { data } = await api.request('PATCH /repos/{owner}/{repo}/issues/{issue_number}', {
    ...repo,
    issue_number: number,
    ...update,
  })
  return toIssueData(data as RawIssue)
}

/** Every issue (not pull request) carrying all of `labels`, page by page. */
export async function listIssues(
  api: GitHubApi,
  repo: RepoRef,
  filter: { labels?: string[]; state?: 'open' | 'closed' | 'all' } = {},
): Promise<IssueData[]> {
  const issues: IssueData[] = []
  for (let page = 1; ; page += 1) {
    const { data } = await api.request('GET /repos/{owner}/{repo}/issues', {
      ...repo,
      state: filter.state ?? 'open',
      ...(filter.labels && filter.labels.length > 0 ? { labels: filter.labels.join(',') } : {}),
      per_page: 100,
      page,
    })
    for (const raw of data as RawIssue[]) {
      if (raw.pull_request === undefined) issues.push(toIssueData(raw))
    }
    if (data.length < 100) return issues
  }
}
