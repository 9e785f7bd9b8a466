/** Pull request reviews with inline comments anchored to lines of the diff, as GitHub validates them. */
import { HttpError, notFound } from '../http-error.js'
import { pagedList, paginate } from '../pagination.js'
import type { ReviewCommentRecord, ReviewRecord } from '../state.js'
import { nodeIdFor } from '../state.js'
import { diffHunk, findDiffLine, patchLines } from './diff-lines.js'
import { pullStats } from './pull-stats.js'
import { requirePull } from './pulls.js'
import type { RouteContext, RouteResult, RouteTable } from './route-context.js'
import { intParam } from './route-context.js'

const unprocessable = (reason: string): HttpError =>
  new HttpError(422, 'Unprocessable Entity', {
    errors: [reason],
    documentation_url: 'https://docs.github.com/rest/pulls/reviews#create-a-review-for-a-pull-request',
  })

const states = { APPROVE: 'APPROVED', REQUEST_CHANGES: 'CHANGES_REQUESTED', COMMENT: 'COMMENTED' } as const

interface DraftComment {
  path: string
  body: string
  line?: number
  side?: 'LEFT' | 'RIGHT'
  position?: number
}

const createReview = async (context: RouteContext): Promise<RouteResult> => {
  const actor = context.requireActor()
  const { repo, issue } = requirePull(context)
  const pull = issue.pull
  const git = context.services.git
  if (!pull || !git) throw notFound()
  const event = context.body.event as keyof typeof states | undefined
  if (!event)
    throw unprocessable(
      'Pending reviews are not emulated: send an event (APPROVE, REQUEST_CHANGES or COMMENT)',
    )
  const body = typeof context.body.body === 'string' ? context.body.body : ''
  const drafts = (Array.isArray(context.body.comments) ? context.body.comments : []) as DraftComment[]
  const isAuthor = issue.user.toLowerCase() === actor.login.toLowerCase()
  if (isAuthor && event === 'APPROVE') throw unprocessable('Can not approve your own pull request')
  if (isAuthor && event === 'REQUEST_CHANGES')
    throw unprocessable('Can not request changes on your own pull request')
  if (event === 'REQUEST_CHANGES' && body.trim() === '')
    throw unprocessable('Body is required when requesting changes')
  if (event === 'COMMENT' && body.trim() === '' && drafts.length === 0)
    throw unprocessable('Body is required when commenting')
  if (issue.state !== 'open') throw unprocessable('Can not review a closed pull request')
  const commitId = typeof context.body.commit_id === 'string' ? context.body.commit_id : pull.headSha
  if (!(await git.hasCommit(repo.fullName, commitId))) throw unprocessable('Commit could not be resolved')
  const base = `refs/heads/${pull.baseRef}`
  const files = (await git.compare(repo.fullName, base, commitId)).files
  const { state, shapes, events } = context.services
  const now = state.timestamp()
  const reviewId = state.nextId()
  const anchored: Omit<ReviewCommentRecord, 'id' | 'nodeId'>[] = []
  for (const draft of drafts) {
    const file = files.find((f) => f.filename === draft.path)
    if (!file) throw unprocessable('Path could not be resolved')
    const patch = file.patch ?? ''
    const side = draft.side ?? 'RIGHT'
    const found =
      draft.line !== undefined
        ? findDiffLine(patch, draft.line, side)
        : patchLines(patch).find((l) => l.position === draft.position)
    if (!found) throw unprocessable('Line could not be resolved')
    anchored.push({
      reviewId,
      issueId: issue.id,
      path: draft.path,
      line: draft.line ?? (side === 'LEFT' ? found.left : found.right) ?? found.right ?? found.left ?? 0,
      side: draft.line !== undefined ? side : found.right !== null ? 'RIGHT' : 'LEFT',
      body: String(draft.body),
      user: actor.login,
      commitId,
      diffHunk: diffHunk(patch, found.position),
      position: found.position,
      inReplyTo: null,
      createdAt: now,
      updatedAt: now,
    })
  }
  const review: ReviewRecord = {
    id: reviewId,
    nodeId: nodeIdFor('PRR', reviewId),
    issueId: issue.id,
    user: actor.login,
    body,
    state: states[event],
    commitId,
    submittedAt: now,
  }
  state.reviews.set(reviewId, review)
  for (const draft of anchored) {
    const id = state.nextId()
    state.reviewComments.set(id, { ...draft, id, nodeId: nodeIdFor('PRRC', id) })
  }
  events.emit(
    repo,
    'pull_request_review',
    {
      action: 'submitted',
      review: shapes.review(review),
      pull_request: shapes.pull(issue, await pullStats(context.services, repo, issue)),
    },
    actor.login,
  )
  return { status: 200, body: shapes.review(review) }
}

