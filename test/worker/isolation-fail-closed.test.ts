/**
 * Fail closed: a worker that found no way to isolate the agent's commands fails the bead before any
 * agent work, saying what was tried and how to fix it; a repository that opted out with
 * `isolation: none` gets its run, with a loud warning on the progress comment and the job summary.
 */
import { afterEach, expect, it } from 'vitest'
import type { CommandIsolation } from '../../src/worker/agent/command-isolation.js'
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
  type Town,
  workerInputs,
} from './action/worker-town.js'

let town: Town | undefined

afterEach(async () => {
  await town?.close()
  town = undefined
})

const TRIED = [
  'PID namespace with a user namespace: unshare: write failed /proc/self/uid_map: Operation not permitted',
  'separate user through sudo: `sudo -n true` failed (sudo: spawn sudo ENOENT)',
]

/** Runs the fix-sum bead with no isolation found, in a repository with `config` as its gastown.yml. */
async function runUnisolated(config: string) {
  town = await startWorkerTown({}, { ...TODO_FILES, '.github/gastown.yml': config })
  const goal = await createGoal(town, 'Make sum() correct', 'sum() subtracts. Fix it and test it.')
  const bead = await createBeadIssue(town, {
    goal,
    key: 'fix-sum',
    role: 'developer',
    title: 'Fix sum() to add',
    description: 'sum(a, b) must return a + b.',
  })
  const workspace = await checkout(town, town.emulator.tokenFor(OWNER))
  const made = await workerDeps(town, { scenario: 'worker-town.yaml', runId: '701', workspace })
  made.deps.commandIsolation = null
  made.deps.isolationTried = TRIED
  const outcome = await main(workerInputs(bead), made.deps)
  // main put the opt-out's isolation (private HOME and TMPDIR) on the deps; run.ts closes it.
  await (made.deps.commandIsolation as CommandIsolation | null)?.close()
  const { data: comments } = await town.alice.rest.issues.listComments({
    owner: OWNER,
    repo: REPO,
    issue_number: bead,
  })
  const { data: pulls } = await town.alice.rest.pulls.list({ owner: OWNER, repo: REPO, state: 'all' })
  return { ...made, outcome, comments: comments.map((c) => c.body ?? '').join('\n'), pulls }
}

it('fails the bead before any agent work when no isolation works, naming what was tried and the fixes', async () => {
  const { outcome, prompts, pulls, comments, summaries } = await runUnisolated('review_rounds: 2\n')
  expect(outcome.status).toBe('failed')
  expect(outcome.message).toContain('cannot be isolated')
  for (const text of [outcome.message, comments]) {
    expect(text).toContain('uid_map: Operation not permitted')
    expect(text).toContain('passwordless sudo')
    expect(text).toContain('container job')
    expect(text).toContain('isolation: none')
  }
  expect(prompts, 'the model was asked nothing').toEqual([])
  expect(pulls).toEqual([])
  expect(
    await town!.emulator.git.resolveRef(`${OWNER}/${REPO}`, 'refs/heads/gastown/3-fix-sum-to-add'),
  ).toBeNull()
  expect(summaries.join('\n')).not.toContain('[!CAUTION]')
})

it('runs unisolated under `isolation: none`, and says so loudly on the progress comment and the job summary', async () => {
  const { outcome, comments, summaries, pulls } = await runUnisolated('review_rounds: 2\nisolation: none\n')
  expect(outcome.status, outcome.message).toBe('in_review')
  expect(pulls).toHaveLength(1)
  expect(comments).toContain('> [!WARNING]')
  expect(comments).toContain('ran WITHOUT isolation')
  expect(summaries.join('\n')).toContain('> [!CAUTION]')
  expect(summaries.join('\n')).toContain('ran WITHOUT isolation')
})
