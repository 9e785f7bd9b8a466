/**
 * A checkout that kept its token (actions/checkout without `persist-credentials: false`) would hand it
 * to every command the agent runs: the real worker (`main`, against the emulator) refuses to start on
 * one, before it claims the bead, with an error that says which line fixes the workflow.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { main } from '../../src/worker/main.js'
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

beforeAll(async () => {
  town = await startWorkerTown()
})

afterAll(async () => {
  await town?.close()
})

describe('a checkout that persisted credentials', () => {
  it('is refused before the bead is claimed, saying to set persist-credentials: false', async () => {
    const goal = await createGoal(town, 'Fix sum', 'sum() subtracts.')
    const bead = await createBeadIssue(town, {
      goal,
      key: 'fix-sum',
      role: 'developer',
      title: 'Fix sum',
      description: 'Make sum add.',
    })
    const workspace = await checkout(town, town.emulator.tokenFor(OWNER), { persist: true })
    const { deps } = await workerDeps(town, { scenario: 'worker-town.yaml', runId: '91', workspace })
    await expect(main(workerInputs(bead), deps)).rejects.toThrow(
      /left credentials that the agent's commands could read \(http\..*\.extraheader in \.git\/config\)\. Set `persist-credentials: false`/,
    )
    const { data: refs } = await town.alice.rest.git.listMatchingRefs({
      owner: OWNER,
      repo: REPO,
      ref: 'gastown/claims/',
    })
    expect(refs).toEqual([])
  })
})
