/** Pull requests: open from a pushed branch, read, list, update, merge (a real merge commit), files. */
import type { GitHost } from '../contracts.js'
import { HttpError, notFound } from '../http-error.js'
import { pagedList } from '../pagination.js'
import type { IssueRecord, RepoRecord } from '../state.js'
import { addIssueRecord } from '../state.js'
import { emitIssueEvent, setIssueState } from './issue-changes.js'
import { pullStats } from './pull-stats.js'
import type { RouteContext, RouteResult, RouteTable } from './route-context.js'
import { intParam } from './route-context.js'

/** GitHub's closing keywords, followed by an issue reference of the same repository. */
const closingKeyword = /\b(?:close[sd]?|fix(?:e[sd])?|resolve[sd]?)\s*:?\s+#(\d+)\b/gi

/** Issue numbers a pull request body closes when merged into the default branch. */
export function closingReferences(body: string | null): number[] {
  const numbers = [...(body ?? '').matchAll(closingKeyword)].map((m) => Number(m[1]))
  return [...new Set(numbers)]
}

const requireGit = (services: RouteContext['services']): GitHost => {
  const git = services.git
  if (!git) throw notFound()
  return git
}

/** The pull request `{pull_number}` of the request's repository, or 404. */
export function requirePull(context: RouteContext): { repo: RepoRecord; issue: IssueRecord } {
  const repo = context.repo('read')
  const issue = context.services.state.issue(repo.fullName, intParam(context, 'pull_number'))
  if (!issue?.pull) throw notFound()
  return { repo, issue }
}

const pullError = (field: string, code: string, message?: string): HttpError =>
  new HttpError(422, 'Validation Failed', {
    errors: [{ resource: 'PullRequest', field, code, ...(message ? { message } : {}) }],
    documentation_url: 'https://docs.github.com/rest/pulls/pulls#create-a-pull-request',
  })

/** What opening a pull request takes, as REST's create and GraphQL's createPullRequest give it. */
export interface PullOpening {
  title: string
  body: string | null
  /** A branch of the repository itself (`branch` or `owner:branch`); forks are not emulated. */
  head: string
  base: string
  draft: boolean
}

/**
 * Opens a pull request as `actor`, with REST's checks and refusals (HttpError 422) and its
 * `pull_request.opened` webhook: REST's `POST …/pulls` and GraphQL's `createPullRequest` share it.
 */
export async function openPullRequest(
  services: RouteContext['services'],
  repo: RepoRecord,
  actor: string,
  opening: PullOpening,
): Promise<IssueRecord> {
  const git = requireGit(services)
  const { state } = services
  const [headOwner, headBranch] = opening.head.includes(':')
    ? opening.head.split(':', 2)
    : [repo.owner.login, opening.head]
  if (headOwner?.toLowerCase() !== repo.owner.login.toLowerCase() || !headBranch) {
    throw pullError('head', 'invalid')
  }
  const { base } = opening
  const headSha = await git.resolveRef(repo.fullName, `refs/heads/${headBranch}`)
  if (!headSha) throw pullError('head', 'invalid')
  const baseSha = await git.resolveRef(repo.fullName, `refs/heads/${base}`)
  if (!baseSha) throw pullError('base', 'invalid')
  const existing = state
    .issuesOf(repo.fullName)
    .find((i) => i.state === 'open' && i.pull?.headRef === headBranch && i.pull.baseRef === base)
  if (existing) {
    throw pullError('', 'custom', `A pull request already exists for ${repo.owner.login}:${headBranch}.`)
  }
  const comparison = await git.compare(repo.fullName, baseSha, headSha)
  if (comparison.commits.length === 0)
    throw pullError('', 'custom', `No commits between ${base} and ${headBranch}`)
  const issue = addIssueRecord(state, repo, {
    title: opening.title,
    body: opening.body,
    user: actor,
    pull: {
      headRef: headBranch,
      headSha,
      baseRef: base,
      baseSha,
      merged: false,
      mergedAt: null,
      mergedBy: null,
      mergeCommitSha: null,
      draft: opening.draft,
    },
  })
  await emitIssueEvent(services, repo, issue, 'opened', actor)
  return issue
}

const createPull = async (context: RouteContext): Promise<RouteResult> => {
  const actor = context.requireActor()
  const repo = context.repo('read')
  const head = String(context.body.head)
  const issue = await openPullRequest(context.services, repo, actor.login, {
    title: String(context.body.title ?? (head.includes(':') ? head.split(':', 2)[1] : head)),
    body: typeof context.body.body === 'string' ? context.body.body : null,
    head,
    base: String(context.body.base),
    draft: context.body.draft === true,
  })
  return {
    status: 201,
    body: context.services.shapes.pull(issue, await pullStats(context.services, repo, issue)),
    headers: { location: `${context.services.apiUrl}/repos/${repo.fullName}/pulls/${issue.number}` },
  }
}

