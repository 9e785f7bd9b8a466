/** Labels: created once per repository, then set on issues together with their other fields. */
import { statusOf, type GitHubApi, type RepoRef } from './client.js'

/** A label to make sure of. */
export interface LabelSpec {
  name: string
  color: string
  description?: string
}

/** Creates each label that is missing; an existing one is left alone (422 means it is there). */
export async function ensureLabels(api: GitHubApi, repo: RepoRef, labels: LabelSpec[]): Promise<string[]> {
  const existing = new Set<string>()
  for (let page = 1; ; page += 1) {
    const { data } = await api.request('GET /repos/{owner}/{repo}/labels', { ...repo, per_page: 100, page })
    for (const label of data) existing.add(label.name.toLowerCase())
    if (data.length < 100) break
  }
  const created: string[] = []
  for (const label of labels) {
    if (existing.has(label.name.toLowerCase())) continue
    try {
      await api.request('POST /repos/{owner}/{repo}/labels', { ...repo, ...label })
      created.push(label.name)
    } catch (error) {
      // Another Mayor instance may have made it between our list and our create.
      if (statusOf(error) !== 422) throw error
    }
  }
  return created
}
