/** The GitHub App endpoints Probot uses: the app, its installations, installation tokens. */
import { HttpError, notFound } from '../http-error.js'
import { paginate } from '../pagination.js'
import type { InstallationRecord } from '../state.js'
import type { RouteContext, RouteResult, RouteTable } from './route-context.js'
import { intParam } from './route-context.js'

const requireJwt = (context: RouteContext): void => {
  if (context.credential?.kind !== 'app') {
    throw new HttpError(401, 'A JSON web token could not be decoded', {
      documentation_url: 'https://docs.github.com/rest',
    })
  }
}

const findInstallation = (context: RouteContext): InstallationRecord => {
  const installation = context.services.state.installations.get(intParam(context, 'installation_id'))
  if (!installation) throw notFound()
  return installation
}

const getApp = (context: RouteContext): RouteResult => {
  requireJwt(context)
  return { status: 200, body: context.services.shapes.app(context.services.actors.app) }
}

const listInstallations = (context: RouteContext): RouteResult => {
  requireJwt(context)
  const { state, shapes, actors } = context.services
  // Paged like every list: https://docs.github.com/en/rest/apps/apps#list-installations-for-the-authenticated-app
  const page = paginate([...state.installations.values()], context.url)
  return {
    status: 200,
    body: page.items.map((i) => shapes.installation(i, actors.app)),
    headers: page.link ? { link: page.link } : {},
  }
}

const getInstallation = (context: RouteContext): RouteResult => {
  requireJwt(context)
  const { shapes, actors } = context.services
  return { status: 200, body: shapes.installation(findInstallation(context), actors.app) }
}

const accountInstallation = (context: RouteContext, login: string | undefined): RouteResult => {
  requireJwt(context)
  const installation = context.services.state.installationFor(login ?? '')
  if (!installation) throw notFound()
  return {
    status: 200,
    body: context.services.shapes.installation(installation, context.services.actors.app),
  }
}

const repoInstallation = (context: RouteContext): RouteResult => {
  requireJwt(context)
  const repo = context.services.state.repos.get(
    `${context.params.owner}/${context.params.repo}`.toLowerCase(),
  )
  if (!repo) throw notFound()
  return accountInstallation(context, repo.owner.login)
}

const createAccessToken = (context: RouteContext): RouteResult => {
  requireJwt(context)
  const installation = findInstallation(context)
  const { token, expiresAt } = context.services.actors.createInstallationToken(installation.id)
  return {
    status: 201,
    body: {
      token,
      expires_at: new Date(expiresAt).toISOString().replace(/\.\d{3}Z$/, 'Z'),
      permissions: context.services.actors.appPermissions,
      repository_selection: 'all',
    },
  }
}

const installationRepositories = (context: RouteContext): RouteResult => {
  const credential = context.credential
  if (credential?.kind !== 'installation') throw new HttpError(403, 'Resource not accessible by integration')
  const { state, shapes } = context.services
  const installation = state.installations.get(credential.installationId ?? -1)
  const repos = [...state.repos.values()].filter(
    (r) => installation && r.owner.login.toLowerCase() === installation.account.login.toLowerCase(),
  )
  // https://docs.github.com/en/rest/apps/installations#list-repositories-accessible-to-the-app-installation
  const page = paginate(repos, context.url)
  return {
    status: 200,
    body: {
      total_count: repos.length,
      repository_selection: 'all',
      repositories: page.items.map((r) => shapes.repository(r)),
    },
    headers: page.link ? { link: page.link } : {},
  }
}

/** App routes. */
export const appRoutes: RouteTable = {
  'GET /app': getApp,
  'GET /app/installations': listInstallations,
  'GET /app/installations/{installation_id}': getInstallation,
  'POST /app/installations/{installation_id}/access_tokens': createAccessToken,
  'GET /repos/{owner}/{repo}/installation': repoInstallation,
  'GET /users/{username}/installation': (context) => accountInstallation(context, context.params.username),
  'GET /orgs/{org}/installation': (context) => accountInstallation(context, context.params.org),
  'GET /installation/repositories': installationRepositories,
}
