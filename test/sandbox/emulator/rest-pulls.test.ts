import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import type { Emulator } from '../../../src/sandbox/emulator/emulator.js'
import { octokitAs, startTown, statusOf } from './emulator-fixture.js'
import { cloneRepo, removeClones } from './git-client.js'
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

const events = () =>
  receiver.received.map((d) => `${String(d.headers['x-github-event'])}.${String(d.payload.action)}`)

/** Bob clones, works on a branch and pushes it. */
async function pushBranch(branch: string, files: Record<string, string>, message = 'work') {
  const copy = await cloneRepo(emulator.gitUrl, 'alice/town', emulator.tokenFor('bob'))
  await copy.git('checkout', '--quiet', '-b', branch)
  const sha = await copy.commit(files, message)
  await copy.git('push', '--quiet', 'origin', branch)
  return { copy, sha }
}

describe('pull requests over a real git host', () => {
  it('clones and pushes with a token, opens a PR, merges it as a real merge commit, and closes the issues it names', async () => {
    const alice = octokitAs(emulator, 'alice')
    const bob = octokitAs(emulator, 'bob')
    await alice.rest.issues.create({ owner: 'alice', repo: 'town', title: 'bead: api' })
    await alice.rest.issues.create({ owner: 'alice', repo: 'town', title: 'bead: tests' })
    const { sha } = await pushBranch(
      'gastown/1-api',
      { 'src/api.ts': 'export const api = 1\n' },
      'Add api\n\nGastown-Bead: #1',
    )

    const pr = await bob.rest.pulls.create({
      owner: 'alice',
      repo: 'town',
      title: 'API',
      head: 'gastown/1-api',
      base: 'main',
      body: 'Summary.\n\nCloses #1\nfixes #2',
    })
    expect(pr.status).toBe(201)
    expect(pr.data).toMatchObject({
      number: 3,
      state: 'open',
      head: { ref: 'gastown/1-api', sha },
      base: { ref: 'main' },
      additions: 1,
      changed_files: 1,
      commits: 1,
      mergeable: true,
    })
    const duplicate = await statusOf(
      bob.rest.pulls.create({
        owner: 'alice',
        repo: 'town',
        title: 'again',
        head: 'gastown/1-api',
        base: 'main',
      }),
    )
    expect(duplicate.status).toBe(422)

    const listed = await bob.rest.pulls.list({ owner: 'alice', repo: 'town', head: 'alice:gastown/1-api' })
    expect(listed.data.map((p) => p.number)).toEqual([3])
    // GitHub lists pull requests among issues, marked by a pull_request key.
    const issues = await bob.rest.issues.listForRepo({ owner: 'alice', repo: 'town' })
    expect(issues.data.map((i) => [i.number, Boolean(i.pull_request)])).toEqual([
      [3, true],
      [2, false],
      [1, false],
    ])

    const files = await bob.rest.pulls.listFiles({ owner: 'alice', repo: 'town', pull_number: 3 })
    expect(files.data).toMatchObject([
      {
        filename: 'src/api.ts',
        status: 'added',
        additions: 1,
        patch: '@@ -0,0 +1 @@\n+export const api = 1',
      },
    ])

    const merged = await alice.rest.pulls.merge({ owner: 'alice', repo: 'town', pull_number: 3 })
    expect(merged.data).toMatchObject({ merged: true, message: 'Pull Request successfully merged' })
    const checkout = await cloneRepo(emulator.gitUrl, 'alice/town', emulator.tokenFor('alice'))
    const mainBefore = (await checkout.git('rev-parse', 'HEAD~1')).trim()
    expect(await checkout.git('log', '-1', '--format=%P', merged.data.sha)).toBe(`${mainBefore} ${sha}`)
    expect(await checkout.git('log', '-1', '--format=%s', merged.data.sha)).toBe(
      'Merge pull request #3 from alice/gastown/1-api',
    )
    expect(await emulator.git.resolveRef('alice/town', 'refs/heads/main')).toBe(merged.data.sha)

    const after = await bob.rest.pulls.get({ owner: 'alice', repo: 'town', pull_number: 3 })
    expect(after.data).toMatchObject({
      state: 'closed',
      merged: true,
      merged_by: { login: 'alice' },
      merge_commit_sha: merged.data.sha,
    })
    expect(await statusOf(alice.rest.pulls.merge({ owner: 'alice', repo: 'town', pull_number: 3 }))).toEqual({
      status: 405,
      message: 'Pull Request is not mergeable',
    })
    for (const n of [1, 2]) {
      const closed = await bob.rest.issues.get({ owner: 'alice', repo: 'town', issue_number: n })
      expect(closed.data).toMatchObject({
        state: 'closed',
        state_reason: 'completed',
        closed_by: { login: 'alice' },
      })
    }
    await emulator.settled()
    expect(events()).toEqual([
      'issues.opened',
      'issues.opened',
      'pull_request.opened',
      'pull_request.closed',
      'issues.closed',
      'issues.closed',
    ])
    expect(receiver.received[3]?.payload).toMatchObject({
      pull_request: { merged: true },
      sender: { login: 'alice' },
    })
    expect(receiver.received[4]?.payload).toMatchObject({
      issue: { number: 1, state_reason: 'completed' },
      sender: { login: 'alice' },
    })
    expect(emulator.violations()).toEqual([])
  })

  it('answers 405 for a pull request that conflicts with its base', async () => {
    const bob = octokitAs(emulator, 'bob')
    await pushBranch('left', { 'README.md': '# Left\n' })
    await pushBranch('right', { 'README.md': '# Right\n' })
    await bob.rest.pulls.create({ owner: 'alice', repo: 'town', title: 'left', head: 'left', base: 'main' })
    await bob.rest.pulls.create({ owner: 'alice', repo: 'town', title: 'right', head: 'right', base: 'main' })
    await bob.rest.pulls.merge({ owner: 'alice', repo: 'town', pull_number: 1 })
    expect((await bob.rest.pulls.get({ owner: 'alice', repo: 'town', pull_number: 2 })).data.mergeable).toBe(
      false,
    )
    expect(await statusOf(bob.rest.pulls.merge({ owner: 'alice', repo: 'town', pull_number: 2 }))).toEqual({
      status: 405,
      message: 'Pull Request is not mergeable',
    })
    expect(emulator.violations()).toEqual([])
  })

  it('sends pull_request.labeled for a label on a pull request and synchronize when its head branch receives a push', async () => {
    const bob = octokitAs(emulator, 'bob')
    const { copy } = await pushBranch('feature', { 'a.txt': 'one\n' })
    await bob.rest.pulls.create({
      owner: 'alice',
      repo: 'town',
      title: 'feature',
      head: 'feature',
      base: 'main',
    })
    await bob.rest.issues.addLabels({
      owner: 'alice',
      repo: 'town',
      issue_number: 1,
      labels: ['gastown:bead'],
    })
    const second = await copy.commit({ 'a.txt': 'one\ntwo\n' }, 'more')
    await copy.git('push', '--quiet', 'origin', 'feature')
    await emulator.settled()
    // A label on a pull request is a pull_request event, not an issues event.
    expect(events()).toEqual(['pull_request.opened', 'pull_request.labeled', 'pull_request.synchronize'])
    expect(receiver.received[2]?.payload).toMatchObject({
      after: second,
      pull_request: { head: { sha: second } },
      sender: { login: 'bob' },
    })
    expect((await bob.rest.pulls.get({ owner: 'alice', repo: 'town', pull_number: 1 })).data.head.sha).toBe(
      second,
    )
    expect(emulator.violations()).toEqual([])
  })
})

