/**
 * Changes to issues and pull requests that more than one route makes (labels, state), each with the
 * webhook GitHub sends for it: `issues.*` for an issue, `pull_request.*` for a pull request.
 */
import type { IssueRecord, LabelRecord, RepoRecord } from '../state.js'
import { nodeIdFor } from '../state.js'
import type { Services } from './route-context.js'
import { pullStats } from './pull-stats.js'

/** The label `name` of a repository, created with GitHub's default colour when missing (as adding does). */
export function ensureLabel(services: Services, repo: RepoRecord, name: string): LabelRecord {
  const key = name.toLowerCase()
  const existing = repo.labels.get(key)
  if (existing) return existing
  const id = services.state.nextId()
  const label: LabelRecord = {
    id,
    nodeId: nodeIdFor('LA', id),
    name,
    color: 'ededed',
    description: null,
    default: false,
  }
  repo.labels.set(key, label)
  return label
}

/** Sends the webhook for a change of an issue or pull request, with its current representation. */
export async function emitIssueEvent(
  services: Services,
  repo: RepoRecord,
  issue: IssueRecord,
  action: string,
  sender: string,
  extra: Record<string, unknown> = {},
): Promise<void> {
  if (issue.pull) {
    const stats = await pullStats(services, repo, issue)
    services.events.emit(
      repo,
      'pull_request',
      { action, number: issue.number, pull_request: services.shapes.pull(issue, stats), ...extra },
      sender,
    )
  } else {
    services.events.emit(repo, 'issues', { action, issue: services.shapes.issue(issue), ...extra }, sender)
  }
}

/** Adds labels not already on the issue, one `labeled` event each. */
export async function addLabels(
  services: Services,
  repo: RepoRecord,
  issue: IssueRecord,
  names: string[],
  sender: string,
): Promise<void> {
  for (const name of names) {
    const label = ensureLabel(services, repo, name)
    const key = label.name.toLowerCase()
    if (issue.labels.includes(key)) continue
    issue.labels.push(key)
    issue.updatedAt = services.state.timestamp()
    await emitIssueEvent(services, repo, issue, 'labeled', sender, {
      label: services.shapes.label(repo, label),
    })
  }
}

/** Removes one label from the issue with an `unlabeled` event; false when it was not there. */
export async function removeLabel(
  services: Services,
  repo: RepoRecord,
  issue: IssueRecord,
  name: string,
  sender: string,
): Promise<boolean> {
  const key = name.toLowerCase()
  const index = issue.labels.indexOf(key)
  if (index === -1) return false
  issue.labels.splice(index, 1)
  issue.updatedAt = services.state.timestamp()
  const label = repo.labels.get(key)
  await emitIssueEvent(
    services,
    repo,
    issue,
    'unlabeled',
    sender,
    label ? { label: services.shapes.label(repo, label) } : {},
  )
  return true
}

/** Replaces the issue's labels with `names`, sending `unlabeled` then `labeled` events for the difference. */
export async function setLabels(
  services: Services,
  repo: RepoRecord,
  issue: IssueRecord,
  names: string[],
  sender: string,
): Promise<void> {
  const wanted = new Set(names.map((n) => n.toLowerCase()))
  for (const key of [...issue.labels]) {
    if (!wanted.has(key)) await removeLabel(services, repo, issue, key, sender)
  }
  await addLabels(services, repo, issue, names, sender)
}

/** Closes or reopens an issue (or pull request) with GitHub's `state_reason` rules and the matching event. */
export async function setIssueState(
  services: Services,
  repo: RepoRecord,
  issue: IssueRecord,
  state: 'open' | 'closed',
  reason: IssueRecord['stateReason'] | undefined,
  sender: string,
): Promise<void> {
  if (state === issue.state) {
    if (state === 'closed' && reason && reason !== issue.stateReason) issue.stateReason = reason
    return
  }
  const now = services.state.timestamp()
  issue.state = state
  issue.updatedAt = now
  if (state === 'closed') {
    issue.closedAt = now
    issue.closedBy = sender
    issue.stateReason = issue.pull ? null : (reason ?? 'completed')
  } else {
    issue.closedAt = null
    issue.closedBy = null
    issue.stateReason = issue.pull ? null : 'reopened'
  }
  await emitIssueEvent(services, repo, issue, state === 'closed' ? 'closed' : 'reopened', sender)
}
