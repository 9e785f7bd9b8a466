/**
 * The app's installations and the repositories each can reach, every page of them: GitHub answers at
 * most 100 a page, and an app may be installed on thousands of accounts.
 */
import type { GitHubApi, RepoRef } from './client.js'

const PER_PAGE = 100

/** The id of every installation of the app; `api` authenticates as the app (a JWT). */
export async function listInstallationIds(api: GitHubApi): Promise<number[]> {
  const ids: number[] = []
  for (let page = 1; ; page += 1) {
    const { data } = await api.request('GET /app/installations', { per_page: PER_PAGE, page })
    for (const installation of data) ids.push(installation.id)
    if (data.length < PER_PAGE) return ids
  }
}

/** Every repository an installation can reach; `api` authenticates as that installation. */
export async function listInstallationRepos(api: GitHubApi): Promise<RepoRef[]> {
  const repos: RepoRef[] = []
  for (let page = 1; ; page += 1) {
    const { data } = await api.request('GET /installation/repositories', { per_page: PER_PAGE, page })
    for (const repository of data.repositories)
      repos.push({ owner: repository.owner.login, repo: repository.name })
    if (data.repositories.length < PER_PAGE) return repos
  }
}