const getPull = async (context: RouteContext): Promise<RouteResult> => {
  const { repo, issue } = requirePull(context)
  return {
    status: 200,
    body: context.services.shapes.pull(issue, await pullStats(context.services, repo, issue)),
  }
}

const listPulls = (context: RouteContext): RouteResult => {
  const repo = context.repo('read')
  const q = context.url.searchParams
  const state = q.get('state') ?? 'open'
  const head = q.get('head')
  const base = q.get('base')
  const direction = q.get('direction') ?? 'desc'
  const items = context.services.state
    .issuesOf(repo.fullName)
    .filter((i) => i.pull !== null)
    .filter((i) => state === 'all' || i.state === state)
    .filter((i) => {
      if (!head) return true
      const [owner, branch] = head.includes(':') ? head.split(':', 2) : [repo.owner.login, head]
      return owner?.toLowerCase() === repo.owner.login.toLowerCase() && i.pull?.headRef === branch
    })
    .filter((i) => !base || i.pull?.baseRef === base)
    .sort((a, b) => (a.number - b.number) * (direction === 'asc' ? 1 : -1))
  return pagedList(items, context.url, (i) => simplePull(context.services.shapes.pull(i)))
}

/** The list form of a pull request, which leaves out the counts and mergeability. */
function simplePull(full: Record<string, unknown>): Record<string, unknown> {
  const omitted = [
    'merged',
    'mergeable',
    'rebaseable',
    'mergeable_state',
    'merged_by',
    'comments',
    'review_comments',
    'maintainer_can_modify',
    'commits',
    'additions',
    'deletions',
    'changed_files',
  ]
  return Object.fromEntries(Object.entries(full).filter(([key]) => !omitted.includes(key)))
}

const updatePull = async (context: RouteContext): Promise<RouteResult> => {
  const actor = context.requireActor()
  const { repo, issue } = requirePull(context)
  const isAuthor = issue.user.toLowerCase() === actor.login.toLowerCase()
  if (!isAuthor) context.repo('write')
  const body = context.body
  const changes: Record<string, { from: unknown }> = {}
  if (typeof body.title === 'string' && body.title !== issue.title) {
    changes.title = { from: issue.title }
    issue.title = body.title
  }
  if (typeof body.body === 'string' && body.body !== issue.body) {
    changes.body = { from: issue.body ?? '' }
    issue.body = body.body
  }
  if (typeof body.base === 'string' && issue.pull && body.base !== issue.pull.baseRef) {
    const baseSha = await requireGit(context.services).resolveRef(repo.fullName, `refs/heads/${body.base}`)
    if (!baseSha) throw pullError('base', 'invalid')
    changes.base = { from: { ref: issue.pull.baseRef, sha: issue.pull.baseSha } }
    issue.pull.baseRef = body.base
    issue.pull.baseSha = baseSha
  }
  if (Object.keys(changes).length > 0) {
    issue.updatedAt = context.services.state.timestamp()
    await emitIssueEvent(context.services, repo, issue, 'edited', actor.login, { changes })
  }
  if ((body.state === 'open' || body.state === 'closed') && !issue.pull?.merged) {
    await setIssueState(context.services, repo, issue, body.state, undefined, actor.login)
  }
  return {
    status: 200,
    body: context.services.shapes.pull(issue, await pullStats(context.services, repo, issue)),
  }
}

