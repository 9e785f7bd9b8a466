/** Issues: create, get, update, list (pull requests included, as GitHub lists them). */
import { permits } from '../actors.js'
import { HttpError, notFound } from '../http-error.js'
import { pagedList } from '../pagination.js'
import type { IssueRecord } from '../state.js'
import { addIssueRecord } from '../state.js'
import { addLabels, emitIssueEvent, setIssueState, setLabels } from './issue-changes.js'
import type { RouteContext, RouteResult, RouteTable } from './route-context.js'
import { intParam } from './route-context.js'

/** Label names from GitHub's accepted forms: `["a"]` or `[{ name: "a" }]`. */
export function labelNames(value: unknown): string[] {
  if (!Array.isArray(value)) return []
  return value
    .map((v) =>
      typeof v === 'string'
        ? v
        : typeof v === 'object' && v
          ? String((v as { name?: unknown }).name ?? '')
          : '',
    )
    .filter((name) => name.trim() !== '')
}

/** The issue `{issue_number}` of the request's repository, or 404. */
export function requireIssue(
  context: RouteContext,
  needs: 'read' | 'triage' | 'write' = 'read',
): IssueRecord {
  const repo = context.repo(needs)
  const issue = context.services.state.issue(repo.fullName, intParam(context, 'issue_number'))
  if (!issue) throw notFound()
  return issue
}

const createIssue = async (context: RouteContext): Promise<RouteResult> => {
  const actor = context.requireActor()
  const repo = context.repo('read')
  const { state, shapes, actors } = context.services
  const issue = addIssueRecord(state, repo, {
    title: String(context.body.title),
    body: typeof context.body.body === 'string' ? context.body.body : null,
    user: actor.login,
  })
  // GitHub drops labels and assignees silently when the author may not triage.
  const mayTriage = permits(actors.permission(context.credential, repo), 'triage')
  if (mayTriage) issue.assignees = assigneesOf(context.body)
  const labels = mayTriage ? labelNames(context.body.labels) : []
  await emitIssueEvent(context.services, repo, issue, 'opened', actor.login)
  await addLabels(context.services, repo, issue, labels, actor.login)
  return {
    status: 201,
    body: shapes.issue(issue),
    headers: { location: `${context.services.apiUrl}/repos/${repo.fullName}/issues/${issue.number}` },
  }
}

function assigneesOf(body: Record<string, unknown>): string[] {
  const list = Array.isArray(body.assignees) ? body.assignees.map(String) : []
  if (typeof body.assignee === 'string' && !list.includes(body.assignee)) list.unshift(body.assignee)
  return list
}

const getIssue = (context: RouteContext): RouteResult => {
  const issue = requireIssue(context)
  return { status: 200, body: context.services.shapes.issue(issue) }
}

const updateIssue = async (context: RouteContext): Promise<RouteResult> => {
  const actor = context.requireActor()
  const issue = requireIssue(context)
  const repo = context.repo('read')
  const services = context.services
  const mayTriage = permits(services.actors.permission(context.credential, repo), 'triage')
  const isAuthor = issue.user.toLowerCase() === actor.login.toLowerCase()
  if (!mayTriage && !isAuthor) {
    throw new HttpError(
      403,
      actor.type === 'Bot' ? 'Resource not accessible by integration' : 'Must have push access to repository',
    )
  }
  const body = context.body
  const changes: Record<string, { from: unknown }> = {}
  if (typeof body.title === 'string' || typeof body.title === 'number') {
    if (String(body.title) !== issue.title) changes.title = { from: issue.title }
    issue.title = String(body.title)
  }
  if ('body' in body && (typeof body.body === 'string' || body.body === null)) {
    if (body.body !== issue.body) changes.body = { from: issue.body ?? '' }
    issue.body = body.body
  }
  if (Object.keys(changes).length > 0) {
    issue.updatedAt = services.state.timestamp()
    await emitIssueEvent(services, repo, issue, 'edited', actor.login, { changes })
  }
  if (mayTriage && Array.isArray(body.assignees)) issue.assignees = body.assignees.map(String)
  if (mayTriage && Array.isArray(body.labels)) {
    await setLabels(services, repo, issue, labelNames(body.labels), actor.login)
  }
  const reason = body.state_reason as IssueRecord['stateReason'] | undefined
  if (body.state === 'open' || body.state === 'closed') {
    await setIssueState(services, repo, issue, body.state, reason ?? undefined, actor.login)
  } else if (reason && issue.state === 'closed') {
    issue.stateReason = reason
  }
  return { status: 200, body: services.shapes.issue(issue) }
}

const listIssues = (context: RouteContext): RouteResult => {
  const repo = context.repo('read')
  const q = context.url.searchParams
  const state = q.get('state') ?? 'open'
  const labels = (q.get('labels') ?? '')
    .split(',')
    .map((l) => l.trim().toLowerCase())
    .filter(Boolean)
  const creator = q.get('creator')?.toLowerCase()
  const assignee = q.get('assignee')
  const since = q.get('since')
  const sort = q.get('sort') ?? 'created'
  const direction = q.get('direction') ?? 'desc'
  const items = context.services.state
    .issuesOf(repo.fullName)
    .filter((i) => state === 'all' || i.state === state)
    .filter((i) => labels.every((l) => i.labels.includes(l)))
    .filter((i) => !creator || i.user.toLowerCase() === creator)
    .filter((i) =>
      assignee === null || assignee === '*'
        ? assignee === null || i.assignees.length > 0
        : assignee === 'none'
          ? i.assignees.length === 0
          : i.assignees.some((a) => a.toLowerCase() === assignee.toLowerCase()),
    )
    .filter((i) => !since || i.updatedAt >= since)
    .sort((a, b) => {
      const key =
        sort === 'updated'
          ? a.updatedAt.localeCompare(b.updatedAt)
          : sort === 'comments'
            ? a.comments - b.comments
            : 0
      return (key || a.number - b.number) * (direction === 'asc' ? 1 : -1)
    })
  return pagedList(items, context.url, (i) => context.services.shapes.issue(i))
}

/** Issue routes. */
export const issueRoutes: RouteTable = {
  'POST /repos/{owner}/{repo}/issues': createIssue,
  'GET /repos/{owner}/{repo}/issues': listIssues,
  'GET /repos/{owner}/{repo}/issues/{issue_number}': getIssue,
  'PATCH /repos/{owner}/{repo}/issues/{issue_number}': updateIssue,
}
