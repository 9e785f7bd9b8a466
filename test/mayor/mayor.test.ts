import { afterEach, describe, expect, it } from 'vitest'
import { openGoal, planJson, playWorkerPr, startMayorTown, type MayorTown } from './mayor-fixture.js'

let town: MayorTown | undefined

afterEach(async () => {
  await town?.close()
  town = undefined
})

const TODO_PLAN = planJson([
  { key: 'schema', role: 'architect' },
  { key: 'api', role: 'developer', deps: ['schema'] },
  { key: 'review', role: 'reviewer', deps: ['api'] },
])

describe('the Mayor', () => {
  it('counts a bead completed when a person merges its PR before the worker wrote the PR into the marker', async () => {
    town = await startMayorTown({ plans: [TODO_PLAN] })
    await openGoal(town)
    await town.settle()
    const schema = (await town.beads()).find((b) => b.key === 'schema')!
    expect(schema.status).toBe('in_progress')
    // The worker opened its PR; the merge comes before its marker write (which then finds it moved on).
    const pr = await playWorkerPr(
      town,
      schema,
      { 'docs/schema.md': '# Todo schema\n' },
      { writeMarker: false },
    )
    await town.as('alice').rest.pulls.merge({ owner: 'alice', repo: 'town', pull_number: pr })
    await town.settle()
    const beads = await town.beads()
    expect(beads.find((b) => b.key === 'schema')).toMatchObject({ status: 'completed', pr })
    expect(beads.find((b) => b.key === 'api')!.status).toBe('in_progress')
  })

  it('plans a labelled goal into linked beads, dispatches in dependency order and closes the goal when done', async () => {
    town = await startMayorTown({ plans: [TODO_PLAN] })
    const goal = await openGoal(town)
    await town.settle()

    let beads = await town.beads()
    expect(beads.map((b) => [b.key, b.role, b.status, b.attempt])).toEqual([
      ['schema', 'architect', 'in_progress', 1],
      ['api', 'developer', 'pending', 0],
      ['review', 'reviewer', 'pending', 0],
    ])
    const [schema, api, review] = beads as [(typeof beads)[0], (typeof beads)[0], (typeof beads)[0]]
    expect(api.dependencies).toEqual([schema.number])
    expect(review.dependencies).toEqual([api.number])
    // The dispatch carried the run id, so the attempt is tied to its run from the start.
    expect(schema.assignedTo).toMatch(/^\d+$/)
    const runs = town.emulator.runner.list('alice/town')
    expect(runs.map((r) => r.inputs)).toEqual([{ bead: String(schema.number), attempt: '1' }])

    const alice = town.as('alice')
    const subIssues = await alice.request('GET /repos/{owner}/{repo}/issues/{issue_number}/sub_issues', {
      owner: 'alice',
      repo: 'town',
      issue_number: goal,
    })
    expect(subIssues.data.map((i: { number: number }) => i.number)).toEqual([
      schema.number,
      api.number,
      review.number,
    ])
    const blockedBy = await alice.request(
      'GET /repos/{owner}/{repo}/issues/{issue_number}/dependencies/blocked_by',
      {
        owner: 'alice',
        repo: 'town',
        issue_number: api.number!,
      },
    )
    // Without `dependency_links: true` the dependencies live in the marker and the task list alone.
    expect(blockedBy.data).toEqual([])
    const { data: apiIssue } = await alice.rest.issues.get({
      owner: 'alice',
      repo: 'town',
      issue_number: api.number!,
    })
    expect(apiIssue.labels.map((l) => (typeof l === 'string' ? l : l.name)).sort()).toEqual([
      'gastown:bead',
      'gastown:role/developer',
      'gastown:status/pending',
    ])
    expect(apiIssue.body).toContain(`- [ ] #${schema.number}`)

    // The architect's PR is opened and merged: the developer starts at once.
    const schemaPr = await playWorkerPr(town, schema, { 'docs/schema.md': '# Todo schema\n' })
    await town.settle()
    await alice.rest.pulls.merge({ owner: 'alice', repo: 'town', pull_number: schemaPr })
    await town.settle()
    beads = await town.beads()
    expect(beads.map((b) => b.status)).toEqual(['completed', 'in_progress', 'pending'])

    // The developer's PR opens: the reviewer starts on the open PR, before any merge.
    const apiPr = await playWorkerPr(town, beads[1]!, { 'src/api.js': 'export const todos = []\n' })
    await town.settle()
    beads = await town.beads()
    expect(beads.map((b) => b.status)).toEqual(['completed', 'in_review', 'in_progress'])

    // The reviewer reports its review done, the developer's PR is merged: the goal is done.
    const { setBead } = await import('./mayor-fixture.js')
    const { transition } = await import('../../src/core/bead-status.js')
    await setBead(town, review.number!, (b) =>
      transition(b, 'completed', { now: Date.now(), result: 'LGTM' }),
    )
    await alice.rest.pulls.merge({ owner: 'alice', repo: 'town', pull_number: apiPr })
    await town.settle()
    beads = await town.beads()
    expect(beads.map((b) => b.status)).toEqual(['completed', 'completed', 'completed'])

    const { data: goalIssue } = await alice.rest.issues.get({
      owner: 'alice',
      repo: 'town',
      issue_number: goal,
    })
    expect(goalIssue.state).toBe('closed')
    expect(goalIssue.state_reason).toBe('completed')
    const { data: comments } = await alice.rest.issues.listComments({
      owner: 'alice',
      repo: 'town',
      issue_number: goal,
    })
    const bodies = comments.map((c) => c.body ?? '')
    expect(bodies.filter((b) => b.includes('gastown:progress'))).toHaveLength(1)
    expect(bodies.filter((b) => b.includes('gastown:plan '))).toHaveLength(1)
    expect(
      bodies.some((b) => b.includes('Goal done') && b.includes(`#${schemaPr}`) && b.includes(`#${apiPr}`)),
    ).toBe(true)
    expect(town.emulator.violations()).toEqual([])
  })
})
