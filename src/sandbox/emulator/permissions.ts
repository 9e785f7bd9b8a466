/**
 * What a token may do, beyond the actor's access to the repository: an installation token carries the
 * permissions the app registered (app.yml's `default_permissions`), a workflow run's GITHUB_TOKEN the
 * workflow's `permissions:`. A request outside them is answered 403 "Resource not accessible by
 * integration". GitHub's OpenAPI description has no permission data (its `x-github` holds none), so the
 * routes map to permissions by prefix, after
 * https://docs.github.com/en/rest/authentication/permissions-required-for-github-apps
 * (and, for GITHUB_TOKEN, https://docs.github.com/en/actions/security-for-github-actions/security-guides/automatic-token-authentication#permissions-for-the-github_token).
 */
import type { Credential } from './actors.js'
import type { TokenPermissions } from './contracts.js'
import { HttpError } from './http-error.js'

/** What a route needs: any one of `names` at `read` (GET) or `write` (anything else); null needs nothing. */
interface Needed {
  names: string[]
}

const ISSUES_OR_PRS = { names: ['issues', 'pull_requests'] }

/** First match wins; `*` matches one path segment, a trailing `/**` any rest. */
const TABLE: [method: string, pattern: string, needed: Needed | null][] = [
  // JWT routes and the token's own listing: the token's permissions do not apply.
  ['*', '/app', null],
  ['*', '/app/**', null],
  ['*', '/repos/*/*/installation', null],
  ['*', '/users/*/installation', null],
  ['*', '/orgs/*/installation', null],
  ['*', '/installation/repositories', null],
  ['*', '/rate_limit', null],
  // "Metadata" (always granted, read-only): the repository, its languages, collaborators' permissions.
  ['GET', '/repos/*/*', { names: ['metadata'] }],
  ['GET', '/repos/*/*/languages', { names: ['metadata'] }],
  ['GET', '/repos/*/*/collaborators/**', { names: ['metadata'] }],
  ['GET', '/repos/*/*/collaborators', { names: ['metadata'] }],
  // Merging writes the base branch: "Contents" write.
  ['PUT', '/repos/*/*/pulls/*/merge', { names: ['contents'] }],
  ['*', '/repos/*/*/pulls/**', { names: ['pull_requests'] }],
  ['*', '/repos/*/*/pulls', { names: ['pull_requests'] }],
  // Comments and labels of an issue number serve pull requests too: either permission will do.
  ['*', '/repos/*/*/issues/*/comments', ISSUES_OR_PRS],
  ['*', '/repos/*/*/issues/comments/**', ISSUES_OR_PRS],
  ['*', '/repos/*/*/issues/comments', ISSUES_OR_PRS],
  ['*', '/repos/*/*/issues/*/labels/**', ISSUES_OR_PRS],
  ['*', '/repos/*/*/issues/*/labels', ISSUES_OR_PRS],
  ['*', '/repos/*/*/labels/**', ISSUES_OR_PRS],
  ['*', '/repos/*/*/labels', ISSUES_OR_PRS],
  ['*', '/repos/*/*/issues/**', { names: ['issues'] }],
  ['*', '/repos/*/*/issues', { names: ['issues'] }],
  ['*', '/repos/*/*/contents/**', { names: ['contents'] }],
  ['*', '/repos/*/*/git/**', { names: ['contents'] }],
  ['*', '/repos/*/*/branches/**', { names: ['contents'] }],
  ['*', '/repos/*/*/branches', { names: ['contents'] }],
  ['*', '/repos/*/*/actions/**', { names: ['actions'] }],
  // https://docs.github.com/en/rest/commits/statuses: "Commit statuses" read or write.
  ['*', '/repos/*/*/statuses/*', { names: ['statuses'] }],
  ['GET', '/repos/*/*/commits/*/status', { names: ['statuses'] }],
  ['GET', '/repos/*/*/commits/*/statuses', { names: ['statuses'] }],
  // https://docs.github.com/en/rest/checks/runs: "Checks" read or write.
  ['*', '/repos/*/*/check-runs/**', { names: ['checks'] }],
  ['*', '/repos/*/*/check-runs', { names: ['checks'] }],
  ['GET', '/repos/*/*/commits/*/check-runs', { names: ['checks'] }],
]

