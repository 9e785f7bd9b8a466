/**
 * The Mayor's requests, counted from the emulator's request log: labels made sure of once per repository,
 * no list of the goal's comments and no read of a dispatched run on a step an event started (a sweep
 * reads them afresh), conditional
 * GETs answered 304, and dispatch paced, never failed, when GitHub's budget runs low.
 */
import { setTimeout } from 'node:timers/promises'
import { afterEach, describe, expect, it } from 'vitest'
import type { RequestLogEntry } from '../../src/sandbox/emulator/request-log.js'
import {
  CHAIN,
  isMayorRequest,
  openGoal,
  planJson,
  playWorkerPr,
  progressComment,
  SLOW_WORKFLOW,
  startMayorTown,
  type MayorTown,
} from './mayor-fixture.js'

let town: MayorTown | undefined

afterEach(async () => {
  await town?.close()
  town = undefined
})

const PLAN = planJson([
  { key: 'schema', role: 'architect' },
  { key: 'api', role: 'developer', deps: ['schema'] },
])

/** The Mayor's requests so far: its app and installation tokens act as its bot. */
function mayorRequests(t: MayorTown, method: string, route: string): RequestLogEntry[] {
  return t.emulator.requests().filter((r) => isMayorRequest(r) && r.method === method && r.route === route)
}

