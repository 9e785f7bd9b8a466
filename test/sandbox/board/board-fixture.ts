/** Shared pieces for the board tests: a hand-driven clock and timer, beads, and a feed fed by hand. */
import type { BoardBead, FeedState } from '../../../src/sandbox/board/board-feed.js'
import { createFeedHub, type FeedHub } from '../../../src/sandbox/board/board-feed.js'

/** 2024-05-01T10:00:00Z: the start of every test run. */
export const T0 = Date.UTC(2024, 4, 1, 10, 0, 0)

/** A clock moved by hand, and one-shot timers that fire when it passes them. */
export class ManualTime {
  now = T0
  private timers: { at: number; fn: () => void; id: number }[] = []
  private nextId = 0

  readonly clock = (): number => this.now

  readonly schedule = (fn: () => void, ms: number): (() => void) => {
    const id = this.nextId++
    this.timers.push({ at: this.now + ms, fn, id })
    return () => {
      this.timers = this.timers.filter((timer) => timer.id !== id)
    }
  }

  /** How many timers wait. */
  pending(): number {
    return this.timers.length
  }

  /** Moves the clock on by `ms`, firing due timers in time order. */
  advance(ms: number): void {
    const target = this.now + ms
    for (;;) {
      const due = this.timers
        .filter((timer) => timer.at <= target)
        .sort((a, b) => a.at - b.at || a.id - b.id)[0]
      if (!due) break
      this.timers = this.timers.filter((timer) => timer.id !== due.id)
      this.now = Math.max(this.now, due.at)
      due.fn()
    }
    this.now = target
  }
}

/** A bead with defaults for what a test does not care about. */
export function bead(number: number, key: string, fields: Partial<BoardBead> = {}): BoardBead {
  return {
    number,
    key,
    title: `Do ${key}`,
    role: 'developer',
    status: 'pending',
    attempt: 0,
    tokens: 0,
    costUsd: 0,
    deps: [],
    issueUrl: `http://127.0.0.1:1/alice/todo/issues/${number}`,
    ...fields,
  }
}

/** The seed's todo API plan as four beads, all pending. */
export function todoBeads(): BoardBead[] {
  return [
    bead(2, 'model', { title: 'Todo model and store' }),
    bead(3, 'api', { title: 'CRUD routes for todos', deps: [2] }),
    bead(4, 'tests', { title: 'Tests for the API', role: 'tester', deps: [3] }),
    bead(5, 'review', { title: 'Review the API', role: 'reviewer', deps: [3] }),
  ]
}

/** A feed state for the todo goal. */
export function todoState(beads: BoardBead[] = todoBeads(), fields: Partial<FeedState> = {}): FeedState {
  return {
    repo: 'alice/todo',
    goal: {
      number: 1,
      title: 'Build a todo API',
      state: 'open',
      url: 'http://127.0.0.1:1/alice/todo/issues/1',
    },
    beads,
    workers: [],
    startedAt: T0,
    finished: false,
    ...fields,
  }
}

/** A hub driven by hand, on a manual clock. */
export function manualFeed(time: ManualTime, state: FeedState = todoState()): FeedHub {
  return createFeedHub(state, time.clock)
}

/** Returns `beads` with bead `number` changed. */
export function change(beads: BoardBead[], number: number, fields: Partial<BoardBead>): BoardBead[] {
  return beads.map((b) => (b.number === number ? { ...b, ...fields } : b))
}
