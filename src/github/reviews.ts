/** Pull request reviews: the reviewer bead posts one per pull request, with inline comments. */
import type { GitHubApi, RepoRef } from './client.js'

/** An inline comment on a line of the diff. */
export interface InlineComment {
  path: string
  line: number
  side?: 'LEFT' | 'RIGHT'
  body: string
}

/** A review as the town reads it back. */
export interface ReviewData {
  id: number
  user: string | null
  state: string
  body: string
  submitted_at: string | null
}

/** Posts a review; GitHub refuses APPROVE or REQUEST_CHANGES on one's own pull request. */
export async function createReview(
  api: GitHubApi,
  repo: RepoRef,
  pull: number,
  review: { event: 'COMMENT' | 'REQUEST_CHANGES' | 'APPROVE'; body: string; comments?: InlineComment[] },
): Promise<ReviewData> {
  const { data } = await api.request('POST /repos/{owner}/{repo}/pulls/{pull_number}/reviews', {
    ...repo,
    pull_number: pull,
    event: review.event,
    body: review.body,
    ...(review.comments && review.comments.length > 0 ? { comments: review.comments } : {}),
  })
  return {
    id: Number(data.id),
    user: data.user?.login ?? null,
    state: data.state,
    body: data.body,
    submitted_at: data.submitted_at ?? null,
  }
}

/** Every review of a pull request, oldest first. */
export async function listReviews(api: GitHubApi, repo: RepoRef, pull: number): Promise<ReviewData[]> {
  const { data } = await api.request('GET /repos/{owner}/{repo}/pulls/{pull_number}/reviews', {
    ...repo,
    pull_number: pull,
    per_page: 100,
  })
  return data.map((r) => ({
    id: Number(r.id),
    user: r.user?.login ?? null,
    state: r.state,
    body: r.body,
    submitted_at: r.submitted_at ?? null,
  }))
}

/** An inline review comment, for a developer addressing a review. */
export interface ReviewCommentData {
  id: number
  review_id: number | null
  path: string
  line: number | null
  body: string
  user: string | null
  in_reply_to_id?: number
}

/** Every inline review comment of a pull request. */
export async function listReviewComments(
  api: GitHubApi,
  repo: RepoRef,
  pull: number,
): Promise<ReviewCommentData[]> {
  const { data } = await api.request('GET /repos/{owner}/{repo}/pulls/{pull_number}/comments', {
    ...repo,
    pull_number: pull,
    per_page: 100,
  })
  return data.map((c) => ({
    id: Number(c.id),
    review_id: c.pull_request_review_id === null ? null : Number(c.pull_request_review_id),
    path: c.path,
    line: c.line ?? null,
    body: c.body,
    user: c.user?.login ?? null,
    ...(c.in_reply_to_id !== undefined ? { in_reply_to_id: c.in_reply_to_id } : {}),
  }))
}

/** Answers an inline review comment in its thread. */
export async function replyToReviewComment(
  api: GitHubApi,
  repo: RepoRef,
  pull: number,
  commentId: number,
  body: string,
): Promise<void> {
  await api.request('POST /repos/{owner}/{repo}/pulls/{pull_number}/comments/{comment_id}/replies', {
    ...repo,
    pull_number: pull,
    comment_id: commentId,
    body,
  })
}
