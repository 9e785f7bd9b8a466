/** Repository labels, and the labels of an issue or pull request. */
import { HttpError, notFound, validationFailed } from '../http-error.js'
import { pagedList } from '../pagination.js'
import type { LabelRecord } from '../state.js'
import { nodeIdFor } from '../state.js'
import { addLabels, removeLabel, setLabels } from './issue-changes.js'
import { labelNames, requireIssue } from './issues.js'
import type { RouteContext, RouteResult, RouteTable } from './route-context.js'

const labelsOfBody = (body: unknown): string[] => {
  if (Array.isArray(body)) return labelNames(body)
  const labels = (body as { labels?: unknown } | null)?.labels
  return typeof labels === 'string' ? [labels] : labelNames(labels)
}

const issueLabels = (context: RouteContext): RouteResult => {
  const repo = context.repo('read')
  const issue = requireIssue(context)
  const labels = issue.labels.flatMap((key) => {
    const label = repo.labels.get(key)
    return label ? [context.services.shapes.label(repo, label)] : []
  })
  return { status: 200, body: labels }
}

const createLabel = (context: RouteContext): RouteResult => {
  context.requireActor()
  const repo = context.repo('write')
  const name = String(context.body.name)
  if (repo.labels.has(name.toLowerCase())) throw validationFailed('Label', 'name', 'already_exists')
  const color = typeof context.body.color === 'string' ? context.body.color.replace(/^#/, '') : 'ededed'
  if (!/^[0-9a-fA-F]{6}$/.test(color)) throw validationFailed('Label', 'color', 'invalid')
  const id = context.services.state.nextId()
  const label: LabelRecord = {
    id,
    nodeId: nodeIdFor('LA', id),
    name,
    color: color.toLowerCase(),
    description: typeof context.body.description === 'string' ? context.body.description : null,
    default: false,
  }
  repo.labels.set(name.toLowerCase(), label)
  return { status: 201, body: context.services.shapes.label(repo, label) }
}

const getLabel = (context: RouteContext): RouteResult => {
  const repo = context.repo('read')
  const label = repo.labels.get(String(context.params.name).toLowerCase())
  if (!label) throw notFound()
  return { status: 200, body: context.services.shapes.label(repo, label) }
}

const updateLabel = (context: RouteContext): RouteResult => {
  context.requireActor()
  const repo = context.repo('write')
  const key = String(context.params.name).toLowerCase()
  const label = repo.labels.get(key)
  if (!label) throw notFound()
  const body = context.body
  if (typeof body.new_name === 'string' && body.new_name.toLowerCase() !== key) {
    if (repo.labels.has(body.new_name.toLowerCase()))
      throw validationFailed('Label', 'name', 'already_exists')
    repo.labels.delete(key)
    label.name = body.new_name
    repo.labels.set(label.name.toLowerCase(), label)
    for (const issue of context.services.state.issuesOf(repo.fullName)) {
      issue.labels = issue.labels.map((l) => (l === key ? label.name.toLowerCase() : l))
    }
  }
  if (typeof body.color === 'string') label.color = body.color.replace(/^#/, '').toLowerCase()
  if (typeof body.description === 'string') label.description = body.description
  return { status: 200, body: context.services.shapes.label(repo, label) }
}

const deleteLabel = (context: RouteContext): RouteResult => {
  context.requireActor()
  const repo = context.repo('write')
  const key = String(context.params.name).toLowerCase()
  if (!repo.labels.delete(key)) throw notFound()
  for (const issue of context.services.state.issuesOf(repo.fullName)) {
    issue.labels = issue.labels.filter((l) => l !== key)
  }
  return { status: 204 }
}

const listLabels = (context: RouteContext): RouteResult => {
  const repo = context.repo('read')
  return pagedList([...repo.labels.values()], context.url, (l) => context.services.shapes.label(repo, l))
}

const addIssueLabels = async (context: RouteContext): Promise<RouteResult> => {
  const actor = context.requireActor()
  const repo = context.repo('triage')
  const issue = requireIssue(context)
  const names = labelsOfBody(context.body)
  if (names.length === 0) throw new HttpError(422, 'Invalid request.\n\nNo labels were supplied.')
  await addLabels(context.services, repo, issue, names, actor.login)
  return issueLabels(context)
}

const setIssueLabels = async (context: RouteContext): Promise<RouteResult> => {
  const actor = context.requireActor()
  const repo = context.repo('triage')
  const issue = requireIssue(context)
  await setLabels(context.services, repo, issue, labelsOfBody(context.body), actor.login)
  return issueLabels(context)
}

const removeIssueLabel = async (context: RouteContext): Promise<RouteResult> => {
  const actor = context.requireActor()
  const repo = context.repo('triage')
  const issue = requireIssue(context)
  const removed = await removeLabel(context.services, repo, issue, String(context.params.name), actor.login)
  if (!removed) throw new HttpError(404, 'Label does not exist')
  return issueLabels(context)
}

const removeAllIssueLabels = async (context: RouteContext): Promise<RouteResult> => {
  const actor = context.requireActor()
  const repo = context.repo('triage')
  const issue = requireIssue(context)
  await setLabels(context.services, repo, issue, [], actor.login)
  return { status: 204 }
}

/** Label routes. */
export const labelRoutes: RouteTable = {
  'POST /repos/{owner}/{repo}/labels': createLabel,
  'GET /repos/{owner}/{repo}/labels': listLabels,
  'GET /repos/{owner}/{repo}/labels/{name}': getLabel,
  'PATCH /repos/{owner}/{repo}/labels/{name}': updateLabel,
  'DELETE /repos/{owner}/{repo}/labels/{name}': deleteLabel,
  'GET /repos/{owner}/{repo}/issues/{issue_number}/labels': issueLabels,
  'POST /repos/{owner}/{repo}/issues/{issue_number}/labels': addIssueLabels,
  'PUT /repos/{owner}/{repo}/issues/{issue_number}/labels': setIssueLabels,
  'DELETE /repos/{owner}/{repo}/issues/{issue_number}/labels': removeAllIssueLabels,
  'DELETE /repos/{owner}/{repo}/issues/{issue_number}/labels/{name}': removeIssueLabel,
}
