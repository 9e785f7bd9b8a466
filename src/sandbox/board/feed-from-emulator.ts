/**
 * A board feed read straight from the emulator: bead issues decoded from their markers, worker runs from
 * the Actions runner. The emulator has no change hook for its store, so the feed looks again on every
 * run update and push, and on a short interval for issue edits; a look that finds nothing new is silent.
 */
import type { Bead } from '../../core/bead.js'
import { decodeBead } from '../../core/bead-codec.js'
import { BEAD_LABEL, GOAL_LABEL } from '../../core/labels.js'
import type { WorkflowRun } from '../emulator/contracts.js'
import type { Emulator } from '../emulator/emulator.js'
import type { IssueRecord, RepoRecord } from '../emulator/state.js'
import {
  beadLabel,
  boardBeadOf,
  createFeedHub,
  type BoardBead,
  type BoardFeed,
  type BoardGoal,
  type BoardWorker,
  type FeedState,
} from './board-feed.js'

/** Starts a repeating call; returns the function that stops it. */
export type Every = (fn: () => void, ms: number) => () => void

/** Options of `feedFromEmulator`. */
export interface EmulatorFeedOptions {
  /** The repository the town works in, `owner/name`. */
  repo: string
  /** The goal to follow; the newest goal issue of the repository when absent. */
  goal?: number
  /** Milliseconds since the epoch; the real clock when absent. */
  clock?: () => number
  /** When the run started; the feed's creation when absent. */
  startedAt?: number
  /** How often to look for issue edits; 200 ms when absent. */
  pollMs?: number
  /** The interval timer; an unref'd setInterval when absent. */
  every?: Every
}

/** The emulator parts the feed reads. */
export type EmulatorView = Pick<Emulator, 'url' | 'state' | 'runner' | 'git'>

/** A feed of the emulator's town in `options.repo`. */
export function feedFromEmulator(emulator: EmulatorView, options: EmulatorFeedOptions): BoardFeed {
  const clock = options.clock ?? Date.now
  const startedAt = options.startedAt ?? clock()
  const every = options.every ?? defaultEvery
  const hub = createFeedHub(emptyState(options.repo, startedAt), clock)
  let closed = false
  const refresh = (): void => {
    if (!closed) hub.update(deriveState(emulator, options.repo, options.goal, startedAt))
  }
  emulator.runner.onUpdate((run) => {
    if (closed || run.repo.toLowerCase() !== options.repo.toLowerCase()) return
    const text = runText(run, beadFor(emulator, options.repo, run))
    const bead = Number(run.inputs['bead'])
    hub.event({ kind: 'run', text, ...(bead > 0 ? { bead } : {}) })
    refresh()
  })
  emulator.git.onPush(() => refresh())
  const stop = every(refresh, options.pollMs ?? 200)
  hub.onClose(() => {
    closed = true
    stop()
  })
  refresh()
  return hub
}

function defaultEvery(fn: () => void, ms: number): () => void {
  const handle = setInterval(fn, ms)
  // The board must never keep a finished process alive.
  handle.unref()
  return () => clearInterval(handle)
}

function emptyState(repo: string, startedAt: number): FeedState {
  return { repo, beads: [], workers: [], startedAt, finished: false }
}

function labelNames(repo: RepoRecord, issue: IssueRecord): string[] {
  return issue.labels.map((key) => repo.labels.get(key)?.name ?? key)
}

function time(iso: string | null | undefined): number | undefined {
  if (!iso) return undefined
  const parsed = Date.parse(iso)
  return Number.isFinite(parsed) ? parsed : undefined
}

