import { describe, expect, it } from 'vitest'
import { startTerminalBoard, type TerminalOut } from '../../../src/sandbox/board/terminal-board.js'
import { ManualTime, T0, change, manualFeed, todoBeads, todoState } from './board-fixture.js'

/** A terminal that keeps what was written. */
function terminal(isTTY: boolean): TerminalOut & { text: string; writes: string[] } {
  const out = {
    isTTY,
    columns: 90,
    rows: 40,
    text: '',
    writes: [] as string[],
    write(chunk: string) {
      out.text += chunk
      out.writes.push(chunk)
      return true
    },
  }
  return out
}

const frames = (out: { writes: string[] }) => out.writes.filter((chunk) => chunk.includes('Gas Town ·'))

describe('the terminal board on a TTY', () => {
  it('redraws in place, at most once per interval, and always draws the last change', () => {
    const time = new ManualTime()
    const feed = manualFeed(time)
    const out = terminal(true)
    const board = startTerminalBoard({
      feed,
      out,
      clock: time.clock,
      schedule: time.schedule,
      intervalMs: 100,
      tickMs: 0,
      color: false,
    })
    expect(frames(out)).toHaveLength(1)
    const first = frames(out)[0]!
    expect(first.startsWith('\r') && !first.startsWith('\r\u001b[')).toBe(true)

    time.advance(150)
    let beads = change(todoBeads(), 2, { status: 'ready' })
    feed.update(todoState(beads))
    expect(frames(out)).toHaveLength(2)
    // Three changes inside one interval make one redraw, at its end, of the last of them.
    time.advance(10)
    beads = change(beads, 2, { status: 'in_progress', attempt: 1, startedAt: time.now })
    feed.update(todoState(beads))
    beads = change(beads, 3, { status: 'ready' })
    feed.update(todoState(beads))
    beads = change(beads, 3, { status: 'in_progress', attempt: 1, startedAt: time.now })
    feed.update(todoState(beads))
    expect(frames(out)).toHaveLength(2)
    time.advance(89)
    expect(frames(out)).toHaveLength(2)
    time.advance(1)
    expect(frames(out)).toHaveLength(3)
    const last = frames(out)[2]!
    expect(last).toContain('IN PROGRESS (2)')
    // Back up over the previous frame, rewrite each line, clear below.
    const previousLines = frames(out)[1]!.split('\n').length - 1
    expect(last.startsWith(`\r\u001b[${previousLines}A`)).toBe(true)
    expect(last.endsWith('\n\u001b[J')).toBe(true)
    expect(time.pending()).toBe(0)
    board.close()
    expect(out.text.startsWith('\u001b[?25l')).toBe(true)
    expect(out.text.endsWith('\u001b[?25h')).toBe(true)
  })

  it('redraws once a second so the clock moves, and stops ticking when the run is over', () => {
    const time = new ManualTime()
    const feed = manualFeed(time)
    const out = terminal(true)
    const board = startTerminalBoard({ feed, out, clock: time.clock, schedule: time.schedule, color: false })
    time.advance(3000)
    expect(frames(out).map((frame) => /(\d\d:\d\d) {2}0 tokens/.exec(frame)?.[1])).toEqual([
      '00:00',
      '00:01',
      '00:02',
      '00:03',
    ])
    feed.update(todoState(todoBeads(), { finished: true, outcome: 'done' }))
    time.advance(200)
    const count = frames(out).length
    time.advance(5000)
    expect(frames(out)).toHaveLength(count)
    expect(time.pending()).toBe(0)
    board.close()
  })
})

describe('the terminal board elsewhere', () => {
  it('prints only what happens after it started', () => {
    const time = new ManualTime()
    const feed = manualFeed(time, todoState([]))
    feed.update(todoState())
    const out = terminal(false)
    const board = startTerminalBoard({ feed, out })
    feed.event({ kind: 'log', text: 'after' })
    board.close()
    expect(out.text).toBe('+00:00 after · 0/4 done · 0 tokens · $0.0000\n')
  })

  it('prints one plain line per change and never an escape sequence', () => {
    const time = new ManualTime()
    const feed = manualFeed(time, todoState([]))
    const out = terminal(false)
    const board = startTerminalBoard({ feed, out, clock: time.clock, schedule: time.schedule })
    time.advance(4000)
    feed.update(todoState())
    time.advance(6000)
    const beads = change(todoBeads(), 2, {
      status: 'in_progress',
      attempt: 1,
      startedAt: T0 + 10_000,
      tokens: 1200,
      costUsd: 0.002,
    })
    feed.update(todoState(beads))
    feed.event({ kind: 'log', text: 'worker #2: ran node --test' })
    board.close()
    expect(out.text).toBe(
      [
        '+00:04 planned 4 beads: #2 model (developer), #3 api (developer), #4 tests (tester), #5 review (reviewer) · 0/4 done · 0 tokens · $0.0000',
        '+00:10 #2 model: pending → in_progress (attempt 1) · 0/4 done · 1.2k tokens · $0.0020',
        '+00:10 worker #2: ran node --test · 0/4 done · 1.2k tokens · $0.0020',
        '',
      ].join('\n'),
    )
  })
})