describe('pull request reviews', () => {
  it('accepts inline comments on lines of the diff, refuses others with 422, and refuses self-approval', async () => {
    const bob = octokitAs(emulator, 'bob')
    const alice = octokitAs(emulator, 'alice')
    await pushBranch('feature', { 'src/index.ts': 'export const answer = 42\nexport const question = "?"\n' })
    await bob.rest.pulls.create({
      owner: 'alice',
      repo: 'town',
      title: 'feature',
      head: 'feature',
      base: 'main',
    })

    const review = await alice.rest.pulls.createReview({
      owner: 'alice',
      repo: 'town',
      pull_number: 1,
      event: 'REQUEST_CHANGES',
      body: 'Please rename.',
      comments: [{ path: 'src/index.ts', line: 2, side: 'RIGHT', body: 'Name it better.' }],
    })
    expect(review.data).toMatchObject({ state: 'CHANGES_REQUESTED', user: { login: 'alice' } })
    const outside = await statusOf(
      alice.rest.pulls.createReview({
        owner: 'alice',
        repo: 'town',
        pull_number: 1,
        event: 'COMMENT',
        body: 'x',
        comments: [{ path: 'src/index.ts', line: 40, body: 'no such line' }],
      }),
    )
    expect(outside).toEqual({ status: 422, message: 'Unprocessable Entity' })
    const otherFile = await statusOf(
      alice.rest.pulls.createReview({
        owner: 'alice',
        repo: 'town',
        pull_number: 1,
        event: 'COMMENT',
        body: 'x',
        comments: [{ path: 'README.md', line: 1, body: 'not in the diff' }],
      }),
    )
    expect(otherFile.status).toBe(422)
    expect(
      (
        await statusOf(
          bob.rest.pulls.createReview({ owner: 'alice', repo: 'town', pull_number: 1, event: 'APPROVE' }),
        )
      ).status,
    ).toBe(422)
    expect(
      (
        await statusOf(
          bob.rest.pulls.createReview({
            owner: 'alice',
            repo: 'town',
            pull_number: 1,
            event: 'REQUEST_CHANGES',
            body: 'mine',
          }),
        )
      ).status,
    ).toBe(422)
    const comment = await bob.rest.pulls.createReview({
      owner: 'alice',
      repo: 'town',
      pull_number: 1,
      event: 'COMMENT',
      body: 'Noted.',
    })
    expect(comment.data.state).toBe('COMMENTED')

    const reviews = await bob.rest.pulls.listReviews({ owner: 'alice', repo: 'town', pull_number: 1 })
    expect(reviews.data.map((r) => r.state)).toEqual(['CHANGES_REQUESTED', 'COMMENTED'])
    const comments = await bob.rest.pulls.listReviewComments({ owner: 'alice', repo: 'town', pull_number: 1 })
    expect(comments.data).toMatchObject([
      {
        path: 'src/index.ts',
        line: 2,
        side: 'RIGHT',
        body: 'Name it better.',
        pull_request_review_id: review.data.id,
      },
    ])
    expect(comments.data[0]?.diff_hunk).toContain('+export const question')
    const reply = await bob.rest.pulls.createReplyForReviewComment({
      owner: 'alice',
      repo: 'town',
      pull_number: 1,
      comment_id: comments.data[0]?.id ?? 0,
      body: 'Renamed.',
    })
    expect(reply.data).toMatchObject({
      in_reply_to_id: comments.data[0]?.id,
      path: 'src/index.ts',
      line: 2,
      user: { login: 'bob' },
    })
    await emulator.settled()
    expect(events()).toEqual([
      'pull_request.opened',
      'pull_request_review.submitted',
      'pull_request_review.submitted',
      'pull_request_review_comment.created',
    ])
    expect(emulator.violations()).toEqual([])
  })
})

