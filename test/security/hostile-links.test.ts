/**
 * Nothing pushed points outside the repository, through the real worker (`main`) against the
 * emulator: the agent plants `rootlink -> /` and `src/passwd -> ../../../etc/passwd`, then its budget
 * runs out, and the failure path that saves the work so far must refuse the links instead of pushing
 * them (it once pushed `rootlink -> /`).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { main, type WorkerOutcome } from '../../src/worker/main.js'
import {
  OWNER,
  REPO,
  checkout,
  createBeadIssue,
  createGoal,
  startWorkerTown,
  workerDeps,
  type Town,
  workerInputs,
} from '../worker/action/worker-town.js'

let town: Town
let outcome: WorkerOutcome

beforeAll(async () => {
  town = await startWorkerTown()
  const goal = await createGoal(town, 'Work in progress', 'Start src/wip.js.')
  const bead = await createBeadIssue(town, {
    goal,
    key: 'hostile-links',
    role: 'developer',
    title: 'Start wip',
    description: 'Start src/wip.js.',
  })
  const workspace = await checkout(town, town.emulator.tokenFor(OWNER))
  const { deps } = await workerDeps(town, {
    scenario: '../../security/fixtures/hostile-links.yaml',
    runId: '78',
    workspace,
  })
  const inputs = workerInputs(bead, 1, { 'max-iterations': 1 })
  outcome = await main(inputs, deps)
}, 120_000)

afterAll(async () => {
  await town?.close()
})

describe('symlinks out of the repository on the failure path', () => {
  it('are refused and nothing is pushed, saying which link and why', async () => {
    expect(outcome.status).toBe('failed')
    expect(outcome.message).toMatch(/nothing was pushed/)
    expect(outcome.message).toMatch(/"rootlink": a symlink to the absolute path "\/", outside the repository/)
    expect(outcome.message).toMatch(
      /"src\/passwd": a symlink to "..\/..\/..\/etc\/passwd", which leaves the repository/,
    )
    const { data: refs } = await town.alice.rest.git.listMatchingRefs({
      owner: OWNER,
      repo: REPO,
      ref: 'heads/gastown/',
    })
    expect(refs).toEqual([])
  })
})
