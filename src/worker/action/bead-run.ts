/**
 * One claimed run of a bead: what every step of the worker shares (the API, the bead as last saved,
 * the progress comment, usage and timings), and the failure path every step ends in when it must.
 */
import type { Bead } from '../../core/bead.js'
import { transition } from '../../core/bead-status.js'
import type { Config } from '../../core/config.js'
import type { Role } from '../../core/roles.js'
import { sanitizeForGitHub } from '../../core/sanitize.js'
import type { GoalText } from '../../github/bead-context-query.js'
import type { GitHubApi, RepoRef } from '../../github/client.js'
import type { IssueData } from '../../github/issues.js'
import type { ChatModel } from '../../llm/chat-model.js'
import type { Clock } from '../agent/agent-loop.js'
import type { CommandIsolation } from '../agent/command-isolation.js'
import type { AgentOutcome } from '../agent/effects.js'
import type { ActionLogger } from './action-logger.js'
import { beadFromIssue, loadBead, saveBead } from './bead-issue.js'
import type { GitRemote } from './git-workspace.js'
import type { ProgressReporter } from './progress-comment.js'

/** What the worker is given from outside (built by `connect`); tests point it at the emulator. */
export interface WorkerDeps {
  api: GitHubApi
  repo: RepoRef
  /** The repository's git URL and the token for it. */
  remote: GitRemote
  /** The checkout the agent works in (GITHUB_WORKSPACE). */
  workspace: string
  /** Where the worker's own temporary clones go (RUNNER_TEMP). */
  tmpRoot: string
  /** The runner's temporary directory, where actions/checkout v6 keeps credentials it persisted. */
  runnerTemp?: string
  runId: string
  runUrl: string
  /** The ref and commit the run was dispatched at (GITHUB_REF, GITHUB_SHA), when the runner says. */
  dispatchedAt?: { ref: string; sha: string }
  /**
   * Who dispatched this run (GITHUB_ACTOR; a re-run keeps the first dispatcher): the Mayor's bot. Only
   * bead issues it opened are worked on, and its reviews are trusted.
   */
  dispatcher: string
  clock: Clock
  /** Waits `ms`; a timer when absent (tests pass one that returns at once). */
  sleep?(ms: number): Promise<void>
  logger: ActionLogger
  /** Values that must never reach GitHub or the agent: the token and the model key. */
  secrets: readonly string[]
  /** Builds the model once the trusted config is known. */
  createModel(config: Config): Promise<ChatModel>
  /** The environment the agent's command environment is scrubbed from. */
  agentEnv: NodeJS.ProcessEnv
  /**
   * How the agent's commands are kept from the worker's processes and files; null when no way works
   * (the run then fails unless the config says `isolation: none`); undefined when the caller did not
   * probe (tests that run commands plainly).
   */
  commandIsolation?: CommandIsolation | null
  /** What the probe tried and why each way failed, for the error of a run that cannot isolate. */
  isolationTried?: readonly string[]
  /** Least time between two edits of the progress comment; default a minute. */
  progressIntervalMs?: number
  /** Appends to the Actions job summary. */
  writeSummary(markdown: string): Promise<void>
}

/** How a bead's run ended. */
export type BeadStatusOutput = 'in_review' | 'completed' | 'pending' | 'failed'

/** What a role's runner reports back. */
export interface BeadResult {
  status: BeadStatusOutput
  message: string
  prNumber?: number
  outcome?: AgentOutcome
}

/** Shared state of one claimed run. */
export interface BeadRun {
  deps: WorkerDeps
  log: ActionLogger
  progress: ProgressReporter
  config: Config
  role: Role
  defaultBranch: string
  /** The repository's GraphQL id, for opening the PR by a mutation that reads the bead too. */
  repositoryId?: string
  /** The bead as last read or saved. */
  bead: Bead
  issue: IssueData
  /** The bead's goal when the first read found it as the bead's sub-issue parent; else read later. */
  goal?: GoalText
  /** The issues the first read found beside the bead (its parent's sub-issues): its dependencies, mostly. */
  siblings: IssueData[]
  /** Tokens and cost this run has spent. */
  usage: { tokens: number; costUsd: number }
  /** Time spent waiting for the model, in ms. */
  modelMs: number
  phases: Record<string, number>
}

