/** The summary of a run: percentiles, the lower bound from observed run times, API calls per bead. */
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import type { RequestLogEntry } from '../../../src/sandbox/emulator/request-log.js'
import type { TownBead, TownRun } from '../../../src/sandbox/town-events.js'
import {
  percentile,
  summarizeTown,
  workDurations,
  type TownRecord,
} from '../../../src/sandbox/town-summary.js'

function townBead(number: number, deps: number[], extra: Partial<TownBead> = {}): TownBead {
  return {
    id: `1/b${number}`,
    number,
    title: `Bead ${number}`,
    description: '',
    role: 'developer',
    status: 'completed',
    createdAt: 0,
    updatedAt: 0,
    goal: 1,
    key: `b${number}`,
    dependencies: deps,
    attempt: 1,
    runs: 1,
    ...extra,
  }
}

const run = (
  id: number,
  bead: number,
  startedAt: number,
  endedAt: number,
  conclusion: TownRun['conclusion'] = 'success',
): TownRun => ({
  id,
  bead,
  attempt: 1,
  status: 'completed',
  conclusion,
  startedAt,
  endedAt,
  url: '',
})

const request = (actor: string, route = '/repos/{owner}/{repo}/issues', status = 200): RequestLogEntry => ({
  time: '',
  requestId: '',
  actor,
  method: 'GET',
  route,
  status,
  ms: 1,
})

function record(extra: Partial<TownRecord> = {}): TownRecord {
  return {
    repo: 'octo/todo-api',
    goal: { number: 1, title: 'Goal', url: '', state: 'closed' },
    model: { kind: 'scripted', name: 'test' },
    workers: 2,
    merge: 'auto',
    startedAt: 0,
    endedAt: 10_000,
    // 2 -> 3 and 2 -> 4: a fork.
    beads: [
      townBead(2, [], { startedAt: 1000, endedAt: 3000, tokens: 10, costUsd: 0.5 }),
      townBead(3, [2], { startedAt: 3000, endedAt: 7000, tokens: 20, costUsd: 0.25 }),
      townBead(4, [2], { startedAt: 3000, endedAt: 6000 }),
    ],
    runs: [run(1, 2, 1000, 2500), run(2, 3, 3000, 6500), run(3, 4, 3000, 5000)],
    outputOf: () => 'pr',
    requests: [request('gastown[bot]'), request('github-actions[bot]', '/x', 404), request('octo')],
    deliveries: [],
    maintainer: 'octo',
    prsMerged: 3,
    ...extra,
  }
}

describe('percentile', () => {
  it('answers one of the values, rising with the quantile', () => {
    fc.assert(
      fc.property(
        fc.array(fc.double({ min: 0, max: 1e6, noNaN: true }), { minLength: 1 }),
        fc.double({ min: 0, max: 1, noNaN: true }),
        fc.double({ min: 0, max: 1, noNaN: true }),
        (values, a, b) => {
          const [lo, hi] = a <= b ? [a, b] : [b, a]
          expect(values).toContain(percentile(values, lo))
          expect(percentile(values, lo)).toBeLessThanOrEqual(percentile(values, hi))
          expect(percentile(values, 1)).toBe(Math.max(...values))
        },
      ),
    )
  })

  it('answers 0 for no values', () => {
    expect(percentile([], 0.5)).toBe(0)
  })
})

describe('summarizeTown', () => {
  it('bounds the makespan below by the critical path of the run times and the work per worker', () => {
    const summary = summarizeTown(record())
    // Run times: 2 -> 1.5 s, 3 -> 3.5 s, 4 -> 2 s. Critical path 2 -> 3 = 5 s; work 7 s over 2 workers = 3.5 s.
    expect(summary.lowerBoundMs).toBe(5000)
    // From the first run's start (1 s) to the last bead's end (7 s).
    expect(summary.makespanMs).toBe(6000)
    expect(workDurations(record().beads, record().runs)).toEqual({ 2: 1500, 3: 3500, 4: 2000 })
  })

  it('counts API calls by route and actor, and per bead only the Mayor’s and the workers’', () => {
    const summary = summarizeTown(record())
    expect(summary.api.calls).toBe(3)
    expect(summary.api.byActor).toEqual({ 'gastown[bot]': 1, 'github-actions[bot]': 1, octo: 1 })
    expect(summary.api.perBead).toBeCloseTo(2 / 3, 1)
    expect(summary.api.byRoute).toEqual([
      { route: 'GET /repos/{owner}/{repo}/issues', count: 2, errors: 0 },
      { route: 'GET /x', count: 1, errors: 1 },
    ])
  })

  it('is ok only when every bead completed, the goal closed and nothing stopped it', () => {
    expect(summarizeTown(record()).ok).toBe(true)
    expect(summarizeTown(record({ stopped: 'interrupted' }))).toMatchObject({
      ok: false,
      stopped: 'interrupted',
    })
    expect(summarizeTown(record({ goal: { number: 1, title: 'Goal', url: '', state: 'open' } })).ok).toBe(
      false,
    )
    const failed = record().beads.map((b, i) => (i === 1 ? { ...b, status: 'failed' as const } : b))
    expect(summarizeTown(record({ beads: failed }))).toMatchObject({ ok: false, totals: { failed: 1 } })
  })

  it('totals tokens, cost, runs and failed runs', () => {
    const runs = [...record().runs, run(4, 4, 5000, 5500, 'failure')]
    expect(summarizeTown(record({ runs })).totals).toMatchObject({
      tokens: 30,
      costUsd: 0.75,
      runs: 4,
      failedRuns: 1,
      prsMerged: 3,
    })
  })
})
