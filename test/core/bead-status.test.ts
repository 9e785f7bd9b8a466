import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { BEAD_STATUSES, type BeadStatus } from '../../src/core/bead.js'
import {
  IllegalTransitionError,
  TRANSITIONS,
  canTransition,
  isTerminal,
  transition,
} from '../../src/core/bead-status.js'
import { makeBead } from './bead-fixtures.js'

/** The table written out by hand, so a change to the code's table must be made twice on purpose. */
const LEGAL: ReadonlyArray<[BeadStatus, BeadStatus]> = [
  ['pending', 'ready'],
  ['pending', 'blocked'],
  ['pending', 'cancelled'],
  ['ready', 'in_progress'],
  ['ready', 'completed'],
  ['ready', 'pending'],
  ['ready', 'blocked'],
  ['ready', 'cancelled'],
  ['in_progress', 'in_review'],
  ['in_progress', 'completed'],
  ['in_progress', 'failed'],
  ['in_progress', 'ready'],
  ['in_progress', 'pending'],
  ['in_progress', 'cancelled'],
  ['in_review', 'completed'],
  ['in_review', 'failed'],
  ['in_review', 'ready'],
  ['in_review', 'in_progress'],
  ['in_review', 'cancelled'],
  ['failed', 'ready'],
  ['failed', 'completed'],
  ['failed', 'cancelled'],
  ['blocked', 'pending'],
  ['blocked', 'ready'],
  ['blocked', 'cancelled'],
]
const isLegal = (from: BeadStatus, to: BeadStatus) => LEGAL.some(([f, t]) => f === from && t === to)
const ALL_PAIRS = BEAD_STATUSES.flatMap((from) => BEAD_STATUSES.map((to) => [from, to] as const))
const ILLEGAL = ALL_PAIRS.filter(([from, to]) => !isLegal(from, to))
const NOW = 1_800_000_000_000

describe('transition table', () => {
  it('allows exactly the designed moves', () => {
    const fromCode = BEAD_STATUSES.flatMap((from) => TRANSITIONS[from].map((to) => [from, to]))
    expect(new Set(fromCode.map((p) => p.join('>')))).toEqual(new Set(LEGAL.map((p) => p.join('>'))))
    expect(ILLEGAL.length + LEGAL.length).toBe(64)
  })

  it('treats completed and cancelled as the only terminal statuses', () => {
    expect(BEAD_STATUSES.filter(isTerminal)).toEqual(['completed', 'cancelled'])
  })

  it.each(LEGAL)('moves a bead from %s to %s', (from, to) => {
    const bead = makeBead({ status: from, updatedAt: 1 })
    expect(canTransition(from, to)).toBe(true)
    const next = transition(bead, to, { now: NOW, reason: 'because' })
    expect(next.status).toBe(to)
    expect(next.updatedAt).toBe(NOW)
    expect(bead.status).toBe(from)
    expect(bead.updatedAt).toBe(1)
  })

  it.each(ILLEGAL)('refuses to move a bead from %s to %s', (from, to) => {
    const bead = makeBead({ status: from })
    expect(canTransition(from, to)).toBe(false)
    let thrown: unknown
    try {
      transition(bead, to, { now: NOW })
    } catch (error) {
      thrown = error
    }
    expect(thrown).toBeInstanceOf(IllegalTransitionError)
    const error = thrown as IllegalTransitionError
    expect(error.from).toBe(from)
    expect(error.to).toBe(to)
    expect(error.bead).toBe('#12 (10/api)')
    expect(error.allowed).toEqual(TRANSITIONS[from])
    expect(error.message).toContain(`Bead #12 (10/api) cannot move from ${from} to ${to}`)
    if (isTerminal(from)) expect(error.message).toContain(`${from} is terminal`)
    else expect(error.message).toContain(TRANSITIONS[from].join(', '))
  })
})

