/**
 * Comments found by a hidden marker and edited in place: one progress comment per goal and per bead,
 * never a stream of new ones.
 */
import { statusOf, type GitHubApi, type RepoRef } from './client.js'

/** A comment's id, body and author. */
export interface CommentData {
  id: number
  body: string
  user: string | null
  html_url: string
}

/** Every comment on an issue or pull request, oldest first. */
export async function listComments(api: GitHubApi, repo: RepoRef, number: number): Promise<CommentData[]> {
  const comments: CommentData[] = []
  for (let page = 1; ; page += 1) {
    const { data } = await api.request('GET /repos/{owner}/{repo}/issues/{issue_number}/comments', {
      ...repo,
      issue_number: number,
      per_page: 100,
      page,
    })
    for (const c of data) {
      comments.push({
        id: Number(c.id),
        body: c.body ?? '',
        user: c.user?.login ?? null,
        html_url: c.html_url,
      })
    }
    if (data.length < 100) return comments
  }
}

/** Posts a new comment; `retries: 0` turns off Octokit's retry of a 5xx (see upsertComment). */
export async function createComment(
  api: GitHubApi,
  repo: RepoRef,
  number: number,
  body: string,
  options: { retries?: number } = {},
): Promise<CommentData> {
  const { data } = await api.request('POST /repos/{owner}/{repo}/issues/{issue_number}/comments', {
    ...repo,
    issue_number: number,
    body,
    ...(options.retries === undefined ? {} : { request: { retries: options.retries } }),
  })
  return {
    id: Number(data.id),
    body: data.body ?? '',
    user: data.user?.login ?? null,
    html_url: data.html_url,
  }
}

/**
 * Creates a marked comment once. GitHub can post a comment and still answer 5xx (or the answer can be
 * lost); Octokit's retry would then post it twice, so the marker is looked for before trying again.
 */
async function createOnce(
  api: GitHubApi,
  repo: RepoRef,
  number: number,
  marker: string,
  body: string,
  author: string | undefined,
): Promise<CommentData> {
  for (let attempt = 1; ; attempt += 1) {
    try {
      return await createComment(api, repo, number, body, { retries: 0 })
    } catch (error) {
      const status = statusOf(error)
      if ((status !== undefined && status < 500) || attempt >= 3) throw error
      const posted = (await listComments(api, repo, number)).find(
        (c) => c.body.includes(marker) && (author === undefined || c.user === author),
      )
      if (posted) return posted
    }
  }
}

/**
 * Edits the comment that holds `marker` (and was written by `author`, when given, so a person quoting our
 * marker cannot hijack it), or creates it. Skips the request when the body would not change.
 */
export async function upsertComment(
  api: GitHubApi,
  repo: RepoRef,
  number: number,
  marker: string,
  body: string,
  options: { author?: string; known?: CommentData[] } = {},
): Promise<{ comment: CommentData; action: 'created' | 'updated' | 'unchanged' }> {
  const full = body.includes(marker) ? body : `${body}\n\n${marker}`
  const comments = options.known ?? (await listComments(api, repo, number))
  const mine = comments.find(
    (c) => c.body.includes(marker) && (options.author === undefined || c.user === options.author),
  )
  if (!mine)
    return { comment: await createOnce(api, repo, number, marker, full, options.author), action: 'created' }
  if (mine.body === full) return { comment: mine, action: 'unchanged' }
  return { comment: await editComment(api, repo, mine.id, full), action: 'updated' }
}

/** Replaces a comment's body, found by its id (404 when someone deleted it). */
export async function editComment(
  api: GitHubApi,
  repo: RepoRef,
  id: number,
  body: string,
): Promise<CommentData> {
  const { data } = await api.request('PATCH /repos/{owner}/{repo}/issues/comments/{comment_id}', {
    ...repo,
    comment_id: id,
    body,
  })
  return {
    id: Number(data.id),
    body: data.body ?? '',
    user: data.user?.login ?? null,
    html_url: data.html_url,
  }
}