/** Runs `fn`, adding its duration to the named phase. */
export async function timed<T>(
  run: Pick<BeadRun, 'phases' | 'deps'>,
  name: string,
  fn: () => Promise<T>,
): Promise<T> {
  const started = run.deps.clock.now()
  try {
    return await fn()
  } finally {
    run.phases[name] = (run.phases[name] ?? 0) + (run.deps.clock.now() - started)
  }
}

/** A model that adds the time each call takes to the run's model time. */
export function timedModel(model: ChatModel, run: Pick<BeadRun, 'modelMs' | 'deps'>): ChatModel {
  return {
    name: model.name,
    scripted: model.scripted,
    async complete(request) {
      const started = run.deps.clock.now()
      try {
        return await model.complete(request)
      } finally {
        run.modelMs += run.deps.clock.now() - started
      }
    },
  }
}

/** Text for GitHub from the model or an error: secrets redacted, mentions silenced, capped. */
export function forGitHub(run: Pick<BeadRun, 'deps'>, text: string, maxChars: number): string {
  return sanitizeForGitHub(text, { maxChars, secrets: run.deps.secrets })
}

/**
 * Re-reads the bead before a save at the end of a run: the PATCH replaces body and labels whole, so it
 * must start from what the Mayor and people changed meanwhile (task-list ticks, labels), and a bead the
 * Mayor moved on while the agent worked (a lease that ran out, a new attempt) must be seen before it is
 * overwritten. GitHub has no conditional PATCH for issues: this read is the one guard, one request.
 */
export async function refreshBead(run: BeadRun): Promise<Bead> {
  const loaded = await loadBead(run.deps.api, run.deps.repo, run.bead.number!, run.deps.dispatcher)
  run.bead = loaded.bead
  run.issue = loaded.issue
  return loaded.bead
}

/** Takes the bead from its issue as a request that did more than read it just answered (refreshBead's read). */
export function refreshBeadFrom(run: BeadRun, issue: IssueData): Bead {
  const loaded = beadFromIssue(issue, run.deps.dispatcher)
  run.bead = loaded.bead
  run.issue = loaded.issue
  return loaded.bead
}

/** Saves `next` as the bead, with this run's usage added to the bead's totals. */
export async function saveWithUsage(run: BeadRun, next: Bead): Promise<void> {
  const withUsage: Bead = {
    ...next,
    tokens: (next.tokens ?? 0) + run.usage.tokens,
    costUsd: roundCost((next.costUsd ?? 0) + run.usage.costUsd),
  }
  run.issue = await saveBead(run.deps.api, run.deps.repo, withUsage, run.issue)
  run.bead = withUsage
}

function roundCost(cost: number): number {
  return Math.round(cost * 1e6) / 1e6
}

/**
 * Marks the bead failed with `reason` and a link to the run, counts the failure, adds the usage, and
 * says so in the progress comment. A bead the Mayor already moved on (it is no longer this run's
 * in_progress attempt) is left alone.
 */
export async function failBead(run: BeadRun, reason: string): Promise<BeadResult> {
  const error = `${forGitHub(run, reason, 1_700)} (worker run: ${run.deps.runUrl})`
  run.log.error({ reason: error }, 'bead failed')
  const current = await refreshBead(run)
  if (current.status === 'in_progress' && current.assignedTo === run.deps.runId) {
    const next = transition(current, 'failed', { now: run.deps.clock.now(), reason: error })
    next.failures = (current.failures ?? 0) + 1
    await saveWithUsage(run, next)
  } else {
    run.log.warn(
      { status: current.status, assignedTo: current.assignedTo },
      'the bead moved on while this run worked; its failure is not recorded on it',
    )
  }
  await run.progress.phase(`Failed: ${error}`)
  return { status: 'failed', message: error }
}
