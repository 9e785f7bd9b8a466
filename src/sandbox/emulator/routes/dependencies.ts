/** Issue dependencies: "blocked by" links between issues, by issue *id*, and the reverse "blocking" list. */
import { notFound, validationFailed } from '../http-error.js'
import { dependencyCapError, MAX_DEPENDENCIES } from '../limits.js'
import { paginate } from '../pagination.js'
import type { IssueRecord } from '../state.js'
import { requireIssue } from './issues.js'
import type { RouteContext, RouteResult, RouteTable } from './route-context.js'
import { bodyInt, intParam } from './route-context.js'

const blocks = (issues: Map<number, IssueRecord>, from: IssueRecord, target: number): boolean => {
  const seen = new Set<number>()
  const walk = (issue: IssueRecord): boolean => {
    if (issue.id === target) return true
    if (seen.has(issue.id)) return false
    seen.add(issue.id)
    return issue.blockedBy.some((id) => {
      const next = issues.get(id)
      return next ? walk(next) : false
    })
  }
  return walk(from)
}

const addBlockedBy = (context: RouteContext): RouteResult => {
  context.requireActor()
  const repo = context.repo('triage')
  const issue = requireIssue(context)
  const { state, shapes } = context.services
  const blocker = state.issues.get(bodyInt(context, 'issue_id'))
  if (!blocker || blocker.repo.split('/')[0]?.toLowerCase() !== repo.owner.login.toLowerCase())
    throw notFound()
  if (blocker.id === issue.id)
    throw validationFailed('IssueDependency', 'issue_id', 'invalid', 'An issue cannot block itself')
  if (issue.blockedBy.includes(blocker.id)) {
    throw validationFailed('IssueDependency', 'issue_id', 'already_exists', 'Dependency already exists')
  }
  // The new link issue <- blocker closes a cycle if the blocker already waits on the issue.
  if (blocks(state.issues, blocker, issue.id)) {
    throw validationFailed('IssueDependency', 'issue_id', 'invalid', 'Dependency would create a cycle')
  }
  if (issue.blockedBy.length >= MAX_DEPENDENCIES) throw dependencyCapError('blocked by')
  const blocking = [...state.issues.values()].filter((i) => i.blockedBy.includes(blocker.id)).length
  if (blocking >= MAX_DEPENDENCIES) throw dependencyCapError('blocking')
  issue.blockedBy.push(blocker.id)
  issue.updatedAt = state.timestamp()
  return {
    status: 201,
    body: shapes.issue(blocker),
    headers: {
      location: `${context.services.apiUrl}/repos/${repo.fullName}/issues/${issue.number}/dependencies/blocked_by`,
    },
  }
}

const removeBlockedBy = (context: RouteContext): RouteResult => {
  context.requireActor()
  context.repo('triage')
  const issue = requireIssue(context)
  const blockerId = intParam(context, 'issue_id')
  if (!issue.blockedBy.includes(blockerId)) throw notFound()
  issue.blockedBy = issue.blockedBy.filter((id) => id !== blockerId)
  const blocker = context.services.state.issues.get(blockerId)
  if (!blocker) throw notFound()
  return { status: 200, body: context.services.shapes.issue(blocker) }
}

const listBlockedBy = (context: RouteContext): RouteResult => {
  const issue = requireIssue(context)
  const { state, shapes } = context.services
  const items = issue.blockedBy.map((id) => state.issues.get(id)).filter((i) => i !== undefined)
  const page = paginate(items, context.url)
  return {
    status: 200,
    body: page.items.map((i) => shapes.issue(i)),
    headers: page.link ? { link: page.link } : {},
  }
}

const listBlocking = (context: RouteContext): RouteResult => {
  const issue = requireIssue(context)
  const { state, shapes } = context.services
  const items = [...state.issues.values()]
    .filter((i) => i.blockedBy.includes(issue.id))
    .sort((a, b) => a.id - b.id)
  const page = paginate(items, context.url)
  return {
    status: 200,
    body: page.items.map((i) => shapes.issue(i)),
    headers: page.link ? { link: page.link } : {},
  }
}

/** Dependency routes. */
export const dependencyRoutes: RouteTable = {
  'GET /repos/{owner}/{repo}/issues/{issue_number}/dependencies/blocked_by': listBlockedBy,
  'POST /repos/{owner}/{repo}/issues/{issue_number}/dependencies/blocked_by': addBlockedBy,
  'DELETE /repos/{owner}/{repo}/issues/{issue_number}/dependencies/blocked_by/{issue_id}': removeBlockedBy,
  'GET /repos/{owner}/{repo}/issues/{issue_number}/dependencies/blocking': listBlocking,
}
