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
  readonly #byRepo = new Map<string, Set<string>>()

  /** Whether every one of `names` was seen in `repo` (names compare without case, as GitHub's do). */
  has(repo: RepoRef, names: readonly string[]): boolean {
    const known = this.#byRepo.get(repoKey(repo))
    return known !== undefined && names.every((name) => known.has(name.toLowerCase()))
  }

  /** Notes labels seen in or created in `repo`. */
  note(repo: RepoRef, names: Iterable<string>): void {
    const key = repoKey(repo)
    const known = this.#byRepo.get(key) ?? new Set<string>()
    for (const name of names) known.add(name.toLowerCase())
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
  options.known?.note(repo, [...existing, ...names])
  return created
}
