/**
 * What webhooks already told the Mayor about pull requests, reviews and runs, and the repository's config,
 * kept in memory so a step need not ask GitHub again. Nothing here is state that matters: a restarted
 * Mayor starts empty and reads GitHub, and the reconciler's sweeps bypass the cache. The facts only move
 * forward (a PR merges, a run completes), so a stale entry delays a step; it never misleads one, and the
 * one fact that could (a closed issue whose PR merged) is always read fresh.
 */
import type { Config } from '../core/config.js'
import type { PullSnapshot, RunSnapshot } from '../core/goal-step.js'
import type { RepoRef } from '../github/client.js'
import type { RepositoryData } from '../github/repository.js'

/** How long a repository's metadata and config are reused (ms). */
export const REPO_CACHE_MS = 60_000

const key = (repo: RepoRef, id: number | string) => `${repo.owner}/${repo.repo}#${id}`

/** The Mayor's memory of recent facts, by repository. */
export class FactsCache {
  readonly #pulls = new Map<string, PullSnapshot>()
  readonly #runs = new Map<string, RunSnapshot>()
  readonly #repos = new Map<string, { repository: RepositoryData; config: Config; at: number }>()
  readonly #board = new Map<string, string>()

  constructor(private readonly now: () => number) {}

  pull(repo: RepoRef, number: number): PullSnapshot | undefined {
    return this.#pulls.get(key(repo, number))
  }

  /** Records a pull request's state from a webhook or a read; a merge is never forgotten. */
  notePull(repo: RepoRef, number: number, facts: PullSnapshot): void {
    const known = this.#pulls.get(key(repo, number))
    const next: PullSnapshot = { ...known, ...facts, merged: facts.merged || known?.merged === true }
    if (next.merged) next.state = 'closed'
    this.#pulls.set(key(repo, number), next)
  }

  /** Records a review; only a request for changes matters to a step. */
  noteReview(
    repo: RepoRef,
    number: number,
    state: string,
    submittedAt: number,
    by: string | undefined,
  ): void {
    const known = this.#pulls.get(key(repo, number))
    // Without the pull request's own state, a partial entry would hide a merge: leave it to a read.
    if (!known || state.toLowerCase() !== 'changes_requested') return
    if (known.changesRequestedAt === undefined || submittedAt > known.changesRequestedAt) {
      known.changesRequestedAt = submittedAt
      if (by !== undefined) known.changesRequestedBy = by
    }
  }

  run(repo: RepoRef, id: string): RunSnapshot | undefined {
    return this.#runs.get(key(repo, id))
  }

  /** Records a run's state; a completed run stays completed. */
  noteRun(repo: RepoRef, id: string, facts: RunSnapshot): void {
    const known = this.#runs.get(key(repo, id))
    if (known?.status === 'completed' && facts.status !== 'completed') return
    this.#runs.set(key(repo, id), facts)
  }

  /** The repository and its config, if read within REPO_CACHE_MS. */
  repo(repo: RepoRef): { repository: RepositoryData; config: Config } | undefined {
    const entry = this.#repos.get(`${repo.owner}/${repo.repo}`)
    return entry && this.now() - entry.at < REPO_CACHE_MS ? entry : undefined
  }

  /** The Status the Mayor last gave an issue (by node id) on the board. */
  boardStatus(nodeId: string): string | undefined {
    return this.#board.get(nodeId)
  }

  noteBoardStatus(nodeId: string, status: string): void {
    this.#board.set(nodeId, status)
  }

  noteRepo(repo: RepoRef, repository: RepositoryData, config: Config): void {
    this.#repos.set(`${repo.owner}/${repo.repo}`, { repository, config, at: this.now() })
  }
}
