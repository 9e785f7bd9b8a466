/**
 * The worker's requests for one bead (issue #17): the claim ref is the claim's one write when the Mayor
 * recorded the run, the conventions come from the checkout, a new branch needs no PR lookup, and the
 * bead, its goal, the default branch and the trusted config come in one GraphQL request.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { decodeBead } from '../../src/core/bead-codec.js'
import { main } from '../../src/worker/main.js'
import {
  OWNER,
  REPO,
  checkout,
  createBeadIssue,
  createGoal,
  git,
  startWorkerTown,
  workerDeps,
  workerInputs,
  type Town,
} from './action/worker-town.js'

let town: Town

beforeEach(async () => {
  town = await startWorkerTown()
})

afterEach(async () => {
  await town?.close()
})

/**
 * A developer bead, a sub-issue of its goal as the Mayor links it when `linked`; then it depends on a
 * completed bead of the same goal, linked too.
 */
async function developerBead(assignedTo?: string, linked = false): Promise<number> {
  const goal = await createGoal(town, 'Make sum() correct', 'sum() subtracts. Fix it and test it.')
  const link = async (number: number) => {
    const { data } = await town.alice.rest.issues.get({ owner: OWNER, repo: REPO, issue_number: number })
    await town.alice.request('POST /repos/{owner}/{repo}/issues/{issue_number}/sub_issues', {
      owner: OWNER,
      repo: REPO,
      issue_number: goal,
      sub_issue_id: data.id,
    })
  }
  const dependency = linked
    ? await createBeadIssue(town, {
        goal,
        key: 'spec-sum',
        role: 'architect',
        title: 'Specify sum()',
        description: 'Say what sum() returns.',
        status: 'completed',
      })
    : undefined
  const bead = await createBeadIssue(town, {
    goal,
    key: 'fix-sum',
    role: 'developer',
    title: 'Fix sum() to add',
    description: 'sum(a, b) must return a + b. Acceptance: a node:test test passes.',
    ...(dependency === undefined ? {} : { deps: [dependency] }),
    ...(assignedTo === undefined ? {} : { assignedTo }),
  })
  if (dependency !== undefined) {
    await link(dependency)
    await link(bead)
  }
  return bead
}

/** Runs the worker for attempt 1 of `bead` as run `runId`; answers its requests, `METHOD /route` each. */
async function runWorker(bead: number, runId: string, dispatchedOnMain: boolean) {
  const workspace = await checkout(town, town.emulator.tokenFor(OWNER))
  const made = await workerDeps(town, { scenario: 'worker-town.yaml', runId, workspace })
  const sha = (await git(workspace, ['rev-parse', 'HEAD'])).trim()
  // The progress comment's own interval (a minute), not the fixture's write-every-phase.
  const { progressIntervalMs: _everyPhase, ...defaults } = made.deps
  const deps = dispatchedOnMain ? { ...defaults, dispatchedAt: { ref: 'refs/heads/main', sha } } : defaults
  const before = town.emulator.requests().length
  const outcome = await main(workerInputs(bead, 1), deps)
  const sent = town.emulator
    .requests()
    .slice(before)
    .map((entry) => `${entry.method} ${entry.route}`)
  return { outcome, sent, prompts: made.prompts, sha }
}

const count = (sent: readonly string[], request: string) => sent.filter((s) => s === request).length

