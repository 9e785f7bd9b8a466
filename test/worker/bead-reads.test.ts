/**
 * What the worker reads through GraphQL, and how it fails when a read finds nothing it may use: a bead
 * number that is no issue, dependencies that are no issue or no bead of the Mayor's, a trusted config
 * with errors. Each says what happened and changes nothing it should not.
 */
import { Octokit } from '@octokit/rest'
import { afterEach, describe, expect, it } from 'vitest'
import { decodeBead } from '../../src/core/bead-codec.js'
import type { Bead } from '../../src/core/bead.js'
import { main } from '../../src/worker/main.js'
import {
  OWNER,
  REPO,
  TODO_FILES,
  checkout,
  createBeadIssue,
  createGoal,
  startWorkerTown,
  workerDeps,
  workerInputs,
  type Town,
} from './action/worker-town.js'

let town: Town | undefined

afterEach(async () => {
  await town?.close()
  town = undefined
})

async function readBead(t: Town, number: number): Promise<Bead> {
  const { data } = await t.alice.rest.issues.get({ owner: OWNER, repo: REPO, issue_number: number })
  const decoded = decodeBead({
    ...data,
    labels: data.labels.map((l) => (typeof l === 'string' ? l : (l.name ?? ''))),
  })
  if (!decoded.ok) throw new Error(decoded.error.message)
  return decoded.bead
}

/** Runs attempt 1 of `bead`; answers the outcome and the requests it sent, `METHOD route` each. */
async function runWorker(t: Town, bead: number, runId: string) {
  const workspace = await checkout(t, t.emulator.tokenFor(OWNER))
  const made = await workerDeps(t, { scenario: 'worker-town.yaml', runId, workspace })
  const before = t.emulator.requests().length
  const outcome = await main(workerInputs(bead, 1), made.deps).catch((error: Error) => error)
  const sent = t.emulator
    .requests()
    .slice(before)
    .map((entry) => `${entry.method} ${entry.route}`)
  return { outcome, sent }
}

describe('the worker reads', () => {
  it('refuses a bead number that is no issue, saying so, and writes nothing', async () => {
    town = await startWorkerTown()
    const { outcome, sent } = await runWorker(town, 99, '3101')
    expect(outcome).toBeInstanceOf(Error)
    expect((outcome as Error).message).toContain(`${OWNER}/${REPO} has no issue #99`)
    expect(sent).toEqual(['POST /graphql'])
  })

  it('fails a reviewer naming each dependency that is no issue or no bead of the Mayor, without a crash', async () => {
    town = await startWorkerTown()
    const goal = await createGoal(town, 'Review things', 'x')
    const bob = new Octokit({ baseUrl: town.emulator.apiUrl, auth: town.emulator.tokenFor('bob') })
    const stranger = (await bob.rest.issues.create({ owner: OWNER, repo: REPO, title: 'not a bead' })).data
    const reviewer = await createBeadIssue(town, {
      goal,
      key: 'review',
      role: 'reviewer',
      title: 'Review',
      description: 'Review it.',
      deps: [404, stranger.number],
    })
    const { outcome, sent } = await runWorker(town, reviewer, '3201')
    expect(outcome).toMatchObject({ status: 'failed' })
    const error = (await readBead(town, reviewer)).error ?? ''
    expect(error).toContain('none of the dependencies #404, #' + stranger.number)
    expect(error).toContain('#404: no such issue')
    expect(error).toContain(`#${stranger.number}: issue #${stranger.number}`)
    expect(error).toContain('was opened by bob')
    // The bead, the branch and the config in one query; the goal (no sub-issue link) and both
    // dependencies in a second.
    expect(sent.filter((s) => s === 'POST /graphql')).toHaveLength(2)
  })

  it('fails the bead with the list of problems of a trusted config it cannot use', async () => {
    town = await startWorkerTown({}, { ...TODO_FILES, '.github/gastown.yml': 'review_rounds: many\n' })
    const goal = await createGoal(town, 'Make sum() correct', 'sum() subtracts.')
    const bead = await createBeadIssue(town, {
      goal,
      key: 'fix-sum',
      role: 'developer',
      title: 'Fix sum() to add',
      description: 'sum(a, b) must return a + b.',
    })
    const { outcome } = await runWorker(town, bead, '3301')
    expect(outcome).toMatchObject({ status: 'failed' })
    const after = await readBead(town, bead)
    expect(after).toMatchObject({ status: 'failed', failures: 1 })
    expect(after.error).toContain('.github/gastown.yml')
    expect(after.error).toContain('review_rounds')
  })
})
