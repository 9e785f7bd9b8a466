import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { BEAD_STATUSES } from '../../../src/core/bead.js'
import type { BoardSnapshot } from '../../../src/sandbox/board/board-feed.js'
import { displayWidth } from '../../../src/sandbox/board/board-format.js'
import { renderTerminalFrame } from '../../../src/sandbox/board/terminal-frame.js'
import { ManualTime, T0, change, manualFeed, todoBeads, todoState } from './board-fixture.js'

/** The todo goal two and a half minutes in: one bead done, one in review, one running, one waiting. */
function midRun(): BoardSnapshot {
  const time = new ManualTime()
  const feed = manualFeed(time)
  time.advance(10_000)
  let beads = change(todoBeads(), 2, { status: 'in_progress', attempt: 1, startedAt: T0 + 10_000 })
  feed.update(todoState(beads))
  time.advance(50_000)
  beads = change(beads, 2, {
    status: 'completed',
    pr: 6,
    endedAt: T0 + 60_000,
    tokens: 6530,
    costUsd: 0.00752,
  })
  beads = change(beads, 3, { status: 'in_progress', attempt: 1, startedAt: T0 + 62_000 })
  feed.update(
    todoState(beads, {
      workers: [{ bead: 3, key: 'api', role: 'developer', attempt: 1, runId: 41, startedAt: T0 + 62_000 }],
    }),
  )
  time.advance(90_000)
  beads = change(beads, 3, { tokens: 2100, costUsd: 0.0031 })
  feed.update(
    todoState(beads, {
      workers: [{ bead: 3, key: 'api', role: 'developer', attempt: 1, runId: 41, startedAt: T0 + 62_000 }],
    }),
  )
  return feed.snapshot()
}

describe('renderTerminalFrame', () => {
  it('draws the beads by status with the workers, events, time, tokens and cost', async () => {
    const frame = renderTerminalFrame(midRun(), { width: 100 })
    await expect(frame.join('\n') + '\n').toMatchFileSnapshot('./__snapshots__/frame-mid-run.txt')
    expect(frame.every((line) => [...line].length <= 100)).toBe(true)
  })

  it('shows the finished banner and the stopped clock at the end', async () => {
    const time = new ManualTime()
    const feed = manualFeed(time)
    time.advance(200_000)
    const beads = todoBeads().map((b, i) => ({
      ...b,
      status: 'completed' as const,
      attempt: 1,
      startedAt: T0 + i * 30_000,
      endedAt: T0 + i * 30_000 + 40_000,
      tokens: 1000 * (i + 1),
      costUsd: 0.001 * (i + 1),
    }))
    feed.update(todoState(beads, { finished: true, outcome: 'goal #1 closed: 4 of 4 beads completed' }))
    time.advance(5_000)
    const frame = renderTerminalFrame(feed.snapshot(), { width: 80 })
    await expect(frame.join('\n') + '\n').toMatchFileSnapshot('./__snapshots__/frame-finished.txt')
    expect(frame.at(-1)).toBe(' FINISHED in 03:20: goal #1 closed: 4 of 4 beads completed ')
  })

  it('shows the web board address under the progress bar when there is one', () => {
    const frame = renderTerminalFrame(midRun(), { width: 100, webUrl: 'http://127.0.0.1:4321/' })
    expect(frame[2]).toBe('Web board: http://127.0.0.1:4321/')
    expect(renderTerminalFrame(midRun(), { width: 100 }).some((line) => line.includes('Web board'))).toBe(
      false,
    )
  })

  it('cuts every line to a narrow terminal', () => {
    const frame = renderTerminalFrame(midRun(), { width: 40 })
    expect(frame.every((line) => [...line].length <= 40)).toBe(true)
    expect(frame[0]).toMatch(/… {2}02:30 {2}8\.6k tokens {2}\$0\.0106$/)
  })

  it('strips escape sequences and line breaks that an issue title could carry', () => {
    const time = new ManualTime()
    const evil = change(todoBeads(), 2, {
      title: 'Evil\u001b[2J\u001b]0;pwned\u0007 title\nsecond line',
      key: 'm\u001b[31model',
    })
    const frame = renderTerminalFrame(manualFeed(time, todoState(evil)).snapshot(), { width: 120 })
    const text = frame.join('\n')
    expect(text.includes('\u001b') || text.includes('\u0007')).toBe(false)
    expect(text).toContain('#2 model')
    expect(text).toContain('Evil]0;pwned title second line')
  })

  it('colours whole lines only when asked', () => {
    const plain = renderTerminalFrame(midRun(), { width: 100 })
    const coloured = renderTerminalFrame(midRun(), { width: 100, color: true })
    expect(plain.join('')).not.toContain('\u001b[')
    expect(coloured.find((line) => line.includes('IN PROGRESS'))).toBe('\u001b[1;33mIN PROGRESS (1)\u001b[0m')
    // eslint-disable-next-line no-control-regex
    expect(coloured.map((line) => line.replace(/\u001b\[[0-9;]*m/g, ''))).toEqual(plain)
  })

  it('stays within a short terminal, shrinking finished groups first, so the redraw reaches its top', () => {
    const time = new ManualTime()
    const beads = Array.from({ length: 30 }, (_, i) => ({
      ...todoBeads()[0]!,
      number: i + 2,
      key: `part-${i}`,
      status: i < 24 ? ('completed' as const) : ('pending' as const),
    }))
    const feed = manualFeed(time, todoState([]))
    feed.update(todoState(beads))
    const tall = renderTerminalFrame(feed.snapshot(), { width: 100 })
    const short = renderTerminalFrame(feed.snapshot(), { width: 100, height: 20 })
    expect(tall.length).toBeGreaterThan(20)
    expect(short.length).toBeLessThanOrEqual(19)
    expect(short).toContain('COMPLETED (24)')
    expect(short.some((line) => line.startsWith('  #2 part-0, #3 part-1'))).toBe(true)
    // The six pending beads keep their rows; the 24 completed ones share one line.
    expect(short.filter((line) => /^ {2}#\d+ +part-\d+ +developer/.test(line))).toHaveLength(6)
  })

  it('keeps every line within the width and the frame within the height, whatever the beads say', () => {
    const text = fc.string({ unit: 'grapheme', maxLength: 30 })
    const beads = fc.uniqueArray(
      fc.record({
        number: fc.integer({ min: 1, max: 500 }),
        key: text,
        title: text,
        role: text,
        status: fc.constantFrom(...BEAD_STATUSES),
        tokens: fc.nat(5_000_000),
      }),
      { selector: (b) => b.number, maxLength: 25 },
    )
    fc.assert(
      fc.property(
        beads,
        fc.integer({ min: 20, max: 160 }),
        fc.integer({ min: 8, max: 60 }),
        (list, width, height) => {
          const time = new ManualTime()
          const feed = manualFeed(time, todoState([]))
          feed.update(todoState(list.map((b) => ({ ...todoBeads()[0]!, ...b }))))
          const frame = renderTerminalFrame(feed.snapshot(), { width, height })
          expect(frame.length).toBeLessThan(height)
          for (const line of frame) {
            expect(displayWidth(line)).toBeLessThanOrEqual(width)
            expect(line).not.toContain('\u001b')
            expect(line).not.toContain('\n')
          }
        },
      ),
      { numRuns: 60 },
    )
  })
})
