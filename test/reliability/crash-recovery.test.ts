/**
 * Processes dying at the worst moments: a worker run killed mid-bead, the Mayor killed while the
 * planner thinks, between two bead creations and right after a dispatch, and a webhook that never
 * arrives. After each, the town (a fresh Mayor with its start-up sweep) ends where it would have ended,
 * with nothing done twice.
 */
import { readFileSync } from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import yaml from 'js-yaml'
import { afterEach, describe, expect, it } from 'vitest'
import { planJson, playWorkerPr } from '../mayor/mayor-fixture.js'
import {
  OWNER,
  REPO,
  allIssues,
  commentsOn,
  openGoal,
  startChaosTown,
  type ChaosTown,
} from './support/town.js'

const ROOT = fileURLToPath(new URL('../../', import.meta.url))
const KILLED_WORKER = fileURLToPath(new URL('./fixtures/killed-worker.yaml', import.meta.url))
const NO_BACKOFF = 'retry: { base_delay_seconds: 0, max_delay_seconds: 0 }\n'
/** Blocked-by links too, so that their recovery is checked with the rest. */
const LINKS = 'dependency_links: true\n'

let town: ChaosTown | undefined

afterEach(async () => {
  await town?.close()
  town = undefined
})

/**
 * Resolves once `check` holds, looking again every 20 ms: for a run's log, which the runner announces
 * by no event. Everything else in these tests awaits the event itself (`dying`).
 */
async function until(what: string, check: () => boolean | Promise<boolean>, limitMs = 60_000): Promise<void> {
  const started = Date.now()
  while (!(await check())) {
    if (Date.now() - started > limitMs) throw new Error(`gave up waiting for ${what}`)
    await new Promise((resolve) => setTimeout(resolve, 20))
  }
}

/** The example worker workflow, replaying `scenario` instead of calling a model. */
function workerWorkflow(scenario: string): string {
  const workflow = yaml.load(readFileSync(path.join(ROOT, 'docs/examples/gastown-worker.yml'), 'utf8')) as {
    jobs: { work: { steps: { id?: string; with?: Record<string, string> }[] } }
  }
  const step = workflow.jobs.work.steps.find((entry) => entry.id === 'worker')!
  step.with = { ...step.with, scenario }
  return yaml.dump(workflow, { lineWidth: -1 })
}

/** The Mayor's death, started by a callback at the worst moment; `kill` starts it at most once. */
function dying(kill: () => Promise<void>): { kill(): void; dead: Promise<void> } {
  let start: () => void = () => {}
  const begun = new Promise<void>((resolve) => (start = resolve))
  let killed: Promise<void> | undefined
  return {
    kill() {
      if (killed !== undefined) return
      killed = kill()
      start()
    },
    dead: begun.then(() => killed),
  }
}

const FOUR = planJson([
  { key: 'schema', role: 'architect' },
  { key: 'api', role: 'developer', deps: ['schema'] },
  { key: 'docs', role: 'documenter' },
  { key: 'tests', role: 'tester', deps: ['api'] },
])

/** One bead issue per key, all four linked under the goal, the plan recorded once. */
async function expectBeadsOnce(t: ChaosTown, goal: number): Promise<void> {
  const beads = await t.beads()
  expect(beads.map((b) => b.key).sort()).toEqual(['api', 'docs', 'schema', 'tests'])
  expect((await allIssues(t)).length).toBe(5)
  expect((await commentsOn(t, goal)).filter((c) => c.includes('gastown:plan '))).toHaveLength(1)
  const { data: subIssues } = await t
    .as(OWNER)
    .request('GET /repos/{owner}/{repo}/issues/{issue_number}/sub_issues', {
      owner: OWNER,
      repo: REPO,
      issue_number: goal,
    })
  expect(subIssues.map((i: { number: number }) => i.number).sort()).toEqual(beads.map((b) => b.number).sort())
  for (const bead of beads.filter((b) => b.dependencies.length > 0)) {
    const { data: blockers } = await t
      .as(OWNER)
      .request('GET /repos/{owner}/{repo}/issues/{issue_number}/dependencies/blocked_by', {
        owner: OWNER,
        repo: REPO,
        issue_number: bead.number!,
      })
    expect(blockers.map((i: { number: number }) => i.number)).toEqual(bead.dependencies)
  }
}

describe('a worker killed mid-bead', () => {
  it('ends its run cancelled, is dispatched again, and the bead is finished once', async () => {
    town = await startChaosTown({
      plans: [planJson([{ key: 'hello', role: 'developer', title: 'Say hello' }])],
      config: NO_BACKOFF,
      workflow: workerWorkflow(KILLED_WORKER),
      emulator: {
        actions: { 'gastown-github/gastown@v1': ROOT },
        secrets: { OPENAI_API_KEY: 'sk-unused-by-the-scripted-model-000' },
      },
    })
    const goal = await openGoal(town)
    // Attempt 1 claims the bead and then waits on its model: kill it there, mid-bead.
    await until('the first worker to be thinking', () => {
      const [first] = town!.emulator.runner.list(`${OWNER}/${REPO}`)
      return first !== undefined && first.log.includes('starting the agent')
    })
    const [first] = town.emulator.runner.list(`${OWNER}/${REPO}`)
    await town.emulator.runner.kill(first!.id)
    await town.settle()

    const runs = town.emulator.runner.list(`${OWNER}/${REPO}`).sort((a, b) => a.id - b.id)
    expect(runs.map((r) => [r.inputs['attempt'], r.conclusion])).toEqual([
      ['1', 'cancelled'],
      ['2', 'success'],
    ])
    const [bead] = await town.beads()
    expect(bead).toMatchObject({ key: 'hello', status: 'in_review', attempt: 2 })
    const { data: pulls } = await town.as(OWNER).rest.pulls.list({ owner: OWNER, repo: REPO, state: 'all' })
    expect(pulls).toHaveLength(1)
    expect(pulls[0]!.body).toContain(`Closes #${bead!.number}`)

    await town.as(OWNER).rest.pulls.merge({ owner: OWNER, repo: REPO, pull_number: pulls[0]!.number })
    await town.settle()
    const [done] = await town.beads()
    expect(done!.status).toBe('completed')
    const { data: goalIssue } = await town
      .as(OWNER)
      .rest.issues.get({ owner: OWNER, repo: REPO, issue_number: goal })
    expect(goalIssue.state).toBe('closed')
    expect(town.emulator.runner.list(`${OWNER}/${REPO}`)).toHaveLength(2)
    expect(town.emulator.violations()).toEqual([])
  })
})

