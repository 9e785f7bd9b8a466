/** Issue and pull request conversation comments. */
import { permits } from '../actors.js'
import { HttpError, notFound } from '../http-error.js'
import { pagedList } from '../pagination.js'
import type { CommentRecord } from '../state.js'
import { nodeIdFor } from '../state.js'
import { requireIssue } from './issues.js'
import type { RouteContext, RouteResult, RouteTable } from './route-context.js'
import { intParam } from './route-context.js'

const issuePayload = (context: RouteContext, issueId: number): Record<string, unknown> => {
  const issue = context.services.state.issues.get(issueId)
  if (!issue) throw notFound()
  return context.services.shapes.issue(issue)
}

const createComment = (context: RouteContext): RouteResult => {
  const actor = context.requireActor()
  const repo = context.repo('read')
  const issue = requireIssue(context)
  if (issue.locked && !permits(context.services.actors.permission(context.credential, repo), 'write')) {
    throw new HttpError(403, 'Unable to create comment because issue is locked.')
  }
  const { state, shapes, events } = context.services
  const id = state.nextId()
  const now = state.timestamp()
  const comment: CommentRecord = {
    id,
    nodeId: nodeIdFor('IC', id),
    issueId: issue.id,
    body: String(context.body.body),
    user: actor.login,
    createdAt: now,
    updatedAt: now,
  }
  state.comments.set(id, comment)
  issue.comments += 1
  issue.updatedAt = now
  events.emit(
    repo,
    'issue_comment',
    { action: 'created', issue: shapes.issue(issue), comment: shapes.comment(comment) },
    actor.login,
  )
  return {
    status: 201,
    body: shapes.comment(comment),
    headers: { location: `${context.services.apiUrl}/repos/${repo.fullName}/issues/comments/${id}` },
  }
}

const listComments = (context: RouteContext): RouteResult => {
  const issue = requireIssue(context)
  const since = context.url.searchParams.get('since')
  const items = [...context.services.state.comments.values()]
    .filter((c) => c.issueId === issue.id && (!since || c.updatedAt >= since))
    .sort((a, b) => a.id - b.id)
  return pagedList(items, context.url, (c) => context.services.shapes.comment(c))
}

const listRepoComments = (context: RouteContext): RouteResult => {
  const repo = context.repo('read')
  const { state } = context.services
  const items = [...state.comments.values()]
    .filter((c) => state.issues.get(c.issueId)?.repo === repo.fullName)
    .sort((a, b) => a.id - b.id)
  return pagedList(items, context.url, (c) => context.services.shapes.comment(c))
}

const findComment = (context: RouteContext): CommentRecord => {
  const repo = context.repo('read')
  const comment = context.services.state.comments.get(intParam(context, 'comment_id'))
  if (!comment || context.services.state.issues.get(comment.issueId)?.repo !== repo.fullName) throw notFound()
  return comment
}

const getComment = (context: RouteContext): RouteResult => ({
  status: 200,
  body: context.services.shapes.comment(findComment(context)),
})

const mayChange = (context: RouteContext, comment: CommentRecord): void => {
  const actor = context.requireActor()
  const repo = context.repo('read')
  const isAuthor = comment.user.toLowerCase() === actor.login.toLowerCase()
  if (!isAuthor && !permits(context.services.actors.permission(context.credential, repo), 'write')) {
    throw new HttpError(403, 'Must have push access to repository')
  }
}

const updateComment = (context: RouteContext): RouteResult => {
  const comment = findComment(context)
  mayChange(context, comment)
  const from = comment.body
  comment.body = String(context.body.body)
  comment.updatedAt = context.services.state.timestamp()
  const repo = context.repo('read')
  context.services.events.emit(
    repo,
    'issue_comment',
    {
      action: 'edited',
      changes: { body: { from } },
      issue: issuePayload(context, comment.issueId),
      comment: context.services.shapes.comment(comment),
    },
    context.requireActor().login,
  )
  return { status: 200, body: context.services.shapes.comment(comment) }
}

const deleteComment = (context: RouteContext): RouteResult => {
  const comment = findComment(context)
  mayChange(context, comment)
  context.services.state.comments.delete(comment.id)
  const issue = context.services.state.issues.get(comment.issueId)
  if (issue) issue.comments -= 1
  return { status: 204 }
}

/** Comment routes. */
export const commentRoutes: RouteTable = {
  'POST /repos/{owner}/{repo}/issues/{issue_number}/comments': createComment,
  'GET /repos/{owner}/{repo}/issues/{issue_number}/comments': listComments,
  'GET /repos/{owner}/{repo}/issues/comments': listRepoComments,
  'GET /repos/{owner}/{repo}/issues/comments/{comment_id}': getComment,
  'PATCH /repos/{owner}/{repo}/issues/comments/{comment_id}': updateComment,
  'DELETE /repos/{owner}/{repo}/issues/comments/{comment_id}': deleteComment,
}
