/**
 * The app as GitHub knows it: its bot's login, its installations, and the repositories each can reach.
 * Lists follow GitHub's `Link` headers through every page, since an app may be installed on thousands of
 * accounts and an installation may reach thousands of repositories.
 */
import type { Octokit } from '@octokit/core'
import { composePaginateRest } from '@octokit/plugin-paginate-rest'
import type { GitHubApi, RepoRef } from './client.js'

/** GitHub's largest page: the fewest requests for a long list. */
const MAX_PER_PAGE = 100

/** How many items a page asks for; smaller than GitHub's maximum only to test paging cheaply. */
export interface PageSize {
  perPage?: number
}

// The paginate plugin reads only `request` of the Octokit it is given, which every GitHubApi has.
const asOctokit = (api: GitHubApi) => api as Octokit

/**
 * The login of the app's bot (`slug[bot]`), whose comments and events are the app's own; `api`
 * authenticates as the app (a JWT).
 */
export async function getAppBotLogin(api: GitHubApi): Promise<string | undefined> {
  const { data } = await api.request('GET /app')
  return data ? `${data.slug}[bot]` : undefined
}

/** The app's installation on a repository (ids as a webhook payload carries them); `api` is the app's. */
export async function getRepoInstallation(
  api: GitHubApi,
  repo: RepoRef,
): Promise<{ id: number; node_id: string }> {
  const { data } = await api.request('GET /repos/{owner}/{repo}/installation', { ...repo })
  // The OpenAPI description leaves `node_id` out of an installation, though GitHub sends it.
  return { id: data.id, node_id: (data as { node_id?: string }).node_id ?? '' }
}

/** The id of every installation of the app; `api` authenticates as the app (a JWT). */
export async function listInstallationIds(api: GitHubApi, page: PageSize = {}): Promise<number[]> {
  return composePaginateRest(
    asOctokit(api),
    'GET /app/installations',
    { per_page: page.perPage ?? MAX_PER_PAGE },
    (response) => response.data.map((installation) => installation.id),
  )
}

/** Every repository an installation can reach; `api` authenticates as that installation. */
export async function listInstallationRepos(api: GitHubApi, page: PageSize = {}): Promise<RepoRef[]> {
  return composePaginateRest(
    asOctokit(api),
    'GET /installation/repositories',
    { per_page: page.perPage ?? MAX_PER_PAGE },
    // The plugin hands over this namespaced answer's `repositories` as the page's list.
    (response) =>
      response.data.map((repository) => ({ owner: repository.owner.login, repo: repository.name })),
  )
}
