/**
 * GitHub's `createPullRequest` mutation in the emulator, over real HTTP: a pull request from a pushed
 * branch with REST's webhook, its payload read after it is made (a worker reads its bead issue in the same
 * request), REST's refusals as GraphQL errors with nothing made, "Pull requests" write for a token, and
 * faults by mutation field.
 */
import { Octokit } from '@octokit/rest'
import { afterEach, describe, expect, it } from 'vitest'
import type { Emulator } from '../../../src/sandbox/emulator/emulator.js'
import { graphqlRefusal, octokitAs, startTown } from './emulator-fixture.js'
import { cloneRepo } from './git-client.js'
import { startReceiver, type WebhookReceiver } from './webhook-receiver.js'

let emulator: Emulator | undefined
let receiver: WebhookReceiver | undefined

afterEach(async () => {
  await emulator?.close()
  await receiver?.close()
  emulator = undefined
  receiver = undefined
})

const repo = { owner: 'alice', repo: 'town' }

const OPEN = `mutation($input: CreatePullRequestInput!, $issue: Int!) {
  createPullRequest(input: $input) {
    pullRequest { number title body headRefName baseRefName repository { issue(number: $issue) { number body } } }
  }
}`

type Opened = {
  createPullRequest: {
    pullRequest: {
      number: number
      title: string
      body: string
      headRefName: string
      baseRefName: string
      repository: { issue: { number: number; body: string } }
    }
  }
}

/** An issue, a pushed branch `gastown/<n>-work` and the repository's node id. */
async function setUp() {
  receiver = await startReceiver()
  const e = await startTown({ webhookUrl: receiver.url })
  emulator = e
  const bob = octokitAs(e, 'bob')
  const { data: issue } = await octokitAs(e, 'alice').rest.issues.create({
    ...repo,
    title: 'a bead',
    body: 'v1',
  })
  const branch = `gastown/${issue.number}-work`
  const copy = await cloneRepo(e.gitUrl, 'alice/town', e.tokenFor('bob'))
  await copy.git('checkout', '--quiet', '-b', branch)
  await copy.commit({ 'src/work.ts': 'export const work = 1\n' }, 'work')
  await copy.git('push', '--quiet', 'origin', branch)
  const { data: repository } = await bob.rest.repos.get(repo)
  const input = {
    repositoryId: repository.node_id,
    title: 'The work',
    body: `Closes #${issue.number}`,
    headRefName: branch,
    baseRefName: 'main',
  }
  return { e, bob, issue, branch, input }
}

describe('createPullRequest over GraphQL', () => {
  it('opens the pull request with the webhook of a REST create, and reads what the payload asks afterwards', async () => {
    const { e, bob, issue, branch, input } = await setUp()
    await e.settled()
    const before = receiver!.received.length
    const answer = await bob.graphql<Opened>(OPEN, { input, issue: issue.number })
    expect(answer.createPullRequest.pullRequest).toMatchObject({
      title: 'The work',
      body: `Closes #${issue.number}`,
      headRefName: branch,
      baseRefName: 'main',
      repository: { issue: { number: issue.number, body: 'v1' } },
    })
    const { data: pull } = await bob.rest.pulls.get({
      ...repo,
      pull_number: answer.createPullRequest.pullRequest.number,
    })
    expect(pull).toMatchObject({ state: 'open', user: { login: 'bob' }, head: { ref: branch } })
    await e.settled()
    expect(
      receiver!.received
        .slice(before)
        .map((d) => `${String(d.headers['x-github-event'])}.${String(d.payload.action)}`),
    ).toContain('pull_request.opened')
    const logged = e.requests().filter((entry) => entry.route === '/graphql')
    expect(logged.at(-1)).toMatchObject({ mutation: true, actor: 'bob' })
  })

  it("answers REST's refusals as GraphQL errors and makes nothing: a second PR for the branch, a branch that is not there", async () => {
    const { e, bob, issue, input } = await setUp()
    await bob.graphql<Opened>(OPEN, { input, issue: issue.number })
    const count = () => e.state.issuesOf('alice/town').filter((i) => i.pull).length
    const made = count()
    expect(await graphqlRefusal(bob.graphql(OPEN, { input, issue: issue.number }))).toMatchObject([
      { type: 'UNPROCESSABLE', message: expect.stringContaining('A pull request already exists') },
    ])
    expect(
      await graphqlRefusal(
        bob.graphql(OPEN, { input: { ...input, headRefName: 'no-such-branch' }, issue: 1 }),
      ),
    ).toMatchObject([{ type: 'UNPROCESSABLE' }])
    expect(count()).toBe(made)
  })

  it('needs "Pull requests" write on a token with permissions', async () => {
    const { e, issue, input } = await setUp()
    const token = e.actors.createRunToken('alice/town', { pull_requests: 'read', contents: 'write' })
    const reader = new Octokit({ baseUrl: e.apiUrl, auth: token })
    expect(await graphqlRefusal(reader.graphql(OPEN, { input, issue: issue.number }))).toMatchObject([
      { type: 'FORBIDDEN', message: 'Resource not accessible by integration' },
    ])
    const writer = new Octokit({
      baseUrl: e.apiUrl,
      auth: e.actors.createRunToken('alice/town', { pull_requests: 'write', issues: 'read' }),
    })
    const answer = await writer.graphql<Opened>(OPEN, { input, issue: issue.number })
    expect(answer.createPullRequest.pullRequest.headRefName).toBe(input.headRefName)
  })

  it('takes faults by mutation field', async () => {
    const { e, bob, issue, input } = await setUp()
    e.faults.add({ kind: 'status', status: 502, route: 'POST /graphql:createPullRequest', times: 1 })
    await expect(bob.graphql(OPEN, { input, issue: issue.number })).rejects.toMatchObject({ status: 502 })
    const answer = await bob.graphql<Opened>(OPEN, { input, issue: issue.number })
    expect(answer.createPullRequest.pullRequest.repository.issue.number).toBe(issue.number)
  })
})