describe("the Mayor's request economy", () => {
  it('makes sure of labels once per repository, only for the roles its plans use, and creates each bead under its goal in one request', async () => {
    town = await startMayorTown({ plans: [PLAN, PLAN] })
    await openGoal(town, 'First goal')
    await town.settle()
    const created = mayorRequests(town, 'POST', '/repos/{owner}/{repo}/labels')
    // gastown:bead, gastown:needs-human, two roles and eight statuses; the goal label came with the goal.
    expect(created).toHaveLength(12)
    await openGoal(town, 'Second goal')
    await town.settle()
    expect(mayorRequests(town, 'GET', '/repos/{owner}/{repo}/labels')).toHaveLength(1)
    expect(mayorRequests(town, 'POST', '/repos/{owner}/{repo}/labels')).toHaveLength(12)
    const { data: labels } = await town
      .as('alice')
      .rest.issues.listLabelsForRepo({ owner: 'alice', repo: 'town' })
    expect(labels.map((l) => l.name)).not.toContain('gastown:role/tester')
    expect((await town.beads()).map((b) => b.status)).toEqual([
      'in_progress',
      'pending',
      'in_progress',
      'pending',
    ])
    // Each bead came with its labels and its place under the goal in one GraphQL createIssue: no REST
    // create, no link request, and (no bead of the plan having been made) no list of sub-issues.
    const mutations = mayorRequests(town, 'POST', '/graphql').filter((r) => r.mutation)
    expect(mutations).toHaveLength(4)
    expect(mayorRequests(town, 'POST', '/repos/{owner}/{repo}/issues')).toHaveLength(0)
    expect(
      mayorRequests(town, 'POST', '/repos/{owner}/{repo}/issues/{issue_number}/sub_issues'),
    ).toHaveLength(0)
    const alice = town.as('alice')
    for (const beads of [
      [2, 3],
      [5, 6],
    ]) {
      const { data: children } = await alice.request(
        'GET /repos/{owner}/{repo}/issues/{issue_number}/sub_issues',
        { owner: 'alice', repo: 'town', issue_number: beads[0]! - 1 },
      )
      expect(children.map((child) => child.number)).toEqual(beads)
      expect(
        children.every((child) =>
          child.labels.some((l) => typeof l !== 'string' && l.name === 'gastown:bead'),
        ),
      ).toBe(true)
    }
  })

  it("creates beads by REST once GitHub's createIssue has said it takes no parentIssueId, without asking again", async () => {
    town = await startMayorTown({ plans: [PLAN] })
    // An older GitHub Enterprise Server refuses the argument itself, in graphql-ruby's words.
    town.emulator.faults.add({
      kind: 'graphql-error',
      route: 'POST /graphql:createIssue',
      message: "InputObject 'CreateIssueInput' doesn't accept argument 'parentIssueId'",
      times: 1,
    })
    await openGoal(town)
    await town.settle()
    expect(town.emulator.faults.injected().map((fault) => fault.kind)).toEqual(['graphql-error'])
    expect(mayorRequests(town, 'POST', '/graphql').filter((r) => r.mutation)).toHaveLength(1)
    expect(mayorRequests(town, 'POST', '/repos/{owner}/{repo}/issues')).toHaveLength(2)
    expect(
      mayorRequests(town, 'POST', '/repos/{owner}/{repo}/issues/{issue_number}/sub_issues'),
    ).toHaveLength(2)
    expect((await town.beads()).map((b) => b.key)).toEqual(['schema', 'api'])
  })

  it('lists no comment on a step an event started, lists afresh on a sweep, and reads a repeated list conditionally', async () => {
    town = await startMayorTown({ plans: [PLAN] })
    const goal = await openGoal(town)
    await town.settle()
    const comments = '/repos/{owner}/{repo}/issues/{issue_number}/comments'
    const listed = mayorRequests(town, 'GET', comments).length

    // A person edits the goal: the Mayor advances it from what it remembers of its own comments.
    await town
      .as('alice')
      .rest.issues.update({ owner: 'alice', repo: 'town', issue_number: goal, body: 'Edited.' })
    await town.settle()
    expect(mayorRequests(town, 'GET', comments)).toHaveLength(listed)

    await town.mayor.reconcile()
    await town.settle()
    expect(mayorRequests(town, 'GET', comments).length).toBeGreaterThan(listed)
    // A second sweep lists the same comments again: GitHub answers 304, which costs no request of the
    // hourly budget, and the Mayor uses the answer it kept.
    const before = town.emulator.requests().length
    await town.mayor.reconcile()
    await town.settle()
    const since = town.emulator.requests().slice(before)
    expect(since.filter((r) => r.status === 304 && r.route === comments).length).toBeGreaterThan(0)
    expect(town.emulator.violations()).toEqual([])
  })

  it('reads no worker run it dispatched on a step an event started, and reads it afresh on a sweep', async () => {
    town = await startMayorTown({
      plans: [PLAN],
      workflow: SLOW_WORKFLOW,
    })
    const goal = await openGoal(town)
    const runs = '/repos/{owner}/{repo}/actions/runs/{run_id}'
    const list = () => town!.emulator.runner.list('alice/town')
    while (!list().some((run) => run.status === 'in_progress')) await setTimeout(20)
    // A person's edit starts a step while the worker runs: the dispatch's answer and the run's
    // workflow_run webhooks told the Mayor all it decides on.
    await town
      .as('alice')
      .rest.issues.update({ owner: 'alice', repo: 'town', issue_number: goal, body: 'Edited.' })
    await town.emulator.settled()
    await town.mayor.idle()
    expect(list().map((run) => run.status)).toEqual(['in_progress'])
    await town.settle()
    expect(list().map((run) => run.conclusion)).toEqual(['success'])
    expect(mayorRequests(town, 'GET', runs)).toHaveLength(0)
    expect((await town.beads()).map((b) => [b.key, b.status])).toEqual([
      ['schema', 'in_progress'],
      ['api', 'pending'],
    ])
    // A sweep trusts no fact it did not read itself.
    await town.mayor.reconcile()
    await town.settle()
    expect(mayorRequests(town, 'GET', runs)).toHaveLength(1)
  })

  it('takes one step for a merge, though GitHub sends both pull_request.closed and issues.closed', async () => {
    town = await startMayorTown({
      config: 'merge: manual\n',
      plans: [CHAIN],
      workflow: SLOW_WORKFLOW,
    })
    await openGoal(town)
    await town.settle()
    const [api] = await town.beads()
    const pr = await playWorkerPr(town, api!, { 'src/api.js': 'export const api = 1\n' })
    await town.emulator.settled()
    await town.mayor.idle()
    const goalQueries = () => mayorRequests(town!, 'POST', '/graphql').length
    const before = goalQueries()
    const deliveredBefore = town.emulator.deliveries().length
    await town.as('alice').rest.pulls.merge({ owner: 'alice', repo: 'town', pull_number: pr })
    // Not the runner: the tests bead's run (5 s) must not end, as its end starts a step of its own.
    await town.emulator.settled()
    await town.mayor.idle()
    const delivered = town.emulator
      .deliveries()
      .slice(deliveredBefore)
      .map((d) => `${d.event}.${d.action}`)
    expect(delivered).toEqual(expect.arrayContaining(['pull_request.closed', 'issues.closed']))
    expect(goalQueries() - before).toBe(1)
    expect((await town.beads()).map((b) => [b.key, b.status])).toEqual([
      ['api', 'completed'],
      ['tests', 'in_progress'],
    ])
    await town.settle()
  })

  it("holds dispatch when the installation's budget runs low, and says so on the goal", async () => {
    // Every request of the hour is kept for running beads: nothing new may start.
    town = await startMayorTown({ plans: [PLAN], deps: { dispatchReserve: 5000 } })
    const goal = await openGoal(town)
    await town.settle()
    expect(town.emulator.runner.list('alice/town')).toEqual([])
    expect((await town.beads()).map((b) => [b.key, b.status, b.attempt])).toEqual([
      ['schema', 'ready', 0],
      ['api', 'pending', 0],
    ])
    const progress = await progressComment(town, goal)
    expect(progress).toContain('Dispatch is paced')
    expect(progress).toMatch(/only \d+ of the installation's 5000 GitHub requests are left this hour/)
  })

  it('paces dispatch after a secondary rate limit instead of failing the job, and says until when', async () => {
    town = await startMayorTown({ plans: [PLAN], deps: { retryAfterMs: 1000 } })
    town.emulator.faults.add({
      kind: 'secondary-rate-limit',
      route: 'POST /repos/{owner}/{repo}/actions/workflows/{workflow_id}/dispatches',
      retryAfter: 600,
      times: 1,
    })
    const goal = await openGoal(town)
    await town.settle()
    expect(town.emulator.faults.injected().map((f) => f.kind)).toEqual(['secondary-rate-limit'])
    const progress = await progressComment(town, goal)
    expect(progress).toContain('Dispatch is paced:** GitHub answered with a secondary rate limit')
    expect((await town.beads()).map((b) => [b.key, b.status])).toEqual([
      ['schema', 'ready'],
      ['api', 'pending'],
    ])
  })
})
