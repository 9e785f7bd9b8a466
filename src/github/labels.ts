/** Labels: created once per repository, then set on issues together with their other fields. */
import { statusOf, type GitHubApi, type RepoRef } from './client.js'

/** A label to make sure of. */
export interface LabelSpec {
  name: string
  color: string
  description?: string
}

/**
 * The labels a process knows to exist, by repository, so a later goal creates none and lists none. A
 * label a person deletes later comes back at the next fresh check (a sweep), not before: GitHub itself
 * creates a label an issue is given, without its colour, so nothing fails meanwhile.
 */
export class KnownLabels {
  /** Label names (lower case) by repository, each with its node id when a list or create gave it. */
  readonly #byRepo = new Map<string, Map<string, string | undefined>>()

  /** Whether every one of `names` was seen in `repo` (names compare without case, as GitHub's do). */
  has(repo: RepoRef, names: readonly string[]): boolean {
    const known = this.#byRepo.get(repoKey(repo))
    return known !== undefined && names.every((name) => known.has(name.toLowerCase()))
  }

  /**
   * The node ids of `names` in `repo` (GraphQL takes labels by id), or undefined when one of them is
   * unknown: a caller then names them by REST.
   */
  ids(repo: RepoRef, names: readonly string[]): string[] | undefined {
    const known = this.#byRepo.get(repoKey(repo))
    const ids = names.map((name) => known?.get(name.toLowerCase()))
    return ids.every((id): id is string => id !== undefined) ? ids : undefined
  }

  /** Notes labels seen in or created in `repo`, with their node ids when known. */
  note(repo: RepoRef, labels: Iterable<string | { name: string; node_id?: string }>): void {
    const key = repoKey(repo)
    const known = this.#byRepo.get(key) ?? new Map<string, string | undefined>()
    for (const label of labels) {
      const { name, node_id } = typeof label === 'string' ? { name: label, node_id: undefined } : label
      known.set(name.toLowerCase(), node_id ?? known.get(name.toLowerCase()))
    }
    this.#byRepo.set(key, known)
  }
}

const repoKey = (repo: RepoRef) => `${repo.owner}/${repo.repo}`.toLowerCase()

/** Options of `ensureLabels`. */
export interface EnsureLabelsOptions {
  /** What this process already knows; consulted unless `fresh`, and kept up to date either way. */
  known?: KnownLabels
  /** Lists the repository's labels even when `known` has them all (a sweep trusts nothing cached). */
  fresh?: boolean
}

/**
 * Creates each label that is missing, after one (paginated) list of the repository's labels; an existing
 * one is left alone (422 means it is there). With `known`, a repository whose labels this process has
 * already made sure of costs no request at all.
 */
export async function ensureLabels(
  api: GitHubApi,
  repo: RepoRef,
  labels: LabelSpec[],
  options: EnsureLabelsOptions = {},
): Promise<string[]> {
  const names = labels.map((label) => label.name)
  if (!options.fresh && options.known?.has(repo, names)) return []
  const existing = new Map<string, { name: string; node_id: string }>()
  for (let page = 1; ; page += 1) {
    const { data } = await api.request('GET /repos/{owner}/{repo}/labels', { ...repo, per_page: 100, page })
    for (const label of data) existing.set(label.name.toLowerCase(), label)
    if (data.length < 100) break
  }
  const created: string[] = []
  for (const label of labels) {
    if (existing.has(label.name.toLowerCase())) continue
    try {
      const { data } = await api.request('POST /repos/{owner}/{repo}/labels', { ...repo, ...label })
      existing.set(label.name.toLowerCase(), data)
      created.push(label.name)
    } catch (error) {
      // Another Mayor instance may have made it between our list and our create (its id stays unknown).
      if (statusOf(error) !== 422) throw error
    }
  }
  options.known?.note(repo, [...names, ...existing.values()])
  return created
}
