/**
 * What the live boards show: one snapshot of a town's run (beads, busy workers, recent events, time,
 * tokens) and a feed that hands out the latest snapshot and tells listeners when it changes. Adapters
 * (feed-from-emulator.ts, feed-from-town-events.ts) derive the feed; the boards only read it.
 */
import { z } from 'zod'
import { BEAD_STATUSES, type Bead } from '../../core/bead.js'
import { statusText } from '../../core/status-text.js'

/** One bead as the boards show it. */
export const boardBeadSchema = z.object({
  number: z.number().int().positive(),
  key: z.string(),
  title: z.string(),
  role: z.string(),
  status: z.enum(BEAD_STATUSES),
  attempt: z.number().int().nonnegative(),
  pr: z.number().int().positive().optional(),
  tokens: z.number().nonnegative(),
  costUsd: z.number().nonnegative(),
  /** When its first worker run started (ms since the epoch). */
  startedAt: z.number().optional(),
  /** When it reached an end (completed, cancelled, or failed for good). */
  endedAt: z.number().optional(),
  /** Issue numbers of the beads it depends on. */
  deps: z.array(z.number().int().positive()),
  needsHuman: z.boolean().optional(),
  /** The status as people read it where the word alone misleads ("conflicts with main — rebasing"). */
  detail: z.string().optional(),
  /** Rebase attempts so far: times its PR conflicted with main and went back to a worker. */
  rebases: z.number().int().nonnegative().optional(),
  /** Links into GitHub (or the emulator): the bead's issue and its PR. */
  issueUrl: z.string().optional(),
  prUrl: z.string().optional(),
})

/** A worker run that holds a bead now. */
export const boardWorkerSchema = z.object({
  bead: z.number().int().positive(),
  key: z.string(),
  role: z.string(),
  attempt: z.number().int().nonnegative(),
  runId: z.number().int().optional(),
  startedAt: z.number().optional(),
  runUrl: z.string().optional(),
})

/** One line of the run's history: a bead moved, a run started or ended, a log line, the end. */
export const boardEventSchema = z.object({
  /** Increases by one for each event of a feed, so a reader knows which events are new. */
  id: z.number().int().nonnegative(),
  at: z.number(),
  kind: z.enum(['bead', 'run', 'log', 'goal', 'finished']),
  text: z.string(),
  bead: z.number().int().positive().optional(),
})

/** The goal a run works on. */
export const boardGoalSchema = z.object({
  number: z.number().int().positive(),
  title: z.string(),
  state: z.enum(['open', 'closed']),
  url: z.string().optional(),
})

/** Everything a board draws at one moment. */
export const boardSnapshotSchema = z.object({
  /** Where the run happens, e.g. `alice/todo`. */
  repo: z.string(),
  goal: boardGoalSchema.optional(),
  beads: z.array(boardBeadSchema),
  workers: z.array(boardWorkerSchema),
  /** The most recent events, oldest first. */
  events: z.array(boardEventSchema),
  startedAt: z.number(),
  /** The time the snapshot was taken. */
  now: z.number(),
  elapsedMs: z.number().nonnegative(),
  tokens: z.number().nonnegative(),
  costUsd: z.number().nonnegative(),
  finished: z.boolean(),
  /** How the run ended, once finished (e.g. "goal #1 closed: 4 of 4 beads completed"). */
  outcome: z.string().optional(),
})

/** One bead as the boards show it. */
export type BoardBead = z.infer<typeof boardBeadSchema>
/** A worker run that holds a bead now. */
export type BoardWorker = z.infer<typeof boardWorkerSchema>
/** One line of the run's history. */
export type BoardEvent = z.infer<typeof boardEventSchema>
/** The goal a run works on. */
export type BoardGoal = z.infer<typeof boardGoalSchema>
/** Everything a board draws at one moment. */
export type BoardSnapshot = z.infer<typeof boardSnapshotSchema>

/** A source of snapshots: the latest one, and a call on every change. */
export interface BoardFeed {
  /** The latest snapshot, with `now` and `elapsedMs` read from the feed's clock. */
  snapshot(): BoardSnapshot
  /** Calls `listener` after every change; returns the function that unsubscribes. */
  subscribe(listener: (snapshot: BoardSnapshot) => void): () => void
  /** Stops watching the source; listeners are called no more. */
  close(): void
}

/** How many events a snapshot keeps. */
export const RECENT_EVENTS = 50

/** The parts of a snapshot an adapter derives; time and totals are filled in by the hub. */
export type FeedState = Omit<BoardSnapshot, 'now' | 'elapsedMs' | 'tokens' | 'costUsd' | 'events'> & {
  /** Tokens and cost spent outside beads (the planner), added to the beads' totals. */
  extraTokens?: number
  extraCostUsd?: number
}

/** What an adapter uses to publish: the current state, events, and the end. */
export interface FeedHub extends BoardFeed {
  /**
   * Replaces the derived state. Listeners hear of it only when something changed; a new bead, a bead's
   * new status and the end of the run are recorded as events here (at `at`, the clock's time when
   * absent), so every adapter tells them alike.
   */
  update(state: FeedState, at?: number): void
  /** Appends an event (its id and time are assigned here) and tells listeners. */
  event(event: Omit<BoardEvent, 'id' | 'at'> & { at?: number }): void
  /** Adds a hook run by `close`, for the adapter's own subscriptions. */
  onClose(hook: () => void): void
}

