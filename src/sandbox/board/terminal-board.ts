/**
 * The live terminal board. On a TTY it redraws its frame in place (at most once per `intervalMs`, the
 * last change always drawn, and once a second so the clock moves); elsewhere (a pipe, a CI log) it
 * prints one line per change after it started, and never an escape sequence.
 */
import type { BoardEvent, BoardFeed, BoardSnapshot } from './board-feed.js'
import { formatCost, formatTokens } from './board-format.js'
import { eventLine, renderTerminalFrame } from './terminal-frame.js'

/** Where the board writes: process.stdout or anything shaped like it. */
export interface TerminalOut {
  write(text: string): unknown
  isTTY?: boolean
  columns?: number
  rows?: number
  on?(event: 'resize', listener: () => void): unknown
  off?(event: 'resize', listener: () => void): unknown
}

/** Runs `fn` once after `ms`; returns the function that cancels it. */
export type Schedule = (fn: () => void, ms: number) => () => void

/** Options of `startTerminalBoard`. */
export interface TerminalBoardOptions {
  feed: BoardFeed
  out: TerminalOut
  /** Milliseconds since the epoch (monotonic enough for throttling); Date.now when absent. */
  clock?: () => number
  /** The one-shot timer; an unref'd setTimeout when absent. */
  schedule?: Schedule
  /** Least time between two redraws; 100 ms when absent. */
  intervalMs?: number
  /** Redraw for the clock this often while the run goes on; 1000 ms when absent, 0 for never. */
  tickMs?: number
  /** Colour the frame; true on a TTY unless NO_COLOR is set, when absent. */
  color?: boolean
  /** The web board's address, shown in the frame (a redraw would scroll a line printed beside it away). */
  webUrl?: string
}

/** A running terminal board. */
export interface TerminalBoard {
  /** Draws the last state once more and stops; the cursor is shown again. */
  close(): void
}

const HIDE_CURSOR = '\u001b[?25l'
const SHOW_CURSOR = '\u001b[?25h'
const CLEAR_LINE_END = '\u001b[K'
const CLEAR_BELOW = '\u001b[J'

function defaultSchedule(fn: () => void, ms: number): () => void {
  const handle = setTimeout(fn, ms)
  handle.unref()
  return () => clearTimeout(handle)
}

/** Starts drawing `options.feed` on `options.out`. */
export function startTerminalBoard(options: TerminalBoardOptions): TerminalBoard {
  const { feed, out } = options
  return out.isTTY ? startLiveBoard(options, feed, out) : startLineBoard(feed, out, options.webUrl)
}

function startLiveBoard(options: TerminalBoardOptions, feed: BoardFeed, out: TerminalOut): TerminalBoard {
  const clock = options.clock ?? Date.now
  const schedule = options.schedule ?? defaultSchedule
  const interval = options.intervalMs ?? 100
  const tick = options.tickMs ?? 1000
  const color = options.color ?? process.env['NO_COLOR'] === undefined
  let drawnLines = 0
  let lastDraw = -Infinity
  let cancelPending: (() => void) | undefined
  let cancelTick: (() => void) | undefined
  let closed = false

  const draw = (): void => {
    cancelPending?.()
    cancelPending = undefined
    lastDraw = clock()
    const snapshot = feed.snapshot()
    const frame = renderTerminalFrame(snapshot, {
      width: out.columns ?? 80,
      ...(out.rows !== undefined ? { height: out.rows } : {}),
      ...(options.webUrl !== undefined ? { webUrl: options.webUrl } : {}),
      color,
    })
    // Back to the frame's first line, rewrite each line, and clear what a taller old frame left.
    const up = drawnLines > 0 ? `\r\u001b[${drawnLines}A` : '\r'
    out.write(`${up}${frame.map((text) => `${text}${CLEAR_LINE_END}`).join('\n')}\n${CLEAR_BELOW}`)
    drawnLines = frame.length
    armTick(snapshot)
  }
  const armTick = (snapshot: BoardSnapshot): void => {
    cancelTick?.()
    cancelTick = undefined
    if (tick > 0 && !snapshot.finished && !closed) cancelTick = schedule(() => requestDraw(), tick)
  }
  const requestDraw = (): void => {
    if (closed) return
    const wait = lastDraw + interval - clock()
    if (wait <= 0) return draw()
    cancelPending ??= schedule(() => {
      cancelPending = undefined
      if (!closed) draw()
    }, wait)
  }
  const onResize = (): void => requestDraw()

  out.write(HIDE_CURSOR)
  const unsubscribe = feed.subscribe(() => requestDraw())
  out.on?.('resize', onResize)
  draw()
  return {
    close() {
      if (closed) return
      unsubscribe()
      out.off?.('resize', onResize)
      draw()
      closed = true
      cancelPending?.()
      cancelTick?.()
      out.write(SHOW_CURSOR)
    },
  }
}

function startLineBoard(feed: BoardFeed, out: TerminalOut, webUrl: string | undefined): TerminalBoard {
  // Lines are for changes from now on: whoever attached the board late has printed the past already.
  let lastId = feed.snapshot().events.at(-1)?.id ?? -1
  if (webUrl !== undefined) out.write(`web board: ${webUrl}\n`)
  const print = (snapshot: BoardSnapshot): void => {
    for (const event of snapshot.events) {
      if (event.id <= lastId) continue
      lastId = event.id
      out.write(`${plainLine(event, snapshot)}\n`)
    }
  }
  const unsubscribe = feed.subscribe(print)
  return {
    close() {
      unsubscribe()
      print(feed.snapshot())
    },
  }
}

/** One change as a log line: the event and where the run stands. */
export function plainLine(event: BoardEvent, snapshot: BoardSnapshot): string {
  const done = snapshot.beads.filter((bead) => bead.status === 'completed').length
  const totals = `${done}/${snapshot.beads.length} done · ${formatTokens(snapshot.tokens)} tokens · ${formatCost(snapshot.costUsd)}`
  return `${eventLine(event, snapshot.startedAt)} · ${totals}`
}
