/** The deep scenario: a chain of six beads, each dispatched only once the one before was merged. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { TownSummary } from '../../../src/sandbox/town-events.js'
import { startTown, type Town } from '../../../src/sandbox/town.js'

let town: Town
let summary: TownSummary

beforeAll(async () => {
  town = await startTown({ env: {}, scenario: 'deep', workers: 3, timeoutMs: 280_000 })
  summary = await town.finished
}, 300_000)

afterAll(async () => {
  await town?.close()
})

describe('the deep town', () => {
  it('completes the whole chain and closes the goal', () => {
    expect(summary.ok, JSON.stringify(summary.beads, null, 2)).toBe(true)
    expect(summary.beads.map((bead) => bead.key)).toEqual([
      'welcome',
      'goals',
      'beads',
      'workers',
      'reviews',
      'merging',
    ])
    expect(summary.totals).toMatchObject({ beads: 6, completed: 6, runs: 6, prsMerged: 6 })
  })

  it('starts each bead only after the one it depends on ended, however many workers are free', () => {
    for (const bead of summary.beads.slice(1)) {
      const dep = summary.beads.find((other) => other.number === bead.dependencies[0])!
      expect(Date.parse(bead.startedAt!)).toBeGreaterThanOrEqual(Date.parse(dep.endedAt!))
    }
    // A chain allows no parallelism: the lower bound is its critical path, the sum of the run times.
    const work = summary.runs!.reduce(
      (sum, run) => sum + Date.parse(run.endedAt!) - Date.parse(run.startedAt!),
      0,
    )
    expect(Math.abs(summary.lowerBoundMs - work)).toBeLessThanOrEqual(1)
    expect(summary.makespanMs).toBeGreaterThanOrEqual(summary.lowerBoundMs)
  })

  it('leaves every chapter on the default branch, each linking to the one before', async () => {
    const files = await town.emulator.git.listTree('octo/todo-api', 'main', 'docs/guide')
    expect(files.map((file) => file.path.split('/').at(-1))).toEqual([
      '01-welcome.md',
      '02-goals.md',
      '03-beads.md',
      '04-workers.md',
      '05-reviews.md',
      '06-merging.md',
    ])
    const last = await town.emulator.git.readFile('octo/todo-api', 'main', 'docs/guide/06-merging.md')
    expect(last?.toString('utf8')).toContain('[chapter 5](05-reviews.md)')
  })
})
