import { describe, expect, it } from 'vitest'
import type { Bead } from '../../src/core/bead.js'
import { renderStallReport, stallReport, type StallInput } from '../../src/core/stall-report.js'

function bead(number: number, fields: Partial<Bead> = {}): Bead {
  return {
    id: `1/b${number}`,
    number,
    title: `Bead ${number}`,
    description: '',
    role: 'developer',
    status: 'pending',
    createdAt: 0,
    updatedAt: 0,
    goal: 1,
    key: `b${number}`,
    dependencies: [],
    attempt: 0,
    ...fields,
  }
}

const input = (beads: Bead[], extra: Partial<StallInput> = {}): StallInput => ({
  beads,
  dispatched: 0,
  timers: 0,
  landed: 0,
  waits: new Map(),
  maxWorkers: 3,
  ...extra,
})

const lines = (report: ReturnType<typeof stallReport>) =>
  report?.lines.map((l) => [l.bead, l.waitsFor, l.needsPerson])

describe('stallReport', () => {
  it('says nothing while a worker runs, a dispatch or timer is set, a PR just landed, or the goal is done', () => {
    const waiting = bead(2, { status: 'in_review', pr: 9 })
    expect(stallReport(input([bead(1, { status: 'in_progress' }), waiting]))).toBeUndefined()
    expect(stallReport(input([waiting], { dispatched: 1 }))).toBeUndefined()
    expect(stallReport(input([waiting], { timers: 1 }))).toBeUndefined()
    expect(stallReport(input([waiting], { landed: 1 }))).toBeUndefined()
    expect(
      stallReport(input([bead(1, { status: 'completed' }), bead(2, { status: 'cancelled' })])),
    ).toBeUndefined()
  })

  it('names a bead whose attempts ran out, and the retry command', () => {
    const report = stallReport(input([bead(1, { status: 'failed', needsHuman: true, error: 'tests fail' })]))
    expect(lines(report)).toEqual([[1, 'needs a person: tests fail; then `/gastown retry #1`', true]])
    expect(report!.headline).toMatch(/Nothing can move without a person: 1 bead needs one/)
  })

  it('names the failed or cancelled dependency a blocked bead waits on', () => {
    const report = stallReport(
      input([bead(1, { status: 'cancelled' }), bead(2, { status: 'blocked', dependencies: [1] })]),
    )
    expect(lines(report)).toEqual([
      [2, expect.stringMatching(/^blocked: its dependency #1 failed or was cancelled/), true],
    ])
  })

  it('follows a chain: a pending bead waits for its dependency, and says what that one waits for', () => {
    const report = stallReport(
      input([bead(1, { status: 'in_review', pr: 9 }), bead(2, { dependencies: [1] })], {
        waits: new Map([[1, 'PR #9 waits for a person to merge it (merge: manual)']]),
      }),
    )
    expect(lines(report)).toEqual([
      [1, 'PR #9 waits for a person to merge it (merge: manual)', true],
      [2, 'waits for #1 (PR #9 waits for a person to merge it (merge: manual))', false],
    ])
  })

  it('names failing checks under merge: auto', () => {
    const report = stallReport(
      input([bead(1, { status: 'in_review', pr: 9 })], {
        waits: new Map([[1, 'the checks of PR #9 failed: ci/test']]),
      }),
    )
    expect(renderStallReport(report!)).toContain('- #1 🙋: the checks of PR #9 failed: ci/test')
  })

  it('names a ready bead that no worker slot may take', () => {
    const report = stallReport(input([bead(1, { status: 'ready' })], { perRole: { developer: 0 } }))
    expect(lines(report)).toEqual([
      [1, 'ready, but `role_limits.developer` is 0, so no worker may take it', true],
    ])
  })

  it('names a PR that still conflicts after its rebase attempts as needing a person', () => {
    const report = stallReport(
      input([
        bead(1, {
          status: 'in_review',
          pr: 9,
          needsHuman: true,
          error:
            'PR #9 still conflicts with the default branch after 3 rebase attempts; conflicting paths: `README.md`',
        }),
      ]),
    )
    expect(report!.lines[0]!.waitsFor).toContain('conflicting paths: `README.md`')
  })
})