/** The state of the town as the emulator holds it now. */
export function deriveState(
  emulator: EmulatorView,
  repoName: string,
  goalNumber: number | undefined,
  startedAt: number,
): FeedState {
  const repo = emulator.state.repos.get(repoName.toLowerCase())
  if (!repo) return emptyState(repoName, startedAt)
  const issues = emulator.state.issuesOf(repo.fullName).filter((issue) => issue.pull === null)
  const goals = issues.filter((issue) => labelNames(repo, issue).includes(GOAL_LABEL))
  const goalIssue =
    goalNumber === undefined ? goals.at(-1) : issues.find((issue) => issue.number === goalNumber)
  const base = `${emulator.url}/${repo.fullName}`
  const goal: BoardGoal | undefined = goalIssue && {
    number: goalIssue.number,
    title: goalIssue.title,
    state: goalIssue.state,
    url: `${base}/issues/${goalIssue.number}`,
  }
  const runs = emulator.runner.list(repo.fullName)
  const decoded: { bead: Bead; issue: IssueRecord }[] = []
  for (const issue of issues) {
    const names = labelNames(repo, issue)
    if (!names.includes(BEAD_LABEL)) continue
    const result = decodeBead({ ...issue, labels: names, state_reason: issue.stateReason })
    // A bead without a readable marker is the Mayor's to report; the board shows only what it can read.
    if (!result.ok || (goal && result.bead.goal !== goal.number)) continue
    decoded.push({ bead: result.bead, issue })
  }
  const beads = decoded.map(({ bead, issue }) => boardBead(bead, issue, runs, base))
  const byNumber = new Map(beads.map((bead) => [bead.number, bead]))
  const workers: BoardWorker[] = []
  for (const run of [...runs].reverse()) {
    const bead = byNumber.get(Number(run.inputs['bead']))
    if (!bead || run.status !== 'in_progress') continue
    workers.push({
      bead: bead.number,
      key: bead.key,
      role: bead.role,
      attempt: Number(run.inputs['attempt']) || bead.attempt,
      runId: run.id,
      startedAt: time(run.run_started_at) ?? time(run.created_at),
      runUrl: `${base}/actions/runs/${run.id}`,
    })
  }
  const done = beads.filter((bead) => bead.status === 'completed').length
  const allSettled =
    beads.length > 0 && beads.every((bead) => bead.status === 'completed' || bead.status === 'cancelled')
  const finished = goal?.state === 'closed' || (allSettled && workers.length === 0)
  const state: FeedState = { repo: repo.fullName, beads, workers, startedAt, finished }
  if (goal) state.goal = goal
  if (finished) state.outcome = outcomeOf(goal, beads, done)
  return state
}

function outcomeOf(goal: BoardGoal | undefined, beads: readonly BoardBead[], done: number): string {
  const failed = beads.filter((bead) => bead.status === 'failed' || bead.needsHuman === true).length
  const what = `${done} of ${beads.length} beads completed${failed > 0 ? `, ${failed} failed` : ''}`
  return goal?.state === 'closed' ? `goal #${goal.number} closed: ${what}` : what
}

const ENDED = new Set(['completed', 'cancelled'])

function boardBead(bead: Bead, issue: IssueRecord, runs: readonly WorkflowRun[], base: string): BoardBead {
  const number = issue.number
  const own = runs.filter((run) => Number(run.inputs['bead']) === number)
  const starts = own.flatMap((run) => {
    const at = time(run.run_started_at)
    return at === undefined ? [] : [at]
  })
  const entry = boardBeadOf(bead, number, base)
  // Without a run (a worker played by hand) the bead started when it last left ready.
  const started =
    starts.length > 0
      ? Math.min(...starts)
      : bead.status !== 'pending' && bead.status !== 'ready' && bead.status !== 'blocked'
        ? bead.updatedAt
        : undefined
  if (started !== undefined) entry.startedAt = started
  const ended = ENDED.has(bead.status) || (bead.status === 'failed' && bead.needsHuman === true)
  if (ended) {
    const at = time(issue.closedAt) ?? bead.updatedAt
    entry.endedAt = started === undefined ? at : Math.max(started, at)
  }
  return entry
}

function beadFor(emulator: EmulatorView, repo: string, run: WorkflowRun): string {
  const number = Number(run.inputs['bead'])
  const issue = Number.isInteger(number) && number > 0 ? emulator.state.issue(run.repo, number) : undefined
  if (!issue) return run.inputs['bead'] ? `#${run.inputs['bead']}` : repo
  const decoded = decodeBead({ ...issue, labels: [], state_reason: issue.stateReason })
  return decoded.ok ? beadLabel({ number, key: decoded.bead.key }) : `#${number}`
}

function runText(run: WorkflowRun, bead: string): string {
  const attempt = run.inputs['attempt'] ? `, attempt ${run.inputs['attempt']}` : ''
  if (run.status === 'queued') return `run ${run.id} queued for ${bead}${attempt}`
  if (run.status === 'in_progress') return `run ${run.id} started for ${bead}${attempt}`
  return `run ${run.id} for ${bead} ended: ${run.conclusion ?? 'unknown'}`
}
