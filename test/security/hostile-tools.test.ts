/**
 * An agent that tries to hang its worker, through the real worker (`main`) against the emulator: a
 * FIFO made with mkfifo for read_file, write_file and edit_file (opening one blocks until a writer
 * comes, for ever), and globs for list_files and search whose regular expressions backtrack for
 * minutes. The scripted model (fixtures/hostile-tools.yaml) checks that each call is refused at once;
 * a hang would stop the script, and the run would end only at the test's timeout.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { main, type WorkerOutcome } from '../../src/worker/main.js'
import {
  OWNER,
  REPO,
  checkout,
  createBeadIssue,
  git,
  createGoal,
  startWorkerTown,
  workerDeps,
  type Town,
  workerInputs,
} from '../worker/action/worker-town.js'

let town: Town
let outcome: WorkerOutcome
let bead: number
let goal: number

beforeAll(async () => {
  town = await startWorkerTown()
  goal = await createGoal(town, 'Say hello', 'Add src/hello.js.')
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
  outcome = await main(workerInputs(bead), deps)
}, 120_000)

afterAll(async () => {
  await town?.close()
})

describe('closing keywords in the agent summary', () => {
  it('close nothing but the bead when the PR is merged: not in the PR body, not in the commit', async () => {
    const { data: pulls } = await town.alice.rest.pulls.list({ owner: OWNER, repo: REPO, state: 'all' })
    const pull = pulls.find((entry) => entry.body?.includes(`Closes #${bead}`))!
    expect(pull.body).toContain('fixes issue #1')
    const clone = await checkout(town, town.emulator.tokenFor(OWNER))
    const message = await git(clone, ['log', '-1', '--format=%B', pull.head.sha])
    expect(message).toContain('fixes issue #1 and Resolves: issue alice/todo#1')
    expect(message).not.toMatch(/(fix(es)?|resolves?|close[sd]?):?\s*(alice\/todo)?#1\b/i)
    await town.alice.rest.pulls.merge({ owner: OWNER, repo: REPO, pull_number: pull.number })
    const issue = async (number: number) =>
      (await town.alice.rest.issues.get({ owner: OWNER, repo: REPO, issue_number: number })).data.state
    expect(await issue(bead)).toBe('closed')
    expect(await issue(goal)).toBe('open')
  })
})

describe('an agent that tries to hang the tools', () => {
  it('had the FIFO and the pathological globs refused at once, and finished with a PR', async () => {
    expect(outcome, outcome.message).toMatchObject({ status: 'in_review' })
    const { data: pulls } = await town.alice.rest.pulls.list({ owner: OWNER, repo: REPO, state: 'all' })
    expect(pulls.find((pull) => pull.body?.includes(`Closes #${bead}`))).toBeDefined()
  })
})
