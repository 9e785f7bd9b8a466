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
  redispatch,
  startWorkerTown,
  workerDeps,
  type Town,
  workerInputs,
} from './action/worker-town.js'

let town: Town

beforeEach(async () => {
  town = await startWorkerTown()
})

afterEach(async () => {
  await town?.close()
})

async function runWorker(bead: number, attempt: number, runId: string) {
  const workspace = await checkout(town, town.emulator.tokenFor(OWNER))
  const made = await workerDeps(town, { scenario: 'rebase.yaml', runId, workspace })
  const outcome = await main(workerInputs(bead, attempt), made.deps)
  return { outcome, ...made }
}

/** Another PR landed on main meanwhile: it rewrote the README's last line too. */
async function moveMainUnder() {
  // A person's clone, which keeps its credentials to push.
  const dir = await checkout(town, town.emulator.tokenFor(OWNER), { persist: true })
  await git(dir, [
    '-c',
    'user.name=alice',
    '-c',
    'user.email=alice@example.com',
    'commit',
    '--quiet',
    '--allow-empty',
    '-m',
    'placeholder',
  ])
  const { writeFile } = await import('node:fs/promises')
  await writeFile(
    `${dir}/README.md`,
    '# Todo\n\nA tiny module. Run the tests with `node --test`.\n- whisper(text): the text in lower case.\n',
  )
  await git(dir, [
    '-c',
    'user.name=alice',
    '-c',
    'user.email=a@example.com',
    'commit',
    '-qam',
    'Add whisper (#9)',
  ])
  await git(dir, ['push', '--quiet', 'origin', 'HEAD:main'])
  return (await git(dir, ['rev-parse', 'HEAD'])).trim()
}

async function beadNamed(key: string) {
  const goal = await createGoal(town, 'List the helpers', 'Each helper is listed in the README.')
  return createBeadIssue(town, {
    goal,
    key,
    role: 'developer',
    title: `List ${key}()`,
    description: `Add ${key}() to the README list.`,
  })
}

async function readBead(number: number) {
  const { data } = await town.alice.rest.issues.get({ owner: OWNER, repo: REPO, issue_number: number })
  const decoded = decodeBead({
    ...data,
    labels: data.labels.map((l) => (typeof l === 'string' ? l : l.name!)),
  })
  if (!decoded.ok) throw new Error(decoded.error.message)
  return decoded.bead
}

describe('a rebase attempt', () => {
  it('merges main into the branch, hands the conflict to the agent, and updates the same PR with a merge commit', async () => {
    const bead = await beadNamed('shout')
    const first = await runWorker(bead, 1, '601')
    expect(first.outcome).toMatchObject({ status: 'in_review' })
    const pr = first.outcome.prNumber!
    const mainSha = await moveMainUnder()
    const stale = await town.alice.rest.pulls.get({ owner: OWNER, repo: REPO, pull_number: pr })
    expect(stale.data).toMatchObject({ mergeable: false, mergeable_state: 'dirty' })

    await redispatch(town, bead)
    const second = await runWorker(bead, 2, '602')
    expect(second.outcome).toMatchObject({ status: 'in_review', prNumber: pr })
    // The task message told the agent which file conflicts and what was merged.
    const task = second.prompts.find((p) => p.includes('Conflicts to resolve'))!
    expect(task).toContain('`README.md`')
    expect(task).toContain('Add whisper (#9)')

    const pulls = (await town.alice.rest.pulls.list({ owner: OWNER, repo: REPO, state: 'all' })).data
    expect(pulls.map((p) => p.number)).toEqual([pr])
    const fresh = await town.alice.rest.pulls.get({ owner: OWNER, repo: REPO, pull_number: pr })
    expect(fresh.data).toMatchObject({ mergeable: true, mergeable_state: 'clean' })
    const mirror = await checkout(town, town.emulator.tokenFor(OWNER), { persist: true })
    await git(mirror, ['fetch', '--quiet', 'origin', fresh.data.head.ref])
    const parents = (await git(mirror, ['log', '-1', '--format=%P', 'FETCH_HEAD'])).trim().split(' ')
    expect(parents).toHaveLength(2)
    expect(parents[1]).toBe(mainSha)
    const readme = await git(mirror, ['show', 'FETCH_HEAD:README.md'])
    expect(readme).toContain('- shout(text)')
    expect(readme).toContain('- whisper(text)')
    expect(readme).not.toMatch(/^(<<<<<<<|=======|>>>>>>>)/m)
    const after = await readBead(bead)
    expect(after).toMatchObject({ status: 'in_review', pr, conflicts: ['README.md'] })
    expect(after.rebasing).toBeUndefined()
    // What a rebase attempt costs in GitHub requests, for the report.
    console.info(`a rebase attempt sent ${second.sent.length} GitHub API requests`)
  })

  it('refuses to push while a conflicted file still holds markers, and fails the bead saying which', async () => {
    const bead = await beadNamed('stubborn')
    const first = await runWorker(bead, 1, '611')
    const pr = first.outcome.prNumber!
    const before = (await town.alice.rest.pulls.get({ owner: OWNER, repo: REPO, pull_number: pr })).data.head
      .sha
    await moveMainUnder()
    await redispatch(town, bead)
    const second = await runWorker(bead, 2, '612')
    expect(second.outcome.status).toBe('failed')
    expect(second.outcome.message).toMatch(/README\.md still holds conflict markers/)
    const after = (await town.alice.rest.pulls.get({ owner: OWNER, repo: REPO, pull_number: pr })).data
    expect(after.head.sha).toBe(before)
    expect((await readBead(bead)).error).toMatch(/conflict markers/)
  })
})
