/**
 * The terminal board's frame: a pure function from a snapshot and the terminal's size to lines of text.
 * Beads are grouped by status (the active ones first), then the busy workers, the recent events, and a
 * banner once the run is over. Colour is ANSI SGR around whole lines, added after cutting to width.
 */
import type { BeadStatus } from '../../core/bead.js'
import type { BoardBead, BoardEvent, BoardSnapshot } from './board-feed.js'
import {
  column,
  displayWidth,
  fit,
  formatClock,
  formatCost,
  formatDuration,
  formatTokens,
  safeText,
} from './board-format.js'

/** How to draw a frame. */
export interface FrameOptions {
  /** Columns of the terminal. */
  width: number
  /** Rows of the terminal; the frame stays shorter so an in-place redraw can reach its top. */
  height?: number
  /** Whether to colour with ANSI SGR codes. */
  color?: boolean
  /** How many recent events to show; 6 when absent. */
  events?: number
  /** The web board's address, shown under the progress bar so people can open it. */
  webUrl?: string
}

/** The order of the status groups on the board: what moves now, then what waits, then what is over. */
export const STATUS_ORDER: readonly BeadStatus[] = [
  'in_progress',
  'in_review',
  'ready',
  'pending',
  'blocked',
  'failed',
  'completed',
  'cancelled',
]

const SGR: Record<BeadStatus | 'title' | 'dim' | 'done', string> = {
  in_progress: '1;33',
  in_review: '1;35',
  ready: '1;36',
  pending: '37',
  blocked: '1;31',
  failed: '1;31',
  completed: '1;32',
  cancelled: '2',
  title: '1',
  dim: '2',
  done: '1;30;42',
}

type Tone = keyof typeof SGR