/** Creates the hub an adapter publishes through; `clock` gives ms since the epoch. */
export function createFeedHub(initial: FeedState, clock: () => number): FeedHub {
  let state = initial
  let events: BoardEvent[] = []
  let nextId = 0
  let closed = false
  const listeners = new Set<(snapshot: BoardSnapshot) => void>()
  const closeHooks: (() => void)[] = []

  const snapshot = (): BoardSnapshot => {
    const now = clock()
    const { extraTokens = 0, extraCostUsd = 0, ...rest } = state
    const tokens = rest.beads.reduce((sum, bead) => sum + bead.tokens, extraTokens)
    const costUsd = rest.beads.reduce((sum, bead) => sum + bead.costUsd, extraCostUsd)
    const end = rest.finished ? Math.max(rest.startedAt, lastEventTime(events, rest.beads, now)) : now
    return {
      ...rest,
      events: [...events],
      now,
      elapsedMs: Math.max(0, end - rest.startedAt),
      tokens,
      costUsd: Math.round(costUsd * 1e6) / 1e6,
    }
  }
  const record = (event: Omit<BoardEvent, 'id' | 'at'> & { at?: number }): void => {
    events.push({ ...event, id: nextId++, at: event.at ?? clock() })
    if (events.length > RECENT_EVENTS) events = events.slice(-RECENT_EVENTS)
  }
  const notify = (): void => {
    if (closed) return
    const current = snapshot()
    for (const listener of [...listeners]) listener(current)
  }

  return {
    snapshot,
    subscribe(listener) {
      listeners.add(listener)
      return () => void listeners.delete(listener)
    },
    update(next, at) {
      if (closed) return
      const changed = JSON.stringify(next) !== JSON.stringify(state)
      const previous = state
      state = next
      if (!changed) return
      for (const event of changesBetween(previous, next)) record(at === undefined ? event : { ...event, at })
      notify()
    },
    event(event) {
      if (closed) return
      record(event)
      notify()
    },
    onClose(hook) {
      closeHooks.push(hook)
    },
    close() {
      if (closed) return
      closed = true
      listeners.clear()
      for (const hook of closeHooks.splice(0)) hook()
    },
  }
}

// A finished run's clock stops at its last recorded moment, so the elapsed time no longer grows.
function lastEventTime(events: readonly BoardEvent[], beads: readonly BoardBead[], fallback: number): number {
  const finished = events.findLast((event) => event.kind === 'finished')
  if (finished) return finished.at
  const ends = beads.flatMap((bead) => (bead.endedAt === undefined ? [] : [bead.endedAt]))
  return ends.length > 0 ? Math.max(...ends) : fallback
}

/** The name people read for a bead: `#12 api`. */
export function beadLabel(bead: Pick<BoardBead, 'number' | 'key'>): string {
  return `#${bead.number} ${bead.key}`
}

type NewEvent = Omit<BoardEvent, 'id' | 'at'>

// What changed between two states, as events: beads planned, statuses moved, the goal closed, the end.
function changesBetween(before: FeedState, after: FeedState): NewEvent[] {
  const events: NewEvent[] = []
  const old = new Map(before.beads.map((bead) => [bead.number, bead]))
  const planned = after.beads.filter((bead) => !old.has(bead.number))
  if (planned.length > 0) {
    const names = planned.map((bead) => `${beadLabel(bead)} (${bead.role})`).join(', ')
    events.push({
      kind: 'goal',
      text: `planned ${planned.length} bead${planned.length === 1 ? '' : 's'}: ${names}`,
    })
  }
  for (const bead of after.beads) {
    const was = old.get(bead.number)
    if (!was || was.status === bead.status) continue
    const pr = bead.pr !== undefined && bead.status === 'in_review' ? ` (PR #${bead.pr})` : ''
    const attempt = bead.status === 'in_progress' ? ` (attempt ${bead.attempt})` : ''
    events.push({
      kind: 'bead',
      bead: bead.number,
      text: `${beadLabel(bead)}: ${was.status} → ${bead.detail ?? bead.status}${pr}${attempt}`,
    })
  }
  if (before.goal?.state !== 'closed' && after.goal?.state === 'closed') {
    events.push({ kind: 'goal', text: `goal #${after.goal.number} closed` })
  }
  if (!before.finished && after.finished) {
    events.push({ kind: 'finished', text: after.outcome ?? 'the run finished' })
  }
  return events
}

/**
 * The board's entry for a bead as GitHub holds it; with `base` (the repository's web address) it links
 * the issue and the PR. Times are the adapter's to add: each knows them from a different source.
 */
export function boardBeadOf(bead: Bead, number: number, base: string | undefined): BoardBead {
  const entry: BoardBead = {
    number,
    key: bead.key,
    title: bead.title,
    role: bead.role,
    status: bead.status,
    attempt: bead.attempt,
    tokens: bead.tokens ?? 0,
    costUsd: bead.costUsd ?? 0,
    deps: [...bead.dependencies],
  }
  if (base) entry.issueUrl = `${base}/issues/${number}`
  if (bead.pr !== undefined) {
    entry.pr = bead.pr
    if (base) entry.prUrl = `${base}/pull/${bead.pr}`
  }
  if (bead.needsHuman) entry.needsHuman = true
  if (bead.needsHuman || bead.rebasing) entry.detail = statusText(bead)
  if (bead.rebases !== undefined) entry.rebases = bead.rebases
  return entry
}