describe('transition effects', () => {
  it('records the reason as the error when a bead fails', () => {
    const next = transition(makeBead({ status: 'in_progress' }), 'failed', {
      now: NOW,
      reason: 'tests failed',
    })
    expect(next.error).toBe('tests failed')
  })

  it('records a placeholder error when a bead fails without a reason', () => {
    const next = transition(makeBead({ status: 'in_progress' }), 'failed', { now: NOW })
    expect(next.error).toMatch(/without a recorded reason/)
  })

  it('assigns the run on dispatch and clears it when the bead waits again', () => {
    const running = transition(makeBead({ status: 'ready' }), 'in_progress', {
      now: NOW,
      assignedTo: 'run-7',
    })
    expect(running.assignedTo).toBe('run-7')
    const redispatch = transition(running, 'ready', { now: NOW + 1, attempt: 2 })
    expect(redispatch).not.toHaveProperty('assignedTo')
    expect(redispatch.attempt).toBe(2)
  })

  it('clears needs-human when a failed bead is retried', () => {
    const failed = makeBead({ status: 'failed', needsHuman: true, error: 'boom' })
    const retried = transition(failed, 'ready', { now: NOW, attempt: 4 })
    expect(retried).not.toHaveProperty('needsHuman')
    expect(retried.attempt).toBe(4)
    expect(retried.error).toBe('boom')
  })

  it('sets the pull request and result it is given', () => {
    const next = transition(makeBead({ status: 'in_progress' }), 'in_review', {
      now: NOW,
      pr: 40,
      result: 'done',
    })
    expect(next.pr).toBe(40)
    expect(next.result).toBe('done')
  })

  it('refuses a clock reading that is not a number', () => {
    expect(() => transition(makeBead(), 'in_progress', { now: Number.NaN })).toThrow(/finite/)
  })

  it('names a bead without an issue number by its id', () => {
    const bead = makeBead({ status: 'completed' })
    delete bead.number
    expect(() => transition(bead, 'ready', { now: NOW })).toThrow('Bead 10/api cannot move from completed')
  })
})

/** Statuses reachable from `start` by following the hand-written table. */
function reachableFrom(start: BeadStatus): Set<BeadStatus> {
  const seen = new Set<BeadStatus>([start])
  const queue = [start]
  while (queue.length > 0) {
    const from = queue.shift()!
    for (const [f, to] of LEGAL) {
      if (f === from && !seen.has(to)) {
        seen.add(to)
        queue.push(to)
      }
    }
  }
  return seen
}

describe('transition sequences', () => {
  it('only ever yields statuses the table reaches, whatever is attempted', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...BEAD_STATUSES),
        fc.array(fc.constantFrom(...BEAD_STATUSES), { maxLength: 40 }),
        (start, attempts) => {
          const reachable = reachableFrom(start)
          let bead = makeBead({ status: start })
          let now = NOW
          for (const to of attempts) {
            const before = bead.status
            try {
              bead = transition(bead, to, { now: ++now })
              expect(isLegal(before, to)).toBe(true)
            } catch (error) {
              expect(error).toBeInstanceOf(IllegalTransitionError)
              expect(isLegal(before, to)).toBe(false)
              expect(bead.status).toBe(before)
            }
            expect(reachable.has(bead.status)).toBe(true)
          }
        },
      ),
    )
  })

  it('never leaves a terminal status', () => {
    fc.assert(
      fc.property(fc.array(fc.constantFrom(...BEAD_STATUSES), { maxLength: 30 }), (attempts) => {
        let bead = makeBead({ status: 'pending' })
        let terminal: BeadStatus | undefined
        for (const to of attempts) {
          try {
            bead = transition(bead, to, { now: NOW })
          } catch {
            // refused moves leave the bead as it was
          }
          if (terminal !== undefined) expect(bead.status).toBe(terminal)
          else if (isTerminal(bead.status)) terminal = bead.status
        }
      }),
    )
  })
})
