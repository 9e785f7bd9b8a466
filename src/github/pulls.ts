/** Pull requests: one per bead, found by its branch before one is opened, so retries never duplicate. */
import type { GitHubApi, RepoRef } from './client.js'
import { issueFromNode } from './goal-query.js'
import { OPEN_PULL_MUTATION, type OpenPullAnswer } from './graphql-operations.js'
import type { IssueData } from './issues.js'

/** The fields of a pull request the town reads. */
export interface PullData {
  number: number
  node_id: string
  title: string
  body: string
  state: 'open' | 'closed'
  merged: boolean
  merge_commit_sha: string | null
  head: { ref: string; sha: string }
  base: { ref: string }
  user: string | null
  html_url: string
  draft: boolean
  /** null while GitHub computes it, and in the list form, which leaves it out. */
  mergeable: boolean | null
  /** `clean`, `behind`, `dirty`, `unknown`, ...; `unknown` in the list form. */
  mergeable_state: string
}

type RawPull = {
  number: number
  node_id: string
  title: string
  body: string | null
  state: string
  merged?: boolean
  merged_at: string | null
  merge_commit_sha: string | null
  head: { ref: string; sha: string }
  base: { ref: string }
  user: { login: string } | null
  html_url: string
  draft?: boolean
  mergeable?: boolean | null
  mergeable_state?: string
}

function toPullData(raw: RawPull): PullData {
  return {
    number: raw.number,
    node_id: raw.node_id,
    title: raw.title,
    body: raw.body ?? '',
    state: raw.state === 'closed' ? 'closed' : 'open',
    merged: raw.merged ?? raw.merged_at !== null,
    merge_commit_sha: raw.merge_commit_sha,
    head: { ref: raw.head.ref, sha: raw.head.sha },
    base: { ref: raw.base.ref },
    user: raw.user?.login ?? null,
    html_url: raw.html_url,
    draft: raw.draft === true,
    mergeable: raw.mergeable ?? null,
    mergeable_state: raw.mergeable_state ?? 'unknown',
  }
}

/** Opens a pull request from `head` into `base`. */
export async function createPull(
  api: GitHubApi,
  repo: RepoRef,
  pull: { title: string; body: string; head: string; base: string; draft?: boolean },
): Promise<PullData> {
  const { data } = await api.request('POST /repos/{owner}/{repo}/pulls', { ...repo, ...pull })
  return toPullData(data as RawPull)
}

/**
 * Opens a pull request by GraphQL's `createPullRequest` and reads issue `issue` afresh in the same round
 * trip, where REST needs a create and then a read. Answers the pull request's number and the issue (null
 * when the number is no issue). GitHub's refusals throw as GraphQL errors (graphqlErrorsOf).
 */
export async function openPullReading(
  api: GitHubApi,
  repositoryId: string,
  pull: { title: string; body: string; head: string; base: string },
  issue: number,
): Promise<{ number: number; issue: IssueData | null }> {
  const answer = await api.graphql<OpenPullAnswer>(OPEN_PULL_MUTATION, {
    input: {
      repositoryId,
      title: pull.title,
      body: pull.body,
      headRefName: pull.head,
      baseRefName: pull.base,
    },
    issue,
  })
  const opened = answer.createPullRequest?.pullRequest
  if (!opened) throw new Error('GitHub answered createPullRequest without the pull request it made.')
  const node = opened.repository.issue
  return { number: opened.number, issue: node ? issueFromNode(node) : null }
}

/** One pull request by number. */
export async function getPull(api: GitHubApi, repo: RepoRef, number: number): Promise<PullData> {
  const { data } = await api.request('GET /repos/{owner}/{repo}/pulls/{pull_number}', {
    ...repo,
    pull_number: number,
  })
  return toPullData(data as RawPull)
}

/** The pull requests whose head is `branch` of this repository, newest first. */
export async function findPullsForBranch(
  api: GitHubApi,
  repo: RepoRef,
  branch: string,
  state: 'open' | 'closed' | 'all' = 'all',
): Promise<PullData[]> {
  const { data } = await api.request('GET /repos/{owner}/{repo}/pulls', {
    ...repo,
    head: `${repo.owner}:${branch}`,
    state,
    per_page: 100,
  })
  return (data as RawPull[]).map(toPullData)
}

/** Changes a pull request's title, body or state. */
export async function updatePull(
  api: GitHubApi,
  repo: RepoRef,
  number: number,
  update: { title?: string; body?: string; state?: 'open' | 'closed' },
): Promise<PullData> {
  const { data } = await api.request('PATCH /repos/{owner}/{repo}/pulls/{pull_number}', {
    ...repo,
    pull_number: number,
    ...update,
  })
  return toPullData(data as RawPull)
}

/** A changed file with its patch, for the reviewer's prompt and for checking inline comment lines. */
export interface PullFile {
  filename: string
  status: string
  additions: number
  deletions: number
  patch?: string
}

/** Every file a pull request changes. */
export async function listPullFiles(api: GitHubApi, repo: RepoRef, number: number): Promise<PullFile[]> {
  const files: PullFile[] = []
  for (let page = 1; ; page += 1) {
    const { data } = await api.request('GET /repos/{owner}/{repo}/pulls/{pull_number}/files', {
      ...repo,
      pull_number: number,
      per_page: 100,
      page,
    })
    for (const f of data) {
      files.push({
        filename: f.filename,
        status: f.status,
        additions: f.additions,
        deletions: f.deletions,
        ...(f.patch !== undefined ? { patch: f.patch } : {}),
      })
    }
    if (data.length < 100) return files
  }
}

/** Merges a pull request; answers the merge commit's sha. */
export async function mergePull(
  api: GitHubApi,
  repo: RepoRef,
  number: number,
  options: { method?: 'merge' | 'squash' | 'rebase'; title?: string; sha?: string } = {},
): Promise<string> {
  const { data } = await api.request('PUT /repos/{owner}/{repo}/pulls/{pull_number}/merge', {
    ...repo,
    pull_number: number,
    merge_method: options.method ?? 'merge',
    ...(options.title ? { commit_title: options.title } : {}),
    // GitHub refuses (409) when the head moved since it was read: nothing unseen is merged.
    ...(options.sha ? { sha: options.sha } : {}),
  })
  return data.sha
}

/**
 * Merges the head of the base branch into the PR's branch ("Update branch"); `expectedHeadSha` makes
 * GitHub refuse (422) when the branch moved since it was read.
 */
export async function updatePullBranch(
  api: GitHubApi,
  repo: RepoRef,
  number: number,
  expectedHeadSha: string,
): Promise<void> {
  await api.request('PUT /repos/{owner}/{repo}/pulls/{pull_number}/update-branch', {
    ...repo,
    pull_number: number,
    expected_head_sha: expectedHeadSha,
  })
}
