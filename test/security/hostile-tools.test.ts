/**
 * An agent that tries to hang its worker, through the real worker (`main`) against the emulator: a
 * FIFO made with mkfifo for read_file, write_file and edit_file (opening one blocks until a writer
 * comes, for ever), and globs for list_files and search whose regular expressions backtrack for
 * minutes. The scripted model (fixtures/hostile-tools.yaml) checks that each call is refused at once;
 * a hang would stop the script, and the run would end only at the test's timeout.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { main, type WorkerOutcome } from '../../src/worker/main.js'
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
let outcome: WorkerOutcome
let bead: number

function inputsFor(number: number): ActionInputs {
  return {
    bead: number,
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
  }
}

beforeAll(async () => {
  town = await startWorkerTown()
  const goal = await createGoal(town, 'Say hello', 'Add src/hello.js.')
  bead = await createBeadIssue(town, {
    goal,
    key: 'hostile-tools',
    role: 'developer',
    title: 'Add hello',
    description: 'Add src/hello.js exporting hello().',
  })
  const workspace = await checkout(town, town.emulator.tokenFor(OWNER))
  const { deps } = await workerDeps(town, {
    scenario: '../../security/fixtures/hostile-tools.yaml',
    runId: '77',
    workspace,
  })
  outcome = await main(inputsFor(bead), deps)
}, 120_000)

afterAll(async () => {
  await town?.close()
})

describe('an agent that tries to hang the tools', () => {
  it('had the FIFO and the pathological globs refused at once, and finished with a PR', async () => {
    expect(outcome, outcome.message).toMatchObject({ status: 'in_review' })
    const { data: pulls } = await town.alice.rest.pulls.list({ owner: OWNER, repo: REPO, state: 'all' })
    expect(pulls.find((pull) => pull.body?.includes(`Closes #${bead}`))).toBeDefined()
  })
})