/** Draws one frame. */
export function renderTerminalFrame(snapshot: BoardSnapshot, options: FrameOptions): string[] {
  const width = Math.max(20, options.width)
  const paint = (text: string, tone: Tone): string =>
    options.color ? `\u001b[${SGR[tone]}m${text}\u001b[0m` : text
  const line = (text: string, tone?: Tone): string => {
    const cut = fit(text, width)
    return tone ? paint(cut, tone) : cut
  }

  const header = headerParts(snapshot)
  const lines: string[] = [
    line(spread(header.left, header.right, width), 'title'),
    line(progressLine(snapshot, width)),
  ]
  if (options.webUrl) lines.push(line(`Web board: ${options.webUrl}`, 'dim'))

  const groups = STATUS_ORDER.map((status) => ({
    status,
    beads: snapshot.beads.filter((bead) => bead.status === status).sort((a, b) => a.number - b.number),
  })).filter((group) => group.beads.length > 0)
  const cols = columnsFor(snapshot.beads)
  const groupLines = groups.map((group) => ({
    status: group.status,
    head: line(`${group.status.replace('_', ' ').toUpperCase()} (${group.beads.length})`, group.status),
    rows: group.beads.map((bead) => line(beadRow(bead, snapshot.now, cols))),
    compact: line(`  ${group.beads.map((bead) => `#${bead.number} ${safeText(bead.key)}`).join(', ')}`),
  }))
  if (snapshot.beads.length === 0)
    lines.push('', line(snapshot.goal ? 'Waiting for the plan…' : 'Waiting for a goal…', 'dim'))

  const workerLines = [line(workersLine(snapshot), 'dim')]
  const eventLines = snapshot.events
    .slice(-(options.events ?? 6))
    .map((event) => line(`  ${eventLine(event, snapshot.startedAt)}`))
  const banner = snapshot.finished
    ? [
        line(
          ` FINISHED in ${formatClock(snapshot.elapsedMs)}: ${safeText(snapshot.outcome ?? 'the run is over')} `,
          'done',
        ),
      ]
    : []

  // When the frame is taller than the terminal, finished groups shrink to one line, then events go.
  const budget = options.height === undefined ? Infinity : Math.max(4, options.height - 1)
  const assemble = (compactDone: boolean, events: string[]): string[] => {
    const body: string[] = []
    for (const group of groupLines) {
      body.push(group.head)
      const shrink = compactDone && (group.status === 'completed' || group.status === 'cancelled')
      body.push(...(shrink ? [group.compact] : group.rows))
    }
    const recent = events.length > 0 ? [line('Recent', 'dim'), ...events] : []
    return [...lines, ...(body.length > 0 ? ['', ...body] : []), '', ...workerLines, ...recent, ...banner]
  }
  let frame = assemble(false, eventLines)
  if (frame.length > budget) frame = assemble(true, eventLines)
  for (let keep = eventLines.length - 1; frame.length > budget && keep >= 0; keep--) {
    frame = assemble(true, eventLines.slice(eventLines.length - keep))
  }
  if (frame.length > budget) {
    const hidden = frame.length - budget + 1
    frame = [...frame.slice(0, budget - 1 - banner.length), line(`… ${hidden} more lines`, 'dim'), ...banner]
  }
  return frame
}

function headerParts(snapshot: BoardSnapshot): { left: string; right: string } {
  const goal = snapshot.goal ? ` · goal #${snapshot.goal.number} ${safeText(snapshot.goal.title)}` : ''
  const left = `Gas Town · ${safeText(snapshot.repo)}${goal}`
  const right = `${formatClock(snapshot.elapsedMs)}  ${formatTokens(snapshot.tokens)} tokens  ${formatCost(snapshot.costUsd)}`
  return { left, right }
}

// Left text, then right text flush to the edge; the left side gives way when both do not fit.
function spread(left: string, right: string, width: number): string {
  const room = width - displayWidth(right) - 2
  if (room < 8) return fit(`${left}  ${right}`, width)
  const head = fit(left, room)
  return head + ' '.repeat(width - displayWidth(head) - displayWidth(right)) + right
}

function progressLine(snapshot: BoardSnapshot, width: number): string {
  const total = snapshot.beads.length
  const done = snapshot.beads.filter((bead) => bead.status === 'completed').length
  const counts = STATUS_ORDER.filter((status) => status !== 'completed')
    .map((status) => [status, snapshot.beads.filter((bead) => bead.status === status).length] as const)
    .filter(([, count]) => count > 0)
    .map(([status, count]) => `${count} ${status.replace('_', ' ')}`)
  const summary = [`${done}/${total} completed`, ...counts].join(' · ')
  const barWidth = Math.max(10, Math.min(30, width - summary.length - 4))
  const filled = total === 0 ? 0 : Math.round((done / total) * barWidth)
  return `[${'█'.repeat(filled)}${'░'.repeat(barWidth - filled)}] ${summary}`
}

interface Columns {
  number: number
  key: number
  role: number
}

function columnsFor(beads: readonly BoardBead[]): Columns {
  const widest = (values: string[], cap: number): number =>
    Math.min(cap, Math.max(0, ...values.map((v) => displayWidth(v))))
  return {
    number: widest(
      beads.map((bead) => `#${bead.number}`),
      6,
    ),
    key: widest(
      beads.map((bead) => safeText(bead.key)),
      18,
    ),
    role: widest(
      beads.map((bead) => safeText(bead.role)),
      11,
    ),
  }
}

function beadRow(bead: BoardBead, now: number, cols: Columns): string {
  const time = bead.startedAt === undefined ? '' : formatDuration((bead.endedAt ?? now) - bead.startedAt)
  const parts = [
    `  ${column(`#${bead.number}`, cols.number)}`,
    column(safeText(bead.key), cols.key),
    column(safeText(bead.role), cols.role),
    column(bead.attempt > 0 ? `try ${bead.attempt}` : '', 5),
    column(bead.pr !== undefined ? `PR #${bead.pr}` : '', 7),
    column(time, 6),
    column(bead.tokens > 0 ? `${formatTokens(bead.tokens)} tok` : '', 10),
    column(
      bead.detail ?? (bead.needsHuman ? 'needs human' : ''),
      bead.detail ? bead.detail.length : bead.needsHuman ? 11 : 0,
    ),
    safeText(bead.title),
  ]
  return parts
    .filter((part) => part !== '')
    .join(' ')
    .trimEnd()
}

function workersLine(snapshot: BoardSnapshot): string {
  if (snapshot.workers.length === 0) return 'Workers: none busy'
  const busy = [...snapshot.workers]
    .sort((a, b) => a.bead - b.bead)
    .map((worker) => {
      const run = worker.runId !== undefined ? ` run ${worker.runId}` : ''
      const time = worker.startedAt === undefined ? '' : ` ${formatDuration(snapshot.now - worker.startedAt)}`
      return `#${worker.bead} ${safeText(worker.key)} (${safeText(worker.role)}${run}${time})`
    })
  return `Workers: ${snapshot.workers.length} busy · ${busy.join(' · ')}`
}

/** One event as a line: its time since the start, then what happened. */
export function eventLine(event: BoardEvent, startedAt: number): string {
  return `+${formatClock(event.at - startedAt)} ${safeText(event.text)}`
}
