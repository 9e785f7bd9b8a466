/**
 * No silent stall (DESIGN.md): a goal with open beads, nothing running, nothing queued and no timer set
 * cannot move by itself. The report says, bead by bead, what each waits for, so the person reading the
 * goal knows what to do; the Mayor posts it in the goal's progress comment.
 */
import type { Bead } from './bead.js'
import { isTerminal } from './bead-status.js'

/** What the Mayor knows after a step: the beads and what is under way. */
export interface StallInput {
  beads: readonly Bead[]
  /** Dispatches made by this step. */
  dispatched: number
  /** Timers set by this step (retries after backoff, mergeability or checks to read again). */
  timers: number
  /** PRs merged or brought up to date by this step: their events bring the next step. */
  landed: number
  /** What each in-review bead's PR waits for, by bead number (merge-lane.ts). */
  waits: ReadonlyMap<number, string>
  /** Per-role limits, to explain a ready bead that no slot can take. */
  perRole?: Readonly<Record<string, number>>
  maxWorkers: number
}

/** Why a stalled goal cannot move: one line per open bead. */
export interface StallReport {
  headline: string
  lines: { bead: number; waitsFor: string; needsPerson: boolean }[]
}

/** The report when the goal is stalled, or undefined while something moves (or nothing is left). */
export function stallReport(input: StallInput): StallReport | undefined {
  const open = input.beads.filter((bead) => bead.number !== undefined && !isTerminal(bead.status))
  if (open.length === 0) return undefined
  if (input.dispatched > 0 || input.timers > 0 || input.landed > 0) return undefined
  if (open.some((bead) => bead.status === 'in_progress')) return undefined
  const byNumber = new Map(input.beads.map((bead) => [bead.number, bead]))
  const lines = open.map((bead) => explain(bead, byNumber, input))
  const people = lines.filter((line) => line.needsPerson).length
  return {
    headline:
      people > 0
        ? `⏸️ Nothing can move without a person: ${people} bead${people === 1 ? '' : 's'} need${people === 1 ? 's' : ''} one (see below).`
        : '⏸️ Nothing is running: every open bead waits for something outside the Mayor (see below).',
    lines,
  }
}

function explain(
  bead: Bead,
  byNumber: ReadonlyMap<number | undefined, Bead>,
  input: StallInput,
): StallReport['lines'][number] {
  const number = bead.number!
  const line = (waitsFor: string, needsPerson: boolean) => ({ bead: number, waitsFor, needsPerson })
  if (bead.needsHuman === true) {
    return line(
      `needs a person: ${bead.error ?? 'its attempts ran out'}; then \`/gastown retry #${number}\``,
      true,
    )
  }
  const deps = bead.dependencies.map((dep) => byNumber.get(dep))
  switch (bead.status) {
    case 'blocked': {
      const dead = bead.dependencies.filter((dep) => {
        const status = byNumber.get(dep)?.status
        return status === 'failed' || status === 'cancelled' || status === 'blocked'
      })
      return line(
        `blocked: its dependenc${dead.length === 1 ? 'y' : 'ies'} ${dead.map((d) => `#${d}`).join(', ') || '(unknown)'} failed or ${dead.length === 1 ? 'was' : 'were'} cancelled; retry ${dead.length === 1 ? 'it' : 'them'} or cancel this bead`,
        true,
      )
    }
    case 'pending': {
      const waiting = deps
        .filter((dep) => dep !== undefined && dep.status !== 'completed')
        .map((dep) => `#${dep!.number} (${describe(dep!, input)})`)
      const missing = bead.dependencies.filter((dep) => !byNumber.has(dep))
      return line(
        `waits for ${[...waiting, ...missing.map((m) => `#${m} (not a bead of this goal)`)].join(', ') || 'its dependencies'}`,
        missing.length > 0,
      )
    }
    case 'ready': {
      const limit = input.perRole?.[bead.role]
      return line(
        limit === 0
          ? `ready, but \`role_limits.${bead.role}\` is 0, so no worker may take it`
          : input.maxWorkers < 1
            ? 'ready, but `max_workers` leaves no worker slot'
            : 'ready, waiting for a worker slot',
        limit === 0 || input.maxWorkers < 1,
      )
    }
    case 'in_review':
      return line(describe(bead, input), !input.waits.get(number)?.includes('rebasing'))
    case 'failed':
      return line(`failed: ${bead.error ?? 'no reason recorded'}`, true)
    default:
      return line(bead.status, false)
  }
}

function describe(bead: Bead, input: StallInput): string {
  if (bead.needsHuman === true) return 'needs a person'
  if (bead.status === 'in_review') {
    return input.waits.get(bead.number!) ?? `PR #${bead.pr ?? '?'} is open and waits to be merged`
  }
  if (bead.rebasing === true && (bead.status === 'ready' || bead.status === 'in_progress')) {
    return 'conflicts with main — rebasing'
  }
  return bead.status.replace('_', ' ')
}

/** The report as markdown for the progress comment. */
export function renderStallReport(report: StallReport): string {
  return [
    report.headline,
    '',
    '**Why nothing moves:**',
    ...report.lines.map((line) => `- #${line.bead}${line.needsPerson ? ' 🙋' : ''}: ${line.waitsFor}`),
  ].join('\n')
}
