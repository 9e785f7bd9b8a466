/**
 * GitHub failing under the Mayor: 5xx answers, secondary rate limits, a create that succeeded but
 * answered 500, and an installation token that expires mid-run. In each, the goal must still be planned
 * and dispatched, with nothing created twice.
 */
import { afterEach, describe, expect, it } from 'vitest'
import { planJson } from '../mayor/mayor-fixture.js'
import {
  OWNER,
  REPO,
  allIssues,
  commentsOn,
  openGoal,
  startChaosTown,
  type ChaosTown,
} from './support/town.js'

let town: ChaosTown | undefined

afterEach(async () => {
  await town?.close()
  town = undefined
})

const PLAN = planJson([
  { key: 'schema', role: 'architect' },
  { key: 'api', role: 'developer', deps: ['schema'] },
  { key: 'docs', role: 'documenter' },
  { key: 'tests', role: 'tester', deps: ['api'] },
])

/** Faults that fired on requests the Mayor's app made (its bot is the actor). */
function mayorFaults(t: ChaosTown): string[] {
  return t.emulator
    .requests()
    .filter((r) => r.fault !== undefined && r.actor === `${t.emulator.appSlug}[bot]`)
    .map((r) => `${r.fault} ${r.method} ${r.route} ${r.status}`)
}

/** The goal is planned once and its ready beads dispatched once each, with one bead issue per key. */
async function expectPlannedOnce(t: ChaosTown, goal: number): Promise<void> {
  const beads = await t.beads()
  expect(beads.map((b) => b.key).sort()).toEqual(['api', 'docs', 'schema', 'tests'])
  const byKey = Object.fromEntries(beads.map((b) => [b.key, b]))
  expect(byKey['schema']!.status).toBe('in_progress')
  expect(byKey['docs']!.status).toBe('in_progress')
  expect(byKey['api']!.status).toBe('pending')
  // GitHub's trouble is no fault of a bead: none counts a failure or a second attempt for it.
  for (const bead of beads)
    expect([bead.key, bead.failures ?? 0, bead.attempt]).toEqual([
      bead.key,
      0,
      bead.dependencies.length === 0 ? 1 : 0,
    ])
  // No stray issue: the goal and the four beads.
  expect((await allIssues(t)).length).toBe(5)
  expect((await commentsOn(t, goal)).filter((c) => c.includes('gastown:plan '))).toHaveLength(1)
  expect((await commentsOn(t, goal)).filter((c) => c.includes('gastown:progress'))).toHaveLength(1)
  const runs = t.emulator.runner.list(`${OWNER}/${REPO}`)
  expect(runs.map((r) => r.inputs['bead']).sort()).toEqual(
    [byKey['schema']!.number, byKey['docs']!.number].map(String).sort(),
  )
  const { data: subIssues } = await t
    .as(OWNER)
    .request('GET /repos/{owner}/{repo}/issues/{issue_number}/sub_issues', {
      owner: OWNER,
      repo: REPO,
      issue_number: goal,
    })
  expect(subIssues).toHaveLength(4)
}

describe('GitHub failing under the Mayor', () => {
  it('rides out 5xx answers on its reads and writes, and still plans and dispatches everything once', async () => {
    town = await startChaosTown({ plans: [PLAN], emulator: { seed: 11 } })
    const goal = await openGoal(town)
    for (const route of [
      'GET /repos/{owner}/{repo}/issues',
      'GET /repos/{owner}/{repo}/issues/{issue_number}/comments',
      'POST /graphql:createIssue',
      'POST /graphql',
      'POST /repos/{owner}/{repo}/actions/workflows/{workflow_id}/dispatches',
      'PATCH /repos/{owner}/{repo}/issues/{issue_number}',
    ]) {
      town.emulator.faults.add({ kind: 'status', status: 502, route, probability: 0.3, times: 2 })
      town.emulator.faults.add({ kind: 'status', status: 503, route, probability: 0.2, times: 1 })
    }
    await town.settle()
    expect(mayorFaults(town).length).toBeGreaterThanOrEqual(3)
    await expectPlannedOnce(town, goal)
    expect(town.emulator.violations()).toEqual([])
  })

  it('waits out secondary rate limits and still plans and dispatches everything once', async () => {
    town = await startChaosTown({ plans: [PLAN], emulator: { seed: 5 } })
    // The goal is opened by a person before the limits bite; the Mayor's writes come after.
    const goal = await openGoal(town)
    for (const route of [
      'POST /graphql:createIssue',
      'POST /repos/{owner}/{repo}/issues/{issue_number}/comments',
      'POST /repos/{owner}/{repo}/labels',
      'POST /repos/{owner}/{repo}/actions/workflows/{workflow_id}/dispatches',
    ]) {
      town.emulator.faults.add({ kind: 'secondary-rate-limit', route, retryAfter: 1, times: 1 })
    }
    await town.settle()
    expect(
      mayorFaults(town).filter((f) => f.startsWith('secondary-rate-limit')).length,
    ).toBeGreaterThanOrEqual(3)
    await expectPlannedOnce(town, goal)
  })

  it('creates no duplicate bead when creating one succeeded but answered 500', async () => {
    town = await startChaosTown({ plans: [PLAN] })
    const goal = await openGoal(town)
    // The goal's issue exists; the next issue created is the first bead, and the one after the second.
    town.emulator.faults.add({
      kind: 'applied-then-500',
      route: 'POST /graphql:createIssue',
      times: 2,
    })
    await town.settle()
    expect(mayorFaults(town).filter((f) => f.startsWith('applied-then-500'))).toHaveLength(2)
    await expectPlannedOnce(town, goal)
  })

  it('posts each of its comments once when posting one succeeded but answered 500', async () => {
    town = await startChaosTown({ plans: [PLAN] })
    const goal = await openGoal(town)
    // The first two comments the Mayor posts on the goal are the progress and the plan comments.
    town.emulator.faults.add({
      kind: 'applied-then-500',
      route: 'POST /repos/{owner}/{repo}/issues/{issue_number}/comments',
      times: 2,
    })
    await town.settle()
    expect(mayorFaults(town).filter((f) => f.startsWith('applied-then-500'))).toHaveLength(2)
    await expectPlannedOnce(town, goal)
    expect(await commentsOn(town, goal)).toHaveLength(2)
  })

  it('renews its installation token when the cached one expires or is revoked mid-run', async () => {
    town = await startChaosTown({ plans: [PLAN] })
    const goal = await openGoal(town)
    await town.settle()
    await expectPlannedOnce(town, goal)
    const tokens = () => town!.emulator.requests().filter((r) => r.route.endsWith('/access_tokens')).length
    const before = tokens()
    // GitHub ends the token before the 59 minutes Probot caches it for (clock skew, a revocation):
    // the Mayor's next request with it is answered 401 Bad credentials.
    for (const token of town.installationTokens) town.emulator.actors.revokeToken(token)
    await town.as('bob').rest.issues.createComment({
      owner: OWNER,
      repo: REPO,
      issue_number: goal,
      body: '/gastown status',
    })
    await town.settle()
    expect(tokens()).toBeGreaterThan(before)
    expect((await commentsOn(town, goal)).some((c) => c.includes("@bob the goal's progress is here"))).toBe(
      true,
    )
    expect(town.emulator.requests().filter((r) => r.status === 401).length).toBeGreaterThan(0)
  })
})
