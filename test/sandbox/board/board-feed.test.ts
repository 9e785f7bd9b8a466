import { describe, expect, it } from 'vitest'
import { RECENT_EVENTS, boardSnapshotSchema } from '../../../src/sandbox/board/board-feed.js'
import { ManualTime, T0, change, manualFeed, todoBeads, todoState } from './board-fixture.js'

describe('the feed hub', () => {
  it('records a planned goal and each status move as events, and tells listeners once per change', () => {
    const time = new ManualTime()
    const feed = manualFeed(time, todoState([]))
    const heard: number[] = []
    feed.subscribe((snapshot) => heard.push(snapshot.events.length))
    time.advance(2000)
    feed.update(todoState())
    time.advance(3000)
    const beads = change(todoBeads(), 2, { status: 'in_progress', attempt: 1, startedAt: T0 + 5000 })
    feed.update(todoState(beads))
    feed.update(todoState(beads))

    const snapshot = feed.snapshot()
    expect(heard).toEqual([1, 2])
    expect(snapshot.events.map((e) => [e.id, e.at - T0, e.kind, e.text])).toEqual([
      [
        0,
        2000,
        'goal',
        'planned 4 beads: #2 model (developer), #3 api (developer), #4 tests (tester), #5 review (reviewer)',
      ],
      [1, 5000, 'bead', '#2 model: pending → in_progress (attempt 1)'],
    ])
    expect(boardSnapshotSchema.parse(snapshot)).toEqual(snapshot)
  })

  it('sums tokens and cost over beads and the planner, and keeps only the recent events', () => {
    const time = new ManualTime()
    const beads = change(change(todoBeads(), 2, { tokens: 1500, costUsd: 0.0012 }), 3, {
      tokens: 500,
      costUsd: 0.0003,
    })
    const feed = manualFeed(time, { ...todoState(beads), extraTokens: 1000, extraCostUsd: 0.001 })
    for (let i = 0; i < RECENT_EVENTS + 5; i++) feed.event({ kind: 'log', text: `line ${i}` })
    const snapshot = feed.snapshot()
    expect(snapshot.tokens).toBe(3000)
    expect(snapshot.costUsd).toBeCloseTo(0.0025, 10)
    expect(snapshot.events).toHaveLength(RECENT_EVENTS)
    expect(snapshot.events[0]!.text).toBe('line 5')
    expect(snapshot.events.at(-1)!.id).toBe(RECENT_EVENTS + 4)
  })

  it('stops the clock when the run finishes', () => {
    const time = new ManualTime()
    const feed = manualFeed(time)
    time.advance(90_000)
    expect(feed.snapshot().elapsedMs).toBe(90_000)
    feed.update(todoState(todoBeads(), { finished: true, outcome: '4 of 4 beads completed' }))
    time.advance(60_000)
    const snapshot = feed.snapshot()
    expect(snapshot.elapsedMs).toBe(90_000)
    expect(snapshot.events.at(-1)).toMatchObject({ kind: 'finished', text: '4 of 4 beads completed' })
  })

  it('calls nobody after close, and runs the close hooks once', () => {
    const time = new ManualTime()
    const feed = manualFeed(time)
    let heard = 0
    let hooks = 0
    feed.subscribe(() => heard++)
    feed.onClose(() => hooks++)
    feed.close()
    feed.close()
    feed.update(todoState(change(todoBeads(), 2, { status: 'ready' })))
    feed.event({ kind: 'log', text: 'late' })
    expect([heard, hooks]).toEqual([0, 1])
  })
})
