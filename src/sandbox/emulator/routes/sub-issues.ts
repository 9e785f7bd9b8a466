/** Sub-issues: a parent issue and its children, linked by issue *id* (not number), as GitHub's API takes them. */
import { HttpError, notFound, validationFailed } from '../http-error.js'
import { MAX_SUB_ISSUES, subIssueCapError } from '../limits.js'
import { paginate } from '../pagination.js'
import type { IssueRecord } from '../state.js'
import { requireIssue } from './issues.js'
import type { RouteContext, RouteResult, RouteTable } from './route-context.js'
import { bodyInt } from './route-context.js'

const sameOwner = (a: IssueRecord, b: IssueRecord): boolean =>
  a.repo.split('/')[0]?.toLowerCase() === b.repo.split('/')[0]?.toLowerCase()

const addSubIssue = (context: RouteContext): RouteResult => {
  context.requireActor()
  const repo = context.repo('triage')
  const parent = requireIssue(context)
  const { state, shapes } = context.services
  const child = state.issues.get(bodyInt(context, 'sub_issue_id'))
  if (!child || !sameOwner(parent, child)) throw notFound()
  if (child.id === parent.id)
    throw validationFailed('Issue', 'sub_issue_id', 'invalid', 'An issue cannot be its own sub-issue')
  if (child.parentId !== null && child.parentId !== parent.id) {
    if (context.body.replace_parent !== true) {
      throw validationFailed('Issue', 'sub_issue_id', 'invalid', 'Issue may not contain duplicate sub-issues')
    }
    const previous = state.issues.get(child.parentId)
    if (previous) previous.subIssueIds = previous.subIssueIds.filter((id) => id !== child.id)
  }
  if (parent.subIssueIds.includes(child.id)) {
    throw validationFailed('Issue', 'sub_issue_id', 'invalid', 'Issue may not contain duplicate sub-issues')
  }
  for (let ancestor: IssueRecord | undefined = parent; ancestor;) {
    if (ancestor.id === child.id)
      throw validationFailed('Issue', 'sub_issue_id', 'invalid', 'Sub-issues may not form a cycle')
    ancestor = ancestor.parentId === null ? undefined : state.issues.get(ancestor.parentId)
  }
  // Closed sub-issues count against the cap too (see limits.ts).
  if (parent.subIssueIds.length >= MAX_SUB_ISSUES) throw subIssueCapError()
  child.parentId = parent.id
  parent.subIssueIds.push(child.id)
  parent.updatedAt = state.timestamp()
  return {
    status: 201,
    body: shapes.issue(parent),
    headers: {
      location: `${context.services.apiUrl}/repos/${repo.fullName}/issues/${parent.number}/sub_issues`,
    },
  }
}

const removeSubIssue = (context: RouteContext): RouteResult => {
  context.requireActor()
  context.repo('triage')
  const parent = requireIssue(context)
  const { state, shapes } = context.services
  const childId = bodyInt(context, 'sub_issue_id')
  const child = state.issues.get(childId)
  if (!child || child.parentId !== parent.id)
    throw new HttpError(400, 'Issue is not a sub-issue of this issue')
  child.parentId = null
  parent.subIssueIds = parent.subIssueIds.filter((id) => id !== childId)
  return { status: 200, body: shapes.issue(child) }
}

const listSubIssues = (context: RouteContext): RouteResult => {
  const parent = requireIssue(context)
  const { state, shapes } = context.services
  const items = parent.subIssueIds.map((id) => state.issues.get(id)).filter((i) => i !== undefined)
  const page = paginate(items, context.url)
  return {
    status: 200,
    body: page.items.map((i) => shapes.issue(i)),
    headers: page.link ? { link: page.link } : {},
  }
}

const getParent = (context: RouteContext): RouteResult => {
  const child = requireIssue(context)
  const parent = child.parentId === null ? undefined : context.services.state.issues.get(child.parentId)
  if (!parent) throw notFound()
  return { status: 200, body: context.services.shapes.issue(parent) }
}

/** Sub-issue routes. */
export const subIssueRoutes: RouteTable = {
  'POST /repos/{owner}/{repo}/issues/{issue_number}/sub_issues': addSubIssue,
  'GET /repos/{owner}/{repo}/issues/{issue_number}/sub_issues': listSubIssues,
  'DELETE /repos/{owner}/{repo}/issues/{issue_number}/sub_issue': removeSubIssue,
  'GET /repos/{owner}/{repo}/issues/{issue_number}/parent': getParent,
}
