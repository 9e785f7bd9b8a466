/** The Mayor within GitHub's limits: comment size, 100 sub-issues a goal, and no paid planning in a loop. */
import { afterEach, describe, expect, it } from 'vitest'
import { COMMENT_MAX_CHARS } from '../../src/mayor/plan-comments.js'
import { readPlan } from '../../src/mayor/plan-comments.js'
import { listComments } from '../../src/github/comments.js'
import { createGitHubClient } from '../../src/github/client.js'
import type { FaultRule } from '../../src/sandbox/emulator/faults.js'
import { FAILING_WORKFLOW, openGoal, planJson, startMayorTown, type MayorTown } from './mayor-fixture.js'

let town: MayorTown | undefined

afterEach(async () => {
  await town?.close()
  town = undefined
})

const repo = { owner: 'alice', repo: 'town' }

/** A plan of `count` beads at every limit the planner states: 40-character keys, 120-character titles,
 * 1,500-character descriptions, two 200-character acceptance criteria, and text that escapes. */
function planAtLimits(count: number): string {
  const key = (i: number) => `b${String(i).padStart(3, '0')}-${'k'.repeat(35)}`
  const text = (n: number, seed: number) =>
    Array.from({ length: n }, (_, j) => 'abcdefghij<>&|"`'.charAt((j * 7 + seed) % 16)).join('')
  return JSON.stringify({
    beads: Array.from({ length: count }, (_, i) => ({
      key: key(i),
      title: text(120, i),
      description: text(1_500, i + 1),
      role: 'developer',
      depends_on: i === 0 ? [] : [key(0)],
      acceptance_criteria: [text(200, i + 2), text(200, i + 3)],
    })),
  })
}

async function goalComments(t: MayorTown, goal: number) {
  const api = createGitHubClient({ token: t.emulator.tokenFor('alice'), baseUrl: t.emulator.apiUrl })
  return listComments(api, repo, goal)
}

async function progressOf(t: MayorTown, goal: number): Promise<string> {
  const comments = await goalComments(t, goal)
  return comments.find((c) => c.body.includes('gastown:progress'))?.body ?? ''
}

describe('plan comments within 65,536 characters', () => {
  it('posts a 30-bead plan at every stated limit over several comments, reads it back whole, approves and creates every bead', async () => {
    const plan = planAtLimits(30)
    town = await startMayorTown({
      plans: [plan],
      config: 'plan_approval: true\nmax_workers: 1\n',
      workflow: FAILING_WORKFLOW,
    })
    const goal = await openGoal(town)
    await town.settle()
    const comments = await goalComments(town, goal)
    for (const comment of comments) expect([...comment.body].length).toBeLessThanOrEqual(COMMENT_MAX_CHARS)
    const parts = comments.filter((c) => c.body.includes('gastown:plan-part'))
    expect(parts.length).toBeGreaterThanOrEqual(2)
    const read = readPlan(comments, goal, 'gastown[bot]')
    expect(read?.record.plan).toEqual(JSON.parse(plan))
    expect(read?.record.approved).toBe(false)
    expect(read?.comment.body).toContain('/gastown approve')

    await town
      .as('alice')
      .rest.issues.createComment({ ...repo, issue_number: goal, body: '/gastown approve' })
    await town.settle()
    const beads = await town.beads()
    expect(beads).toHaveLength(30)
    expect(beads.find((b) => b.key.startsWith('b007'))?.description).toContain(
      JSON.parse(plan).beads[7].description,
    )
    expect(readPlan(await goalComments(town, goal), goal, 'gastown[bot]')?.record.approved).toBe(true)
    expect(town.emulator.violations()).toEqual([])
  })
})

describe('planning that cannot go on', () => {
  it('refuses a 150-bead plan at plan time for the 100-sub-issue cap, says so once, and calls the model no more on sweeps', async () => {
    const big = planAtLimits(150)
    town = await startMayorTown({ plans: [[big, big, big]], config: 'max_beads: 200\n' })
    const goal = await openGoal(town)
    await town.settle()
    const calls = town.modelRequests!.length
    expect(calls).toBe(3)
    // The planner is told the room GitHub leaves, not max_beads.
    expect(town.modelRequests![0]!.messages[0]!.content).toContain('At most 100 beads')
    const progress = await progressOf(town, goal)
    expect(progress).toContain('Planning failed')
    expect(progress).toContain('GitHub allows 100 sub-issues under one issue')
    expect(progress).toContain('/gastown replan')
    expect(await town.beads()).toEqual([])

    await town.mayor.reconcile()
    await town.settle()
    await town.mayor.reconcile()
    await town.settle()
    expect(town.modelRequests!.length).toBe(calls)
  })

  it('stops when GitHub refuses the plan comment: one clear comment, no second model call until /gastown replan', async () => {
    // The first comment is the progress comment ("planning…"); the second, the plan, is refused.
    const refusePlan: FaultRule = {
      kind: 'status',
      status: 422,
      route: 'POST /repos/{owner}/{repo}/issues/{issue_number}/comments',
      skip: 1,
      times: 1,
    }
    const plan = planJson([{ key: 'api', role: 'developer' }])
    town = await startMayorTown({ plans: [plan, plan], config: 'plan_approval: true\n' })
    town.emulator.faults.add(refusePlan)
    const goal = await openGoal(town)
    await town.settle()
    expect(town.modelRequests!.length).toBe(1)
    const progress = await progressOf(town, goal)
    expect(progress).toContain('GitHub refused the plan comment')
    expect(progress).toContain('GitHub said:')
    expect(readPlan(await goalComments(town, goal), goal, 'gastown[bot]')).toBeUndefined()

    await town.mayor.reconcile()
    await town.settle()
    expect(town.modelRequests!.length).toBe(1)

    await town.as('alice').rest.issues.createComment({ ...repo, issue_number: goal, body: '/gastown replan' })
    await town.settle()
    expect(town.modelRequests!.length).toBe(2)
    expect(readPlan(await goalComments(town, goal), goal, 'gastown[bot]')?.record.plan).toEqual(
      JSON.parse(plan),
    )
  })
})