const mergePull = async (context: RouteContext): Promise<RouteResult> => {
  const actor = context.requireActor()
  context.repo('write')
  const { repo, issue } = requirePull(context)
  const pull = issue.pull
  const git = requireGit(context.services)
  if (!pull || issue.state !== 'open') throw new HttpError(405, 'Pull Request is not mergeable')
  if (typeof context.body.sha === 'string' && context.body.sha !== pull.headSha) {
    throw new HttpError(409, 'Head branch was modified. Review and try the merge again.')
  }
  const method = (context.body.merge_method as string | undefined) ?? 'merge'
  if (method === 'rebase') throw new HttpError(405, 'Rebase merges are not allowed on this repository.')
  const comparison = await git.compare(repo.fullName, `refs/heads/${pull.baseRef}`, pull.headSha)
  const title =
    typeof context.body.commit_title === 'string'
      ? context.body.commit_title
      : method === 'squash'
        ? `${issue.title} (#${issue.number})`
        : `Merge pull request #${issue.number} from ${repo.owner.login}/${pull.headRef}`
  const details =
    typeof context.body.commit_message === 'string'
      ? context.body.commit_message
      : method === 'squash'
        ? comparison.commits.map((c) => `* ${c.message}`).join('\n\n')
        : issue.title
  const baseRef = `refs/heads/${pull.baseRef}`
  const before = await git.resolveRef(repo.fullName, baseRef)
  const result = await git.merge(repo.fullName, {
    base: pull.baseRef,
    head: pull.headSha,
    message: details ? `${title}\n\n${details}\n` : `${title}\n`,
    method: method === 'squash' ? 'squash' : 'merge',
    author: actor,
  })
  if ('conflict' in result) throw new HttpError(405, 'Pull Request is not mergeable')
  const now = context.services.state.timestamp()
  pull.merged = true
  pull.mergedAt = now
  pull.mergedAtMs = context.services.clock()
  pull.mergedBy = actor.login
  pull.mergeCommitSha = result.sha
  issue.state = 'closed'
  issue.closedAt = now
  issue.closedBy = actor.login
  issue.updatedAt = now
  repo.pushedAt = now
  await emitIssueEvent(context.services, repo, issue, 'closed', actor.login)
  // The base branch moved: its push workflows run, as after a git push (not when a GITHUB_TOKEN merged).
  if (before && before !== result.sha) {
    context.services.events.pushed(repo, { ref: baseRef, before, after: result.sha }, actor.login)
  }
  if (pull.baseRef === repo.defaultBranch) {
    for (const number of closingReferences(issue.body)) {
      const target = context.services.state.issue(repo.fullName, number)
      if (!target || target.pull || target.state !== 'open') continue
      await setIssueState(context.services, repo, target, 'closed', 'completed', actor.login)
    }
  }
  return { status: 200, body: { sha: result.sha, merged: true, message: 'Pull Request successfully merged' } }
}

const checkMerged = (context: RouteContext): RouteResult => {
  const { issue } = requirePull(context)
  if (!issue.pull?.merged) throw notFound()
  return { status: 204 }
}

const listFiles = async (context: RouteContext): Promise<RouteResult> => {
  const { repo, issue } = requirePull(context)
  const pull = issue.pull
  const git = requireGit(context.services)
  if (!pull) throw notFound()
  const base = pull.merged ? pull.baseSha : `refs/heads/${pull.baseRef}`
  const comparison = await git.compare(repo.fullName, base, pull.headSha)
  const { apiUrl, htmlUrl } = context.services
  const blobs = new Map<string, string>()
  for (const dir of new Set(
    comparison.files.map((f) =>
      f.filename.includes('/') ? f.filename.slice(0, f.filename.lastIndexOf('/')) : '',
    ),
  )) {
    for (const entry of await git.listTree(repo.fullName, pull.headSha, dir)) blobs.set(entry.path, entry.sha)
  }
  const files = comparison.files.map((file) => ({
    sha: blobs.get(file.filename) ?? null,
    filename: file.filename,
    status: file.status,
    additions: file.additions,
    deletions: file.deletions,
    changes: file.changes,
    blob_url: `${htmlUrl}/${repo.fullName}/blob/${pull.headSha}/${file.filename}`,
    raw_url: `${htmlUrl}/${repo.fullName}/raw/${pull.headSha}/${file.filename}`,
    contents_url: `${apiUrl}/repos/${repo.fullName}/contents/${file.filename}?ref=${pull.headSha}`,
    ...(file.patch !== undefined ? { patch: file.patch } : {}),
    ...(file.previous_filename !== undefined ? { previous_filename: file.previous_filename } : {}),
  }))
  return pagedList(files, context.url, (file) => file)
}

/** Pull request routes. */
export const pullRoutes: RouteTable = {
  'POST /repos/{owner}/{repo}/pulls': createPull,
  'GET /repos/{owner}/{repo}/pulls': listPulls,
  'GET /repos/{owner}/{repo}/pulls/{pull_number}': getPull,
  'PATCH /repos/{owner}/{repo}/pulls/{pull_number}': updatePull,
  'PUT /repos/{owner}/{repo}/pulls/{pull_number}/merge': mergePull,
  'GET /repos/{owner}/{repo}/pulls/{pull_number}/merge': checkMerged,
  'GET /repos/{owner}/{repo}/pulls/{pull_number}/files': listFiles,
}
