import { describe, expect, it } from 'vitest'
import type { BeadStatus } from '../../../src/core/bead.js'
import { feedFromTownEvents } from '../../../src/sandbox/board/feed-from-town-events.js'
import { TownEvents, type TownBead, type TownSummary } from '../../../src/sandbox/town-events.js'
import { T0 } from './board-fixture.js'

const EMULATOR = 'http://127.0.0.1:4000'

function townBead(number: number, key: string, status: BeadStatus, fields: Partial<TownBead> = {}): TownBead {
  return {
    id: `1/${key}`,
    number,
    title: `Do ${key}`,
    description: '',
    role: 'developer',
    status,
    createdAt: T0,
    updatedAt: T0,
    goal: 1,
    key,
    dependencies: [],
    attempt: 0,
    runs: 0,
    ...fields,
  }
}

function summary(): TownSummary {
  return {
    ok: true,
    repo: 'alice/todo',
    goal: { number: 1, title: 'Build a todo API', url: `${EMULATOR}/alice/todo/issues/1`, state: 'closed' },
    model: { kind: 'scripted', name: 'todo-api' },
    workers: 2,
    merge: 'auto',
    startedAt: new Date(T0).toISOString(),
    endedAt: new Date(T0 + 90_000).toISOString(),
    beads: [],
    totals: {
      beads: 2,
      completed: 2,
      failed: 0,
      attempts: 2,
      runs: 2,
      failedRuns: 0,
      reviewRounds: 0,
      tokens: 5000,
      costUsd: 0.01,
      prsMerged: 2,
    },
    makespanMs: 80_000,
    lowerBoundMs: 80_000,
    api: { calls: 100, perBead: 50, byRoute: [] },
    webhooks: { deliveries: 40, p50Ms: 3, p99Ms: 9 },
  }
}

/** A short run of the town, as it emits it. */
function playRun(events: TownEvents, upTo = Infinity): void {
  const script: Parameters<TownEvents['emit']>[0][] = [
    {
      type: 'started',
      at: T0,
      repo: 'alice/todo',
      goal: { number: 1, title: 'Build a todo API', url: `${EMULATOR}/alice/todo/issues/1` },
      urls: {
        emulator: EMULATOR,
        api: `${EMULATOR}/api/v3`,
        mayor: 'http://127.0.0.1:4001',
        repository: `${EMULATOR}/alice/todo`,
      },
      model: { kind: 'scripted', name: 'todo-api' },
      workers: 2,
      merge: 'auto',
    },
    { type: 'bead', at: T0 + 2000, bead: townBead(2, 'model', 'ready') },
    { type: 'bead', at: T0 + 2000, bead: townBead(3, 'api', 'pending', { dependencies: [2] }) },
    {
      type: 'bead',
      at: T0 + 3000,
      bead: townBead(2, 'model', 'in_progress', { attempt: 1, startedAt: T0 + 3000 }),
      previous: 'ready',
    },
    {
      type: 'run',
      at: T0 + 3000,
      run: {
        id: 7,
        bead: 2,
        attempt: 1,
        status: 'in_progress',
        conclusion: null,
        startedAt: T0 + 3000,
        url: `${EMULATOR}/alice/todo/actions/runs/7`,
      },
    },
    {
      type: 'log',
      at: T0 + 4000,
      level: 'info',
      source: 'worker',
      message: 'ran node --test: pass 3',
      bead: 2,
    },
    {
      type: 'bead',
      at: T0 + 40_000,
      bead: townBead(2, 'model', 'in_review', {
        attempt: 1,
        pr: 4,
        tokens: 3000,
        costUsd: 0.006,
        startedAt: T0 + 3000,
      }),
      previous: 'in_progress',
    },
    {
      type: 'run',
      at: T0 + 41_000,
      run: {
        id: 7,
        bead: 2,
        attempt: 1,
        status: 'completed',
        conclusion: 'success',
        startedAt: T0 + 3000,
        endedAt: T0 + 41_000,
        url: `${EMULATOR}/alice/todo/actions/runs/7`,
      },
    },
    {
      type: 'bead',
      at: T0 + 45_000,
      bead: townBead(2, 'model', 'completed', {
        attempt: 1,
        pr: 4,
        tokens: 3000,
        costUsd: 0.006,
        startedAt: T0 + 3000,
        endedAt: T0 + 45_000,
      }),
      previous: 'in_review',
    },
    {
      type: 'bead',
      at: T0 + 85_000,
      bead: townBead(3, 'api', 'completed', {
        attempt: 1,
        pr: 5,
        tokens: 1500,
        costUsd: 0.003,
        startedAt: T0 + 46_000,
        endedAt: T0 + 85_000,
        dependencies: [2],
      }),
      previous: 'in_progress',
    },
    { type: 'finished', at: T0 + 90_000, summary: summary() },
  ]
  script.slice(0, upTo).forEach((event) => events.emit(event))
}

