/**
 * A checkout that kept its token (actions/checkout without `persist-credentials: false`) would hand it
 * to every command the agent runs: the real worker (`main`, against the emulator) refuses to start on
 * one, before it claims the bead, with an error that says which line fixes the workflow.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { main } from '../../src/worker/main.js'
import type { ActionInputs } from '../../src/worker/action/inputs.js'
import {
  OWNER,
  REPO,
  checkout,
  createBeadIssue,
  createGoal,
  startWorkerTown,
  workerDeps,
  type Town,
} from '../worker/action/worker-town.js'

let town: Town

beforeAll(async () => {
  town = await startWorkerTown()
})

afterAll(async () => {
  await town?.close()
})

const inputs = (bead: number): ActionInputs => ({
  bead,
  attempt: 1,
  'github-token': 'unused-here',
  'api-key': '',
  'base-url': '',
  model: '',
  scenario: '',
  'max-iterations': undefined,
  'max-tokens': undefined,
  'max-minutes': undefined,
  'max-cost-usd': undefined,
  'write-spacing-ms': undefined,
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
    await expect(main(inputs(bead), deps)).rejects.toThrow(
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