const listReviews = (context: RouteContext): RouteResult => {
  const { issue } = requirePull(context)
  const items = [...context.services.state.reviews.values()]
    .filter((r) => r.issueId === issue.id)
    .sort((a, b) => a.id - b.id)
  return pagedList(items, context.url, (r) => context.services.shapes.review(r))
}

const getReview = (context: RouteContext): RouteResult => {
  const { issue } = requirePull(context)
  const review = context.services.state.reviews.get(intParam(context, 'review_id'))
  if (!review || review.issueId !== issue.id) throw notFound()
  return { status: 200, body: context.services.shapes.review(review) }
}

const listReviewComments = (context: RouteContext): RouteResult => {
  const { issue } = requirePull(context)
  const items = [...context.services.state.reviewComments.values()]
    .filter((c) => c.issueId === issue.id)
    .sort((a, b) => a.id - b.id)
  return pagedList(items, context.url, (c) => context.services.shapes.reviewComment(c))
}

const listCommentsOfReview = (context: RouteContext): RouteResult => {
  const { issue } = requirePull(context)
  const reviewId = intParam(context, 'review_id')
  const items = [...context.services.state.reviewComments.values()].filter(
    (c) => c.issueId === issue.id && c.reviewId === reviewId,
  )
  const page = paginate(items, context.url)
  const { reviewComment } = context.services.shapes
  return {
    status: 200,
    // The per-review list leaves out the line fields, as GitHub's answer does.
    body: page.items.map((c) => reviewComment(c)),
    headers: page.link ? { link: page.link } : {},
  }
}

const replyToComment = async (context: RouteContext): Promise<RouteResult> => {
  const actor = context.requireActor()
  const { repo, issue } = requirePull(context)
  const { state, shapes, events } = context.services
  const parent = state.reviewComments.get(intParam(context, 'comment_id'))
  if (!parent || parent.issueId !== issue.id) throw notFound()
  const now = state.timestamp()
  // GitHub files a reply under a review of its own, with no body.
  const reviewId = state.nextId()
  state.reviews.set(reviewId, {
    id: reviewId,
    nodeId: nodeIdFor('PRR', reviewId),
    issueId: issue.id,
    user: actor.login,
    body: '',
    state: 'COMMENTED',
    commitId: parent.commitId,
    submittedAt: now,
  })
  const id = state.nextId()
  const reply: ReviewCommentRecord = {
    ...parent,
    id,
    nodeId: nodeIdFor('PRRC', id),
    reviewId,
    body: String(context.body.body),
    user: actor.login,
    inReplyTo: parent.inReplyTo ?? parent.id,
    createdAt: now,
    updatedAt: now,
  }
  state.reviewComments.set(id, reply)
  events.emit(
    repo,
    'pull_request_review_comment',
    {
      action: 'created',
      comment: shapes.reviewComment(reply),
      pull_request: shapes.pull(issue, await pullStats(context.services, repo, issue)),
    },
    actor.login,
  )
  return { status: 201, body: shapes.reviewComment(reply) }
}

/** Review routes. */
export const reviewRoutes: RouteTable = {
  'POST /repos/{owner}/{repo}/pulls/{pull_number}/reviews': createReview,
  'GET /repos/{owner}/{repo}/pulls/{pull_number}/reviews': listReviews,
  'GET /repos/{owner}/{repo}/pulls/{pull_number}/reviews/{review_id}': getReview,
  'GET /repos/{owner}/{repo}/pulls/{pull_number}/reviews/{review_id}/comments': listCommentsOfReview,
  'GET /repos/{owner}/{repo}/pulls/{pull_number}/comments': listReviewComments,
  'POST /repos/{owner}/{repo}/pulls/{pull_number}/comments/{comment_id}/replies': replyToComment,
}