describe('git references', () => {
  it('creates a claim ref once, answers 422 "Reference already exists" the second time, and lists, moves and deletes refs', async () => {
    const bob = octokitAs(emulator, 'bob')
    const main = await bob.rest.git.getRef({ owner: 'alice', repo: 'town', ref: 'heads/main' })
    const sha = main.data.object.sha
    const claim = await bob.rest.git.createRef({
      owner: 'alice',
      repo: 'town',
      ref: 'refs/gastown/claims/1-1',
      sha,
    })
    expect(claim.data).toMatchObject({ ref: 'refs/gastown/claims/1-1', object: { sha, type: 'commit' } })
    expect(
      await statusOf(
        bob.rest.git.createRef({ owner: 'alice', repo: 'town', ref: 'refs/gastown/claims/1-1', sha }),
      ),
    ).toEqual({ status: 422, message: 'Reference already exists' })
    await bob.rest.git.createRef({ owner: 'alice', repo: 'town', ref: 'refs/gastown/claims/2-1', sha })
    const matching = await bob.rest.git.listMatchingRefs({
      owner: 'alice',
      repo: 'town',
      ref: 'gastown/claims/',
    })
    expect(matching.data.map((r) => r.ref)).toEqual(['refs/gastown/claims/1-1', 'refs/gastown/claims/2-1'])

    const { sha: ahead } = await pushBranch('topic', { 'x.txt': 'x\n' })
    await bob.rest.git.createRef({ owner: 'alice', repo: 'town', ref: 'refs/heads/copy', sha: ahead })
    expect(
      await statusOf(bob.rest.git.updateRef({ owner: 'alice', repo: 'town', ref: 'heads/copy', sha })),
    ).toEqual({ status: 422, message: 'Update is not a fast forward' })
    const forced = await bob.rest.git.updateRef({
      owner: 'alice',
      repo: 'town',
      ref: 'heads/copy',
      sha,
      force: true,
    })
    expect(forced.data.object.sha).toBe(sha)
    await bob.rest.git.deleteRef({ owner: 'alice', repo: 'town', ref: 'heads/copy' })
    expect(
      (await statusOf(bob.rest.git.getRef({ owner: 'alice', repo: 'town', ref: 'heads/copy' }))).status,
    ).toBe(404)
    expect(
      (
        await statusOf(
          octokitAs(emulator, 'rita').rest.git.createRef({
            owner: 'alice',
            repo: 'town',
            ref: 'refs/heads/x',
            sha,
          }),
        )
      ).status,
    ).toBe(403)
    const branches = await bob.rest.repos.listBranches({ owner: 'alice', repo: 'town' })
    expect(branches.data.map((b) => b.name)).toEqual(['main', 'topic'])
    expect(
      (await bob.rest.repos.getBranch({ owner: 'alice', repo: 'town', branch: 'topic' })).data.commit.sha,
    ).toBe(ahead)
    expect(emulator.violations()).toEqual([])
  })
})

