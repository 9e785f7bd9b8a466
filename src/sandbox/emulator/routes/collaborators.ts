/** Collaborators and their permission, as the app checks before acting on a user's request. */
import type { Permission } from '../contracts.js'
import { permissionFlags } from '../actors.js'
import { HttpError, notFound } from '../http-error.js'
import { pagedList } from '../pagination.js'
import type { RepoRecord } from '../state.js'
import type { RouteContext, RouteResult, RouteTable } from './route-context.js'

/** The permission a login holds on a repository (owner: admin; public repositories: read). */
function permissionOf(repo: RepoRecord, login: string): Permission {
  if (login.toLowerCase() === repo.owner.login.toLowerCase()) return 'admin'
  return repo.access.get(login.toLowerCase()) ?? (repo.private ? 'none' : 'read')
}

const collaborator = (context: RouteContext, repo: RepoRecord, login: string): Record<string, unknown> => {
  const permission = permissionOf(repo, login)
  return {
    ...context.services.shapes.userByLogin(login),
    permissions: permissionFlags(permission),
    role_name: permission,
  }
}

const getPermission = (context: RouteContext): RouteResult => {
  const repo = context.repo('read')
  const login = String(context.params.username)
  const account = context.services.state.accounts.get(login.toLowerCase())
  if (!account) throw new HttpError(404, `${login} is not a user`)
  const role = permissionOf(repo, account.login)
  // GitHub folds triage into read and maintain into write in the legacy `permission` field.
  const permission = role === 'triage' ? 'read' : role
  return {
    status: 200,
    body: { permission, role_name: role, user: collaborator(context, repo, account.login) },
  }
}

const checkCollaborator = (context: RouteContext): RouteResult => {
  const repo = context.repo('read')
  const login = String(context.params.username).toLowerCase()
  if (login === repo.owner.login.toLowerCase() || repo.access.has(login)) return { status: 204 }
  throw notFound()
}

const listCollaborators = (context: RouteContext): RouteResult => {
  const repo = context.repo('write')
  const logins = [
    repo.owner.login,
    ...[...repo.access.keys()].map((k) => context.services.state.account(k).login),
  ]
  return pagedList(logins, context.url, (login) => collaborator(context, repo, login))
}

/** Collaborator routes. */
export const collaboratorRoutes: RouteTable = {
  'GET /repos/{owner}/{repo}/collaborators/{username}/permission': getPermission,
  'GET /repos/{owner}/{repo}/collaborators/{username}': checkCollaborator,
  'GET /repos/{owner}/{repo}/collaborators': listCollaborators,
}
