import { afterEach, describe, expect, it } from 'vitest'
import {
  CHAIN,
  comments,
  openGoal,
  planJson,
  playWorkerPr,
  startMayorTown,
  type MayorTown,
} from './mayor-fixture.js'

let town: MayorTown | undefined
/** An organisation: GitHub lets an app use only organisations' boards. */
const ACME = { login: 'acme', type: 'Organization' as const }

afterEach(async () => {
  await town?.close()
  town = undefined
})

describe('the Mayor and the project board', () => {
  it('puts every bead on the Projects v2 board and moves its Status with the bead', async () => {
    town = await startMayorTown({
      plans: [CHAIN],
      config: 'project: { owner: acme, number: 1 }\n',
      accounts: [ACME],
    })
    const project = town.emulator.graphql.createProject({
      owner: 'acme',
      title: 'Town work',
      statusOptions: ['Todo', 'In Progress', 'In Review', 'Done'],
    })
    expect(project.number).toBe(1)
    await openGoal(town)
    await town.settle()
    const [api, tests] = await town.beads()
    const board = () =>
      Object.fromEntries(
        town!.emulator.graphql.snapshot('acme', 1).map((item) => [item.content, item.status]),
      )
    expect(board()).toEqual({
      [`alice/town#${api!.number}`]: 'In Progress',
      [`alice/town#${tests!.number}`]: 'Todo',
    })

    const pr = await playWorkerPr(town, api!, { 'api.js': 'export {}\n' })
    await town.settle()
    expect(board()[`alice/town#${api!.number}`]).toBe('In Review')
    await town.as('alice').rest.pulls.merge({ owner: 'alice', repo: 'town', pull_number: pr })
    await town.settle()
    expect(board()).toEqual({
      [`alice/town#${api!.number}`]: 'Done',
      [`alice/town#${tests!.number}`]: 'In Progress',
    })
    expect(town.emulator.violations()).toEqual([])
  })

  it('says on the goal when the configured board does not exist, and still plans', async () => {
    town = await startMayorTown({
      plans: [CHAIN],
      config: 'project: { owner: acme, number: 7 }\n',
      accounts: [ACME],
    })
    const goal = await openGoal(town)
    await town.settle()
    // The board is a mirror: a missing one must not stop the work, but people must hear of it.
    expect((await town.beads()).map((b) => b.key)).toEqual(['api', 'tests'])
    expect((await comments(town, goal)).some((c) => c.includes('Project 7 of acme was not found'))).toBe(true)
  })

  it("says on the goal that a user's board is out of an app's reach, and still plans", async () => {
    town = await startMayorTown({ plans: [CHAIN], config: 'project: { owner: alice, number: 1 }\n' })
    town.emulator.graphql.createProject({ owner: 'alice', title: 'Mine', statusOptions: ['Todo', 'Done'] })
    const goal = await openGoal(town)
    await town.settle()
    expect((await town.beads()).map((b) => b.key)).toEqual(['api', 'tests'])
    const said = await comments(town, goal)
    expect(
      said.some((c) =>
        c.includes('belongs to the user alice, and GitHub lets apps use organisation projects only'),
      ),
    ).toBe(true)
    // Nothing was put on it: GitHub refuses the app, so the board stays as alice left it.
    expect(town.emulator.graphql.snapshot('alice', 1)).toEqual([])
  })
})

describe('more slash commands', () => {
  it('answers /gastown status with a link to the refreshed progress comment', async () => {
    town = await startMayorTown({ plans: [CHAIN] })
    const goal = await openGoal(town)
    await town.settle()
    await town.as('bob').rest.issues.createComment({
      owner: 'alice',
      repo: 'town',
      issue_number: goal,
      body: '/gastown status',
    })
    await town.settle()
    const said = await comments(town, goal)
    expect(
      said.some(
        (c) => c.startsWith('@bob') && c.includes('progress is here') && c.includes('#issuecomment-'),
      ),
    ).toBe(true)
  })

  it('cancels the open beads and plans again on /gastown replan, with fresh beads', async () => {
    const second = planJson([
      { key: 'api', role: 'developer', title: 'Build the API again' },
      { key: 'docs', role: 'documenter', deps: ['api'] },
    ])
    town = await startMayorTown({ plans: [CHAIN, second] })
    const goal = await openGoal(town)
    await town.settle()
    await town.as('alice').rest.issues.createComment({
      owner: 'alice',
      repo: 'town',
      issue_number: goal,
      body: '/gastown replan',
    })
    await town.settle()
    const beads = await town.beads()
    expect(beads.map((b) => [b.key, b.status, b.planRound ?? 1])).toEqual([
      ['api', 'cancelled', 1],
      ['tests', 'cancelled', 1],
      ['api', 'in_progress', 2],
      ['docs', 'pending', 2],
    ])
    expect(beads[2]!.title).toBe('Build the API again')
    const plans = (await comments(town, goal)).filter((c) => c.includes('gastown:plan '))
    expect(plans).toHaveLength(1)
    expect(plans[0]).toContain('round 2')
  })
})

describe('the reconciler repairs drift', () => {
  it('puts back bead labels a person removed, from the marker', async () => {
    town = await startMayorTown({ plans: [CHAIN] })
    await openGoal(town)
    await town.settle()
    const [, tests] = await town.beads()
    await town.as('alice').rest.issues.setLabels({
      owner: 'alice',
      repo: 'town',
      issue_number: tests!.number!,
      labels: ['gastown:bead', 'my-own-label'],
    })
    await town.mayor.reconcile()
    await town.settle()
    const { data } = await town
      .as('alice')
      .rest.issues.get({ owner: 'alice', repo: 'town', issue_number: tests!.number! })
    expect(data.labels.map((l) => (typeof l === 'string' ? l : l.name)).sort()).toEqual([
      'gastown:bead',
      'gastown:role/tester',
      'gastown:status/pending',
      'my-own-label',
    ])
  })
})

describe('the reconciler and refused goals', () => {
  it('never plans on a sweep a goal whose labelling it refused', async () => {
    town = await startMayorTown({ plans: [CHAIN] })
    const { data } = await town.as('tina').rest.issues.create({
      owner: 'alice',
      repo: 'town',
      title: 'Goal by a triage user',
      body: 'Do everything.',
      labels: ['gastown:goal'],
    })
    await town.settle()
    expect((await comments(town, data.number)).some((c) => c.includes('Thanks, @tina'))).toBe(true)
    await town.mayor.reconcile()
    await town.settle()
    expect(await town.beads()).toEqual([])
    expect((await comments(town, data.number)).some((c) => c.includes('gastown:plan '))).toBe(false)
  })
})