function matches(pattern: string, template: string): boolean {
  const want = pattern.split('/')
  const have = template.split('/')
  for (let i = 0; i < want.length; i += 1) {
    if (want[i] === '**') return have.length > i
    if (i >= have.length) return false
    if (want[i] !== '*' && want[i] !== have[i]) return false
  }
  return want.length === have.length
}

/** The permission a route needs, undefined when the table does not know the route. */
export function neededPermission(
  method: string,
  template: string,
): { names: string[]; access: 'read' | 'write' } | null | undefined {
  for (const [m, pattern, needed] of TABLE) {
    if ((m === '*' || m === method) && matches(pattern, template)) {
      return needed && { names: needed.names, access: method === 'GET' ? 'read' : 'write' }
    }
  }
  return undefined
}

/** Names as an app registers them (`pull_requests`) from a workflow's spelling (`pull-requests`). */
export function permissionName(name: string): string {
  return name.replace(/-/g, '_')
}

/**
 * The refusal GitHub gives a token without the permission a request needs, or null. Tokens without
 * permissions (a person's, the app's JWT) are not checked here. A route the table does not know is
 * refused too, so a new route cannot slip past the model unnoticed.
 */
export function checkTokenPermission(
  credential: Credential | null,
  method: string,
  template: string,
  documentationUrl: string | undefined,
): HttpError | null {
  const granted = credential?.permissions
  if (!granted) return null
  const needed = neededPermission(method, template)
  if (needed === null) return null
  const allowed =
    needed !== undefined &&
    needed.names.some((name) => {
      const has = name === 'metadata' ? 'read' : granted[name]
      return has === 'write' || (has === 'read' && needed.access === 'read')
    })
  if (allowed) return null
  return new HttpError(403, 'Resource not accessible by integration', {
    documentation_url: documentationUrl ?? 'https://docs.github.com/rest',
  })
}

/** The GITHUB_TOKEN's permissions for a workflow's `permissions:` (a job's, when it has its own). */
// https://docs.github.com/en/actions/writing-workflows/workflow-syntax-for-github-actions#permissions
export function workflowTokenPermissions(
  block: 'read-all' | 'write-all' | Record<string, 'read' | 'write' | 'none'> | undefined,
  repositoryDefault: 'read' | 'write',
): TokenPermissions {
  const scopes = ['actions', 'checks', 'contents', 'deployments', 'issues', 'packages', 'pages']
  const more = ['pull_requests', 'repository_projects', 'security_events', 'statuses', 'discussions']
  const all = [...scopes, ...more]
  if (block === undefined) {
    // The repository's "Workflow permissions" setting: read and write for every scope, or contents and
    // packages read (the default for repositories made since February 2023).
    return repositoryDefault === 'write'
      ? Object.fromEntries(all.map((name) => [name, 'write']))
      : { contents: 'read', packages: 'read' }
  }
  if (block === 'read-all' || block === 'write-all') {
    return Object.fromEntries(all.map((name) => [name, block === 'read-all' ? 'read' : 'write']))
  }
  const granted: TokenPermissions = {}
  for (const [name, level] of Object.entries(block)) {
    if (level !== 'none') granted[permissionName(name)] = level
  }
  return granted
}

/**
 * The GraphQL answer refusing a Projects v2 request to a token that may not use boards: a GITHUB_TOKEN
 * never may ("The GITHUB_TOKEN … cannot access projects":
 * https://docs.github.com/en/issues/planning-and-tracking-with-projects/automating-your-project/automating-projects-using-actions),
 * an installation token only with `organization_projects` or `repository_projects`. Null when allowed.
 */
export function projectsRefusal(credential: Credential, query: string): Record<string, unknown> | null {
  if (!/projectV2|ProjectV2/.test(query)) return null
  const granted = credential.permissions
  const allowed =
    credential.kind === 'actions'
      ? false
      : !granted || granted.organization_projects !== undefined || granted.repository_projects !== undefined
  if (allowed) return null
  return {
    data: null,
    errors: [
      { type: 'FORBIDDEN', message: 'Resource not accessible by integration', locations: [], path: [] },
    ],
  }
}
