/**
 * Dispatch on a merge's own facts (issue 17): a worker PR's merge dispatches the beads it unblocks from
 * what the Mayor last knew, before the step that follows reads the goal; that step bears the dispatch
 * out by writing the attempt, or, when what the Mayor knew was wrong, leaves it unwritten.
 */
import { afterEach, describe, expect, it } from 'vitest'
import type { RequestLogEntry } from '../../src/sandbox/emulator/request-log.js'
import {
  isMayorRequest,
  openGoal,
  planJson,
  playWorkerPr,
  SLOW_WORKFLOW,
  startMayorTown,
  type MayorTown,
} from './mayor-fixture.js'

let town: MayorTown | undefined

afterEach(async () => {
  await town?.close()
  town = undefined
})

/** One bead, then two that wait on it, then one that waits on those two. */
const FAN = planJson([
  { key: 'api', role: 'developer' },
  { key: 'tests', role: 'tester', deps: ['api'] },
  { key: 'docs', role: 'developer', deps: ['api'] },
  { key: 'release', role: 'developer', deps: ['tests', 'docs'] },
])

/** The Mayor's requests after the `from`th entry of the log, as `METHOD route`, in the order they came in. */
function mayorRoutesAfter(t: MayorTown, from: number): string[] {
  const arrived = (entry: RequestLogEntry) => Date.parse(entry.time) - entry.ms
  return t.emulator
    .requests()
    .slice(from)
    .filter(isMayorRequest)
    .sort((a, b) => arrived(a) - arrived(b))
    .map((entry) => `${entry.method} ${entry.route}`)
}

/** Runs in the town, by bead, with their attempts. */
function runsOf(t: MayorTown): { id: number; bead: number; attempt: number }[] {
  return t.emulator.runner
    .list('alice/town')
    .map((run) => ({ id: run.id, bead: Number(run.inputs['bead']), attempt: Number(run.inputs['attempt']) }))
}

describe('dispatch on a merge', () => {
  it("dispatches the merge's dependents before the step reads the goal, and the step writes those dispatches", async () => {
    town = await startMayorTown({ config: 'merge: manual\n', plans: [FAN], workflow: SLOW_WORKFLOW })
    await openGoal(town)
    await town.settle()
    const [api, tests, docs, release] = await town.beads()
    const pr = await playWorkerPr(town, api!, { 'src/api.js': 'export const api = 1\n' })
    await town.emulator.settled()
    await town.mayor.idle()
    const logged = town.emulator.requests().length

    await town.as('alice').rest.pulls.merge({ owner: 'alice', repo: 'town', pull_number: pr })
    await town.emulator.settled()
    await town.mayor.idle()

    const routes = mayorRoutesAfter(town, logged)
    const dispatch = 'POST /repos/{owner}/{repo}/actions/workflows/{workflow_id}/dispatches'
    // Both dependents went out first, on the merge's word; then the step read the goal and wrote.
    expect(routes.slice(0, 2)).toEqual([dispatch, dispatch])
    expect(routes.filter((route) => route === dispatch)).toHaveLength(2)
    expect(routes).toContain('POST /graphql')
    const runs = runsOf(town).filter((run) => run.bead !== api!.number)
    expect(runs.map((run) => [run.bead, run.attempt]).sort()).toEqual(
      [
        [tests!.number, 1],
        [docs!.number, 1],
      ].sort(),
    )
    const after = await town.beads()
    const byNumber = new Map(after.map((bead) => [bead.number, bead]))
    expect(byNumber.get(api!.number)!.status).toBe('completed')
    for (const run of runs) {
      // The step bore each out: the bead shows the attempt and the run the merge made, nothing else.
      expect(byNumber.get(run.bead)).toMatchObject({
        status: 'in_progress',
        attempt: 1,
        assignedTo: String(run.id),
      })
    }
    expect(byNumber.get(release!.number)!.status).toBe('pending')
    await town.settle()
  })

  it('dispatches no more than max_workers allows, and the step sends no second run for a bead the merge dispatched', async () => {
    town = await startMayorTown({
      config: 'merge: manual\nmax_workers: 1\n',
      plans: [FAN],
      workflow: SLOW_WORKFLOW,
    })
    await openGoal(town)
    await town.settle()
    const [api] = await town.beads()
    const pr = await playWorkerPr(town, api!, { 'src/api.js': 'export const api = 1\n' })
    await town.emulator.settled()
    await town.mayor.idle()
    await town.as('alice').rest.pulls.merge({ owner: 'alice', repo: 'town', pull_number: pr })
    await town.emulator.settled()
    await town.mayor.idle()
    const running = (await town.beads()).filter((bead) => bead.status === 'in_progress')
    expect(running).toHaveLength(1)
    // Two dependents, one slot: one dispatched, once, by the merge; the step wrote it and sent nothing.
    const runs = runsOf(town).filter((run) => run.bead !== api!.number)
    expect(runs).toEqual([{ id: expect.any(Number), bead: running[0]!.number, attempt: 1 }])
    expect(running[0]!.assignedTo).toBe(String(runs[0]!.id))
    await town.settle()
  })

  it('leaves unwritten a dispatch that what the Mayor knew got wrong, so its worker finds an earlier attempt', async () => {
    town = await startMayorTown({ config: 'merge: manual\n', plans: [FAN], workflow: SLOW_WORKFLOW })
    await openGoal(town)
    await town.settle()
    const [api, tests, docs] = await town.beads()
    const pr = await playWorkerPr(town, api!, { 'src/api.js': 'export const api = 1\n' })
    await town.emulator.settled()
    await town.mayor.idle()
    // A person closes the tests bead, and the Mayor never hears of it: it still knows the bead as pending.
    town.emulator.faults.add({ kind: 'drop-delivery', event: 'issues.closed', times: 1 })
    await town
      .as('alice')
      .rest.issues.update({ owner: 'alice', repo: 'town', issue_number: tests!.number!, state: 'closed' })
    await town.emulator.settled()
    await town.mayor.idle()

    await town.as('alice').rest.pulls.merge({ owner: 'alice', repo: 'town', pull_number: pr })
    await town.emulator.settled()
    await town.mayor.idle()

    // The merge dispatched both dependents; the step, reading GitHub, cancelled the closed one instead.
    const early = runsOf(town).find((run) => run.bead === tests!.number)
    expect(early?.attempt).toBe(1)
    const byNumber = new Map((await town.beads()).map((bead) => [bead.number, bead]))
    expect(byNumber.get(tests!.number)).toMatchObject({ status: 'cancelled', attempt: 0 })
    expect(byNumber.get(tests!.number)!.assignedTo).toBeUndefined()
    expect(byNumber.get(docs!.number)).toMatchObject({ status: 'in_progress', attempt: 1 })
    await town.settle()
  })
})
