import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import type { Emulator } from '../../../src/sandbox/emulator/emulator.js'
import { octokitAs, openPull as openPullAs, startTown, statusOf } from './emulator-fixture.js'
import { removeClones } from './git-client.js'
import { startReceiver, type WebhookReceiver } from './webhook-receiver.js'

let emulator: Emulator
let receiver: WebhookReceiver

beforeEach(async () => {
  receiver = await startReceiver()
  emulator = await startTown({ webhookUrl: receiver.url })
})

afterEach(async () => {
  await emulator?.close()
  await receiver?.close()
  await removeClones()
})

const repo = { owner: 'alice', repo: 'town' }

/** Bob pushes a branch from main with `files` and opens a PR for it. */
const openPull = async (branch: string, files: Record<string, string>) =>
  (await openPullAs(emulator, branch, files)).number

const read = async (pull_number: number) =>
  (await octokitAs(emulator, 'bob').rest.pulls.get({ ...repo, pull_number })).data

describe('mergeability, update-branch and synchronize', () => {
  it('answers clean, then behind after another merge, then dirty for a PR that rewrote the same lines', async () => {
    const a = await openPull('a', { 'README.md': '# Town of A\n' })
    const b = await openPull('b', { 'src/b.ts': 'export const b = 1\n' })
    const c = await openPull('c', { 'README.md': '# Town of C\n' })
    for (const n of [a, b, c])
      expect(await read(n)).toMatchObject({ mergeable: true, mergeable_state: 'clean' })

    await octokitAs(emulator, 'alice').rest.pulls.merge({ ...repo, pull_number: a })
    expect(await read(b)).toMatchObject({ mergeable: true, mergeable_state: 'behind' })
    expect(await read(c)).toMatchObject({ mergeable: false, mergeable_state: 'dirty' })
    expect(emulator.violations()).toEqual([])
  })

  it('update-branch merges the base into a behind PR (202), sends synchronize, and the PR is clean again', async () => {
    const a = await openPull('a', { 'README.md': '# Town of A\n' })
    const b = await openPull('b', { 'src/b.ts': 'export const b = 1\n' })
    const alice = octokitAs(emulator, 'alice')
    await alice.rest.pulls.merge({ ...repo, pull_number: a })
    const before = await read(b)
    receiver.received.length = 0

    const answer = await alice.rest.pulls.updateBranch({
      ...repo,
      pull_number: b,
      expected_head_sha: before.head.sha,
    })
    expect(answer.status).toBe(202)
    expect(answer.data.message).toBe('Updating pull request branch.')
    const after = await read(b)
    expect(after.head.sha).not.toBe(before.head.sha)
    expect(after).toMatchObject({ mergeable: true, mergeable_state: 'clean' })
    const sync = receiver.received.find(
      (d) => d.headers['x-github-event'] === 'pull_request' && d.payload.action === 'synchronize',
    )
    expect(sync?.payload).toMatchObject({ before: before.head.sha, after: after.head.sha })
    expect(emulator.violations()).toEqual([])
  })

  it('update-branch answers 422 when the PR is not behind, when the expected head moved, and on a conflict', async () => {
    const a = await openPull('a', { 'README.md': '# Town of A\n' })
    const c = await openPull('c', { 'README.md': '# Town of C\n' })
    const alice = octokitAs(emulator, 'alice')
    const notBehind = await statusOf(alice.rest.pulls.updateBranch({ ...repo, pull_number: a }))
    expect(notBehind).toEqual({ status: 422, message: 'There are no new commits on the base branch.' })
    const stale = await statusOf(
      alice.rest.pulls.updateBranch({ ...repo, pull_number: a, expected_head_sha: '0'.repeat(40) }),
    )
    expect(stale.status).toBe(422)
    await alice.rest.pulls.merge({ ...repo, pull_number: a })
    const conflict = await statusOf(alice.rest.pulls.updateBranch({ ...repo, pull_number: c }))
    expect(conflict).toEqual({ status: 422, message: 'merge conflict between base and head' })
    expect(emulator.violations()).toEqual([])
  })

  it('combines commit statuses and lists check runs of a commit', async () => {
    const a = await openPull('a', { 'README.md': '# Town of A\n' })
    const bob = octokitAs(emulator, 'bob')
    const sha = (await read(a)).head.sha
    const none = await bob.rest.repos.getCombinedStatusForRef({ ...repo, ref: sha })
    expect(none.data).toMatchObject({ state: 'pending', total_count: 0 })
    await bob.rest.repos.createCommitStatus({ ...repo, sha, state: 'failure', context: 'ci' })
    await bob.rest.repos.createCommitStatus({ ...repo, sha, state: 'success', context: 'ci' })
    const combined = await bob.rest.repos.getCombinedStatusForRef({ ...repo, ref: sha })
    expect(combined.data).toMatchObject({ state: 'success', total_count: 1 })
    await bob.rest.checks.create({ ...repo, name: 'test', head_sha: sha, conclusion: 'failure' })
    const runs = await bob.rest.checks.listForRef({ ...repo, ref: sha })
    expect(runs.data.check_runs.map((r) => [r.name, r.conclusion])).toEqual([['test', 'failure']])
    expect(emulator.violations()).toEqual([])
  })
})