describe('feedFromTownEvents', () => {
  it('shows the town as it runs: beads, the busy worker with its link, runs and log lines at their times', () => {
    const events = new TownEvents()
    const clock = { now: T0 + 5000 }
    const feed = feedFromTownEvents(events, { clock: () => clock.now })
    playRun(events, 6)
    const snapshot = feed.snapshot()
    expect(snapshot.repo).toBe('alice/todo')
    expect(snapshot.goal).toEqual({
      number: 1,
      title: 'Build a todo API',
      state: 'open',
      url: `${EMULATOR}/alice/todo/issues/1`,
    })
    expect(snapshot.beads.map((b) => [b.number, b.status, b.issueUrl])).toEqual([
      [2, 'in_progress', `${EMULATOR}/alice/todo/issues/2`],
      [3, 'pending', `${EMULATOR}/alice/todo/issues/3`],
    ])
    expect(snapshot.workers).toEqual([
      {
        bead: 2,
        key: 'model',
        role: 'developer',
        attempt: 1,
        runId: 7,
        startedAt: T0 + 3000,
        runUrl: `${EMULATOR}/alice/todo/actions/runs/7`,
      },
    ])
    expect(snapshot.events.map((e) => [e.at - T0, e.text])).toEqual([
      [2000, 'planned 1 bead: #2 model (developer)'],
      [2000, 'planned 1 bead: #3 api (developer)'],
      [3000, '#2 model: ready → in_progress (attempt 1)'],
      [3000, 'run 7 started for #2 model, attempt 1'],
      [4000, '[worker] ran node --test: pass 3'],
    ])
    expect(snapshot.elapsedMs).toBe(5000)
  })

  it('replays what happened before it was made, ends with the summary, and stops the clock there', () => {
    const events = new TownEvents()
    playRun(events)
    const feed = feedFromTownEvents(events, { clock: () => T0 + 600_000 })
    const snapshot = feed.snapshot()
    expect(snapshot.finished).toBe(true)
    expect(snapshot.outcome).toBe('goal #1 closed: 2 of 2 beads completed')
    expect(snapshot.goal?.state).toBe('closed')
    expect(snapshot.elapsedMs).toBe(90_000)
    expect(snapshot.workers).toEqual([])
    expect(snapshot.beads[0]).toMatchObject({
      status: 'completed',
      pr: 4,
      prUrl: `${EMULATOR}/alice/todo/pull/4`,
      startedAt: T0 + 3000,
      endedAt: T0 + 45_000,
    })
    // The summary's 5000 tokens include 500 spent by the planner.
    expect([snapshot.tokens, snapshot.costUsd]).toEqual([5000, 0.01])
    expect(snapshot.events.at(-1)).toMatchObject({
      kind: 'finished',
      at: T0 + 90_000,
      text: 'goal #1 closed: 2 of 2 beads completed',
    })
  })

  it('stops listening on close', () => {
    const events = new TownEvents()
    const feed = feedFromTownEvents(events)
    let heard = 0
    feed.subscribe(() => heard++)
    playRun(events, 2)
    feed.close()
    playRun(events)
    expect(heard).toBe(2)
    expect(feed.snapshot().beads).toHaveLength(1)
  })
})
