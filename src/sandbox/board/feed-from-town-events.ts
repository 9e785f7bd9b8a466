/**
 * A board feed from the sandbox town's event stream (town-events.ts): beads, runs, log lines and the end
 * as the town tells them, with the town's own times. Events emitted before the feed was made are
 * replayed first, so a board attached late shows the whole run.
 */
import type { BeadChanged, RunChanged, TownEvent, TownEvents, TownRun, TownStarted } from '../town-events.js'
import {
  beadLabel,
  boardBeadOf,
  createFeedHub,
  type BoardBead,
  type BoardFeed,
  type BoardWorker,
  type FeedState,
} from './board-feed.js'

/** Options of `feedFromTownEvents`. */
export interface TownFeedOptions {
  /** Milliseconds since the epoch, for `now` in snapshots; the real clock when absent. */
  clock?: () => number
}

/** A feed of the town that emits on `events`. */
export function feedFromTownEvents(events: TownEvents, options: TownFeedOptions = {}): BoardFeed {
  const clock = options.clock ?? Date.now
  const first = events.past()[0]
  let state: FeedState = {
    repo: first?.type === 'started' ? first.repo : '',
    beads: [],
    workers: [],
    startedAt: first?.at ?? clock(),
    finished: false,
  }
  const hub = createFeedHub(state, clock)
  let started: TownStarted | undefined
  const beads = new Map<number, BoardBead>()
  const runs = new Map<number, TownRun>()

  const base = (): string => {
    if (!started) return ''
    return started.urls.repository.replace(/\/$/, '')
  }
  const workers = (): BoardWorker[] => {
    const busy: BoardWorker[] = []
    for (const run of [...runs.values()].sort((a, b) => a.id - b.id)) {
      const bead = run.bead === undefined ? undefined : beads.get(run.bead)
      if (!bead || run.status !== 'in_progress') continue
      const worker: BoardWorker = {
        bead: bead.number,
        key: bead.key,
        role: bead.role,
        attempt: run.attempt ?? bead.attempt,
        runId: run.id,
        runUrl: run.url,
      }
      if (run.startedAt !== undefined) worker.startedAt = run.startedAt
      busy.push(worker)
    }
    return busy
  }
  const publish = (at: number, change: Partial<FeedState> = {}): void => {
    state = {
      ...state,
      ...change,
      beads: [...beads.values()].sort((a, b) => a.number - b.number),
      workers: workers(),
    }
    hub.update(state, at)
  }

  const onBead = (event: BeadChanged): void => {
    const bead = event.bead
    if (bead.number === undefined) return
    if (started && bead.goal !== started.goal.number) return
    const entry = boardBeadOf(bead, bead.number, base())
    if (bead.startedAt !== undefined) entry.startedAt = bead.startedAt
    if (bead.endedAt !== undefined) entry.endedAt = bead.endedAt
    beads.set(bead.number, entry)
    publish(event.at)
  }
  const onRun = (event: RunChanged): void => {
    const run = event.run
    runs.set(run.id, run)
    const bead = run.bead === undefined ? undefined : beads.get(run.bead)
    const who = bead ? beadLabel(bead) : run.bead !== undefined ? `#${run.bead}` : 'a bead'
    const attempt = run.attempt !== undefined ? `, attempt ${run.attempt}` : ''
    const text =
      run.status === 'queued'
        ? `run ${run.id} queued for ${who}${attempt}`
        : run.status === 'in_progress'
          ? `run ${run.id} started for ${who}${attempt}`
          : `run ${run.id} for ${who} ended: ${run.conclusion ?? 'unknown'}`
    hub.event({ kind: 'run', text, at: event.at, ...(run.bead !== undefined ? { bead: run.bead } : {}) })
    publish(event.at)
  }

  const apply = (event: TownEvent): void => {
    switch (event.type) {
      case 'started':
        started = event
        publish(event.at, {
          repo: event.repo,
          startedAt: event.at,
          goal: { number: event.goal.number, title: event.goal.title, state: 'open', url: event.goal.url },
        })
        return
      case 'bead':
        return onBead(event)
      case 'run':
        return onRun(event)
      case 'log': {
        const level = event.level === 'info' ? '' : `${event.level}: `
        hub.event({
          kind: 'log',
          at: event.at,
          text: `[${event.source}] ${level}${event.message}`,
          ...(event.bead !== undefined ? { bead: event.bead } : {}),
        })
        return
      }
      case 'finished': {
        const { summary } = event
        const done = `${summary.totals.completed} of ${summary.totals.beads} beads completed`
        const failed = summary.totals.failed > 0 ? `, ${summary.totals.failed} failed` : ''
        const outcome = summary.ok
          ? `goal #${summary.goal.number} closed: ${done}${failed}`
          : `stopped (${summary.stopped ?? 'unfinished'}): ${done}${failed}`
        const goal = state.goal ?? {
          number: summary.goal.number,
          title: summary.goal.title,
          url: summary.goal.url,
          state: 'open' as const,
        }
        const beadTokens = [...beads.values()].reduce((sum, bead) => sum + bead.tokens, 0)
        const beadCost = [...beads.values()].reduce((sum, bead) => sum + bead.costUsd, 0)
        // Whatever the summary counts beyond the beads (the planner) shows in the totals too.
        publish(event.at, {
          goal: { ...goal, state: summary.goal.state },
          finished: true,
          outcome,
          extraTokens: Math.max(0, summary.totals.tokens - beadTokens),
          extraCostUsd: Math.max(0, summary.totals.costUsd - beadCost),
        })
        return
      }
    }
  }

  for (const event of events.past()) apply(event)
  const stop = events.onAny(apply)
  hub.onClose(stop)
  return hub
}