describe('the Mayor killed and started again', () => {
  it('plans once more and creates everything once when it died while the planner thought', async () => {
    const mayor = dying(() => town!.killMayor())
    town = await startChaosTown({
      plans: [FOUR],
      planRepeats: 2,
      config: LINKS,
      beforePlan: async () => {
        // The first Mayor dies while its model call is out; the answer comes back to a dead process.
        mayor.kill()
      },
    })
    const goal = await openGoal(town)
    await mayor.dead
    expect(await town.beads()).toEqual([])
    await town.startMayor()
    await town.settle()

    expect(town.planRequests).toHaveLength(2)
    await expectBeadsOnce(town, goal)
    const ready = (await town.beads()).filter((b) => b.dependencies.length === 0)
    expect(ready.map((b) => b.status)).toEqual(['in_progress', 'in_progress'])
    expect(town.emulator.runner.list(`${OWNER}/${REPO}`)).toHaveLength(2)
  })

  it('creates the missing beads and links once when it died between two bead creations', async () => {
    town = await startChaosTown({ plans: [FOUR], config: LINKS })
    let creates = 0
    const mayor = dying(() => town!.killMayor())
    town.onRequest = ({ method, url, body }) => {
      // A bead is created by GraphQL's createIssue (under its goal at once), or by REST.
      const created =
        method === 'POST' &&
        (/\/repos\/alice\/town\/issues$/.test(url) ||
          (url.endsWith('/graphql') && body.includes('createIssue(')))
      if (created) creates += 1
      // The second bead is created; the Mayor dies before it links it to what it is blocked by.
      else if (creates === 2) mayor.kill()
    }
    const goal = await openGoal(town)
    await mayor.dead
    expect((await town.beads()).length).toBe(2)
    town.onRequest = undefined
    await town.startMayor()
    await town.settle()

    await expectBeadsOnce(town, goal)
    expect(town.planRequests).toHaveLength(1)
  })

  it('dispatches nothing twice over when it died right after a dispatch', async () => {
    town = await startChaosTown({ plans: [FOUR], config: LINKS })
    let dispatched = 0
    const mayor = dying(() => town!.killMayor())
    town.onRequest = ({ method, url }) => {
      if (method === 'POST' && url.endsWith('/dispatches')) dispatched += 1
      // The step's runs are started (its dispatches go out together); the Mayor dies before it writes
      // any run into its bead's marker.
      else if (dispatched > 0) mayor.kill()
    }
    const goal = await openGoal(town)
    await mayor.dead
    town.onRequest = undefined
    await town.startMayor()
    await town.settle()

    await expectBeadsOnce(town, goal)
    const beads = await town.beads()
    const ready = beads.filter((b) => b.dependencies.length === 0)
    expect(ready.map((b) => [b.status, b.attempt])).toEqual([
      ['in_progress', 1],
      ['in_progress', 1],
    ])
    const runs = town.emulator.runner.list(`${OWNER}/${REPO}`)
    // The run the first Mayor started is not known to the marker, so its bead may be dispatched again
    // for the same attempt: the worker's claim ref (refs/gastown/claims/<n>-<k>) lets one run proceed
    // (test/worker/main.test.ts). No bead gets a second attempt and no other bead a run.
    for (const bead of ready) {
      const mine = runs.filter((r) => r.inputs['bead'] === String(bead.number))
      expect(mine.every((r) => r.inputs['attempt'] === '1')).toBe(true)
      expect(mine.length).toBeGreaterThanOrEqual(1)
      expect(mine.length).toBeLessThanOrEqual(2)
    }
    expect(runs.length).toBeLessThanOrEqual(2 * ready.length)
  })

  it('catches up with a dropped merge webhook on its start-up sweep', async () => {
    town = await startChaosTown({
      plans: [
        planJson([
          { key: 'api', role: 'developer' },
          { key: 'tests', role: 'tester', deps: ['api'] },
        ]),
      ],
    })
    const goal = await openGoal(town)
    await town.settle()
    const [api] = await town.beads()
    const pr = await playWorkerPr(town, api!, { 'src/api.js': 'export const api = {}\n' })
    await town.settle()
    town.emulator.faults.add({ kind: 'drop-delivery', event: 'pull_request.closed', times: 1 })
    town.emulator.faults.add({ kind: 'drop-delivery', event: 'issues.closed', times: 1 })
    await town.as(OWNER).rest.pulls.merge({ owner: OWNER, repo: REPO, pull_number: pr })
    await town.settle()
    expect((await town.beads()).map((b) => b.status)).toEqual(['in_review', 'pending'])
    await town.restartMayor()
    await town.settle()
    expect((await town.beads()).map((b) => b.status)).toEqual(['completed', 'in_progress'])
    expect(goal).toBeGreaterThan(0)
  })
})
