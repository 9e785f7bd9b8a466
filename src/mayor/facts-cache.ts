/**
 * What webhooks already told the Mayor about pull requests and runs, the repository's config and the
 * permissions of reviewers it asked about, kept in memory so a step need not ask GitHub again. Nothing here is state that matters: a restarted
 * Mayor starts empty and reads GitHub, and the reconciler's sweeps bypass the cache. The facts only move
 * forward (a PR merges, a run completes), so a stale entry delays a step; it never misleads one, and the
 * one fact that could (a closed issue whose PR merged) is always read fresh.
 */
import type { Bead } from '../core/bead.js'
import type { Config } from '../core/config.js'
import type { PullSnapshot, RunSnapshot } from '../core/goal-step.js'
import type { RepoRef } from '../github/client.js'
import { KnownLabels } from '../github/labels.js'
import type { RepositoryData } from '../github/repository.js'

/** How long a repository's metadata and config are reused (ms). */
export const REPO_CACHE_MS = 60_000

const key = (repo: RepoRef, id: number | string) => `${repo.owner}/${repo.repo}#${id}`

/** A workflow run as a `workflow_run` payload or `GET actions/runs/{id}` describes it. */
export interface RunDescription {
  id: number
  status: string | null
  conclusion: string | null
  updated_at: string
  html_url: string
}

/** The Mayor's memory of recent facts, by repository. */
export class FactsCache {
  readonly #pulls = new Map<string, PullSnapshot>()
  readonly #runs = new Map<string, RunSnapshot>()
  readonly #repos = new Map<string, { repository: RepositoryData; config: Config; at: number }>()
  readonly #board = new Map<string, string>()
  readonly #permissions = new Map<string, { permission: string; at: number }>()
  readonly #beadGoals = new Map<string, number>()
  readonly #runBeads = new Map<string, number>()
  readonly #reportedRuns = new Set<string>()

  /** The labels this process made sure of, by repository: a later goal lists and creates none. */
  readonly labels = new KnownLabels()

  /**
   * Whether GitHub answered that its `createIssue` takes no `parentIssueId` (an older GitHub Enterprise
   * Server): a GitHub's schema does not change under a running Mayor, so later beads go by REST at once.
   */
  subIssueMutationUnsupported = false

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

  /**
   * A review arrived. Whether it counts depends on its author's access, which a step checks when it reads
   * the pull request's reviews (trusted-reviews.ts): the cached pull request is dropped so the next step
   * reads them, rather than acting on a review from the payload.
   */
  noteReview(repo: RepoRef, number: number): void {
    this.#pulls.delete(key(repo, number))
  }

  /** A reviewer's permission on the repository, if asked within REPO_CACHE_MS. */
  permission(repo: RepoRef, login: string): string | undefined {
    const entry = this.#permissions.get(key(repo, login.toLowerCase()))
    return entry && this.now() - entry.at < REPO_CACHE_MS ? entry.permission : undefined
  }

  notePermission(repo: RepoRef, login: string, permission: string): void {
    this.#permissions.set(key(repo, login.toLowerCase()), { permission, at: this.now() })
  }

  /** The goal of a bead issue the Mayor's bot wrote, as a step read its marker. */
  beadGoal(repo: RepoRef, bead: number): number | undefined {
    return this.#beadGoals.get(key(repo, bead))
  }

  /** Records a bead's goal: the bot writes it into the marker once, when it creates the bead. */
  noteBeadGoal(repo: RepoRef, bead: number, goal: number): void {
    this.#beadGoals.set(key(repo, bead), goal)
  }

  /** The bead a worker run was dispatched for, as this process dispatched it or read it in a marker. */
  runBead(repo: RepoRef, runId: string): number | undefined {
    return this.#runBeads.get(key(repo, runId))
  }

  /** Records a run's bead: a run is dispatched for one bead, once, so the fact never goes stale. */
  noteRunBead(repo: RepoRef, runId: string, bead: number): void {
    this.#runBeads.set(key(repo, runId), bead)
  }

  /**
   * Records a run this process just dispatched: its bead, and that GitHub made it queued, so its
   * `workflow_run` events find their goal and the next steps need not read it (its webhooks keep it
   * current).
   */
  noteDispatchedRun(repo: RepoRef, run: { runId: number; htmlUrl: string }, bead: number): void {
    this.noteRunBead(repo, String(run.runId), bead)
    this.noteRun(repo, String(run.runId), {
      status: 'queued',
      conclusion: null,
      updatedAt: this.now(),
      htmlUrl: run.htmlUrl,
    })
  }

  /** Whether a bead's marker showed the run's report (the bead moved on from in_progress under it). */
  reported(repo: RepoRef, runId: string): boolean {
    return this.#reportedRuns.has(key(repo, runId))
  }

  /**
   * Records the report a bead's marker shows, if any: a marker past in_progress under its run. A run
   * reports once, so the fact never goes stale.
   */
  noteReportOf(repo: RepoRef, bead: Pick<Bead, 'assignedTo' | 'status'>): void {
    if (bead.assignedTo !== undefined && bead.status !== 'in_progress')
      this.#reportedRuns.add(key(repo, bead.assignedTo))
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

  /**
   * Records a run as GitHub described it (a `workflow_run` webhook or a REST read), `statusWhenNull`
   * standing for a status GitHub left out; answers the snapshot.
   */
  noteRunData(repo: RepoRef, run: RunDescription, statusWhenNull = 'queued'): RunSnapshot {
    const snapshot: RunSnapshot = {
      status: run.status ?? statusWhenNull,
      conclusion: run.conclusion,
      updatedAt: Date.parse(run.updated_at),
      htmlUrl: run.html_url,
    }
    this.noteRun(repo, String(run.id), snapshot)
    return snapshot
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