describe('repository contents', () => {
  it('answers the repository, files, directories, languages and the recursive tree from the git host', async () => {
    const rita = octokitAs(emulator, 'rita')
    const repo = await rita.rest.repos.get({ owner: 'alice', repo: 'town' })
    expect(repo.data).toMatchObject({
      full_name: 'alice/town',
      default_branch: 'main',
      permissions: { pull: true, push: false },
    })
    const file = await rita.rest.repos.getContent({ owner: 'alice', repo: 'town', path: 'src/index.ts' })
    const data = file.data as { content: string; encoding: string; type: string }
    expect(data.type).toBe('file')
    expect(Buffer.from(data.content, 'base64').toString('utf8')).toBe('export const answer = 42\n')
    const dir = await rita.rest.repos.getContent({ owner: 'alice', repo: 'town', path: 'src' })
    expect((dir.data as { name: string; type: string }[]).map((e) => [e.name, e.type])).toEqual([
      ['index.ts', 'file'],
      ['lib', 'dir'],
    ])
    expect(
      (await statusOf(rita.rest.repos.getContent({ owner: 'alice', repo: 'town', path: 'missing.md' })))
        .status,
    ).toBe(404)
    const languages = await rita.rest.repos.listLanguages({ owner: 'alice', repo: 'town' })
    expect(Object.keys(languages.data)).toEqual(['TypeScript'])
    const tree = await rita.rest.git.getTree({
      owner: 'alice',
      repo: 'town',
      tree_sha: 'main',
      recursive: 'true',
    })
    expect(tree.data.tree.map((e) => e.path)).toEqual([
      'README.md',
      'src',
      'src/index.ts',
      'src/lib',
      'src/lib/util.ts',
    ])
    const permission = await rita.rest.repos.getCollaboratorPermissionLevel({
      owner: 'alice',
      repo: 'town',
      username: 'tina',
    })
    expect(permission.data).toMatchObject({ permission: 'read', role_name: 'triage' })
    const bobs = await rita.rest.repos.getCollaboratorPermissionLevel({
      owner: 'alice',
      repo: 'town',
      username: 'bob',
    })
    expect(bobs.data.permission).toBe('write')
    expect(emulator.violations()).toEqual([])
  })
})