describe('the worker requests of one bead', () => {
  it('claims with the ref alone when the Mayor recorded the run, and saves the bead once, at the end', async () => {
    const bead = await developerBead('2101', true)
    const { outcome, sent, prompts, sha } = await runWorker(bead, '2101', true)
    expect(outcome.status).toBe('in_review')
    expect(count(sent, 'POST /repos/{owner}/{repo}/git/refs')).toBe(1)
    expect(count(sent, 'PATCH /repos/{owner}/{repo}/issues/{issue_number}')).toBe(1)
    // The claim points at the commit the run was dispatched at, without reading the branch.
    expect(count(sent, 'GET /repos/{owner}/{repo}/git/ref/{ref}')).toBe(0)
    expect(await town.emulator.git.listRefs(`${OWNER}/${REPO}`, 'refs/gastown/')).toEqual([
      { ref: `refs/gastown/claims/${bead}-1`, sha },
    ])
    // One query read the bead, its goal (its parent) with the goal's beads (the dependency among them),
    // the default branch and the config; one mutation opened the PR and read the bead again for the final
    // save, so no REST read of the issue and no REST create. README.md came from the checkout.
    expect(count(sent, 'POST /graphql')).toBe(2)
    expect(prompts.join('\n')).toContain('Specify sum()')
    expect(count(sent, 'GET /repos/{owner}/{repo}/issues/{issue_number}')).toBe(0)
    expect(count(sent, 'POST /repos/{owner}/{repo}/pulls')).toBe(0)
    expect(count(sent, 'GET /repos/{owner}/{repo}')).toBe(0)
    expect(count(sent, 'GET /repos/{owner}/{repo}/contents/{path}')).toBe(0)
    expect(prompts.join('\n')).toContain('## README.md')
    expect(prompts.join('\n')).toContain('sum() subtracts. Fix it and test it.')
    // A new branch has no PR to look for. Attempt 1 has no earlier progress comment to find, and a run
    // that opened its PR within the progress interval writes none: the PR says what it did.
    expect(count(sent, 'GET /repos/{owner}/{repo}/pulls')).toBe(0)
    expect(count(sent, 'GET /repos/{owner}/{repo}/issues/{issue_number}/comments')).toBe(0)
    expect(count(sent, 'POST /repos/{owner}/{repo}/issues/{issue_number}/comments')).toBe(0)
    const { data } = await town.alice.rest.issues.get({ owner: OWNER, repo: REPO, issue_number: bead })
    const saved = decodeBead({
      ...data,
      labels: data.labels.map((l) => (typeof l === 'string' ? l : l.name!)),
    })
    expect(saved.ok && saved.bead.assignedTo).toBe('2101')
    expect(saved.ok && saved.bead.status).toBe('in_review')
  })

  it('opens its PR by REST, and reads the bead again by REST, when GitHub answers the mutation with an error', async () => {
    const bead = await developerBead('2301', true)
    town.emulator.faults.add({ kind: 'graphql-error', route: 'POST /graphql:createPullRequest', times: 1 })
    const { outcome, sent } = await runWorker(bead, '2301', true)
    expect(outcome.status).toBe('in_review')
    expect(town.emulator.faults.injected().map((fault) => fault.kind)).toEqual(['graphql-error'])
    expect(count(sent, 'POST /graphql')).toBe(2)
    expect(count(sent, 'POST /repos/{owner}/{repo}/pulls')).toBe(1)
    expect(count(sent, 'GET /repos/{owner}/{repo}/issues/{issue_number}')).toBe(1)
    const { data: pulls } = await town.alice.rest.pulls.list({ owner: OWNER, repo: REPO, state: 'all' })
    expect(pulls).toHaveLength(1)
    const { data } = await town.alice.rest.issues.get({ owner: OWNER, repo: REPO, issue_number: bead })
    expect(data.body).toContain(`"pr":${pulls[0]!.number}`)
  })

  it('records its run id itself when the marker names no run or another', async () => {
    const bead = await developerBead('9999')
    const { outcome, sent } = await runWorker(bead, '2201', false)
    expect(outcome.status).toBe('in_review')
    expect(count(sent, 'PATCH /repos/{owner}/{repo}/issues/{issue_number}')).toBe(2)
    // Not dispatched on the default branch: the claim points at the head the first query read.
    expect(count(sent, 'GET /repos/{owner}/{repo}/git/ref/{ref}')).toBe(0)
    // Not a sub-issue of its goal: the goal comes in a second query (and the PR in a mutation).
    expect(count(sent, 'POST /graphql')).toBe(3)
    const { data } = await town.alice.rest.issues.get({ owner: OWNER, repo: REPO, issue_number: bead })
    expect(data.body).toContain('"run":"2201"')
    const head = await town.emulator.git.resolveRef(`${OWNER}/${REPO}`, 'refs/heads/main')
    expect(await town.emulator.git.listRefs(`${OWNER}/${REPO}`, 'refs/gastown/')).toEqual([
      { ref: 'refs/gastown/claims/2-1', sha: head },
    ])
  })
})
