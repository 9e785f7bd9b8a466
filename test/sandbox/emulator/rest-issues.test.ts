import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import type { Emulator } from '../../../src/sandbox/emulator/emulator.js'
import { mkdtemp, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Octokit } from '@octokit/rest'
import { octokitAs, quietLog, startTown, statusOf } from './emulator-fixture.js'

let emulator: Emulator

beforeEach(async () => {
  emulator = await startTown()
})

afterEach(async () => {
  await emulator?.close()
})

describe('issues', () => {
  it('creates, reads, edits and closes an issue with GitHub-shaped answers and no spec violations', async () => {
    const bob = octokitAs(emulator, 'bob')
    const created = await bob.rest.issues.create({
      owner: 'alice',
      repo: 'town',
      title: 'Build a todo API',
      body: 'CRUD',
      labels: ['gastown:goal'],
    })
    expect(created.status).toBe(201)
    expect(created.data).toMatchObject({
      number: 1,
      state: 'open',
      title: 'Build a todo API',
      user: { login: 'bob', type: 'User' },
    })
    expect(created.data.labels.map((l) => (typeof l === 'string' ? l : l.name))).toEqual(['gastown:goal'])
    expect(created.headers['x-github-request-id']).toBeTruthy()
    expect(created.headers['x-ratelimit-remaining']).toBe('4999')

    const fetched = await bob.rest.issues.get({ owner: 'alice', repo: 'town', issue_number: 1 })
    expect(fetched.data.id).toBe(created.data.id)

    const closed = await bob.rest.issues.update({
      owner: 'alice',
      repo: 'town',
      issue_number: 1,
      state: 'closed',
      state_reason: 'not_planned',
      title: 'Renamed',
    })
    expect(closed.data).toMatchObject({
      state: 'closed',
      state_reason: 'not_planned',
      title: 'Renamed',
      closed_by: { login: 'bob' },
    })
    const reopened = await bob.rest.issues.update({
      owner: 'alice',
      repo: 'town',
      issue_number: 1,
      state: 'open',
    })
    expect(reopened.data).toMatchObject({ state: 'open', state_reason: 'reopened', closed_at: null })
    const completed = await bob.rest.issues.update({
      owner: 'alice',
      repo: 'town',
      issue_number: 1,
      state: 'closed',
    })
    expect(completed.data.state_reason).toBe('completed')
    expect(emulator.violations()).toEqual([])
  })

  it('lists issues filtered by state and labels, newest first, paginated with Link headers', async () => {
    const alice = octokitAs(emulator, 'alice')
    for (let i = 1; i <= 5; i++) {
      await alice.rest.issues.create({
        owner: 'alice',
        repo: 'town',
        title: `bead ${i}`,
        labels: i % 2 ? ['gastown:bead', 'odd'] : ['gastown:bead'],
      })
    }
    await alice.rest.issues.update({ owner: 'alice', repo: 'town', issue_number: 5, state: 'closed' })
    const open = await alice.rest.issues.listForRepo({
      owner: 'alice',
      repo: 'town',
      labels: 'gastown:bead,odd',
    })
    expect(open.data.map((i) => i.number)).toEqual([3, 1])
    const all = await alice.rest.issues.listForRepo({
      owner: 'alice',
      repo: 'town',
      state: 'all',
      per_page: 2,
      page: 2,
    })
    expect(all.data.map((i) => i.number)).toEqual([3, 2])
    expect(all.headers.link).toContain('rel="next"')
    expect(all.headers.link).toContain('rel="prev"')
    expect(all.headers.link).toContain('page=3')
    const everything = await alice.paginate(alice.rest.issues.listForRepo, {
      owner: 'alice',
      repo: 'town',
      state: 'all',
      per_page: 2,
    })
    expect(everything.map((i) => i.number)).toEqual([5, 4, 3, 2, 1])
    expect(emulator.violations()).toEqual([])
  })

  it('refuses what an actor may not do: 401 for a bad token, 403 for a read user creating a label, 404 for a missing issue', async () => {
    const stranger = new Octokit({ baseUrl: emulator.apiUrl, auth: 'ghp_not-a-real-token', log: quietLog })
    expect(
      await statusOf(stranger.rest.issues.get({ owner: 'alice', repo: 'town', issue_number: 1 })),
    ).toEqual({ status: 401, message: 'Bad credentials' })
    const rita = octokitAs(emulator, 'rita')
    expect(
      (await statusOf(rita.rest.issues.createLabel({ owner: 'alice', repo: 'town', name: 'x' }))).status,
    ).toBe(403)
    expect(
      (await statusOf(rita.rest.issues.get({ owner: 'alice', repo: 'town', issue_number: 99 }))).status,
    ).toBe(404)
    // A read user may open an issue, but GitHub silently drops the labels it may not apply.
    const issue = await rita.rest.issues.create({
      owner: 'alice',
      repo: 'town',
      title: 'question',
      labels: ['gastown:goal'],
    })
    expect(issue.data.labels).toEqual([])
    expect(
      (
        await statusOf(
          octokitAs(emulator, 'bob').rest.issues.update({
            owner: 'alice',
            repo: 'town',
            issue_number: 99,
            title: 'x',
          }),
        )
      ).status,
    ).toBe(404)
    const triaged = await octokitAs(emulator, 'tina').rest.issues.addLabels({
      owner: 'alice',
      repo: 'town',
      issue_number: 1,
      labels: ['triaged'],
    })
    expect(triaged.data.map((l) => l.name)).toEqual(['triaged'])
    expect(emulator.violations()).toEqual([])
  })

  it("answers 422 with GitHub's message and records a violation for a body the description refuses", async () => {
    const alice = octokitAs(emulator, 'alice')
    const untyped: string = 'POST /repos/{owner}/{repo}/issues'
    const refused = await statusOf(alice.request(untyped, { owner: 'alice', repo: 'town', body: 'no title' }))
    expect(refused).toEqual({ status: 422, message: 'Invalid request.\n\n"title" wasn\'t supplied.' })
    const unknown = await statusOf(
      alice.request('GET /repos/{owner}/{repo}/no-such-thing', { owner: 'alice', repo: 'town' }),
    )
    expect(unknown.status).toBe(404)
    const notEmulated = await statusOf(alice.rest.repos.listReleases({ owner: 'alice', repo: 'town' }))
    expect(notEmulated.status).toBe(404)
    expect(emulator.violations().map((v) => v.kind)).toEqual(['request', 'unknown-route', 'not-emulated'])
    expect(emulator.violations()[2]?.route).toBe('GET /repos/{owner}/{repo}/releases')
  })
})

describe('labels', () => {
  it('creates a label, refuses a duplicate with 422 already_exists, and adds, sets and removes issue labels', async () => {
    const alice = octokitAs(emulator, 'alice')
    const label = await alice.rest.issues.createLabel({
      owner: 'alice',
      repo: 'town',
      name: 'gastown:bead',
      color: 'ff0000',
      description: 'a bead',
    })
    expect(label.status).toBe(201)
    const duplicate = await alice.rest.issues
      .createLabel({ owner: 'alice', repo: 'town', name: 'Gastown:Bead' })
      .catch((e: { status: number; response: { data: unknown } }) => e)
    expect(duplicate).toMatchObject({
      status: 422,
      response: {
        data: {
          message: 'Validation Failed',
          errors: [{ resource: 'Label', code: 'already_exists', field: 'name' }],
        },
      },
    })
    expect(
      (await alice.rest.issues.getLabel({ owner: 'alice', repo: 'town', name: 'gastown:bead' })).data.color,
    ).toBe('ff0000')
    await alice.rest.issues.create({ owner: 'alice', repo: 'town', title: 't' })
    const added = await alice.rest.issues.addLabels({
      owner: 'alice',
      repo: 'town',
      issue_number: 1,
      labels: ['gastown:bead', 'gastown:status/ready'],
    })
    expect(added.data.map((l) => l.name)).toEqual(['gastown:bead', 'gastown:status/ready'])
    const set = await alice.rest.issues.setLabels({
      owner: 'alice',
      repo: 'town',
      issue_number: 1,
      labels: ['gastown:bead', 'gastown:status/in_progress'],
    })
    expect(set.data.map((l) => l.name)).toEqual(['gastown:bead', 'gastown:status/in_progress'])
    const removed = await alice.rest.issues.removeLabel({
      owner: 'alice',
      repo: 'town',
      issue_number: 1,
      name: 'gastown:bead',
    })
    expect(removed.data.map((l) => l.name)).toEqual(['gastown:status/in_progress'])
    expect(
      (
        await statusOf(
          alice.rest.issues.removeLabel({
            owner: 'alice',
            repo: 'town',
            issue_number: 1,
            name: 'gastown:bead',
          }),
        )
      ).status,
    ).toBe(404)
    const all = await alice.rest.issues.listLabelsForRepo({ owner: 'alice', repo: 'town' })
    expect(all.data.map((l) => l.name).sort()).toEqual([
      'gastown:bead',
      'gastown:status/in_progress',
      'gastown:status/ready',
    ])
    expect(emulator.violations()).toEqual([])
  })
})

describe('comments', () => {
  it('creates, lists, gets and edits comments, counting them on the issue', async () => {
    const bob = octokitAs(emulator, 'bob')
    await bob.rest.issues.create({ owner: 'alice', repo: 'town', title: 't' })
    const first = await bob.rest.issues.createComment({
      owner: 'alice',
      repo: 'town',
      issue_number: 1,
      body: 'progress: 0/3',
    })
    await bob.rest.issues.createComment({ owner: 'alice', repo: 'town', issue_number: 1, body: 'second' })
    const edited = await bob.rest.issues.updateComment({
      owner: 'alice',
      repo: 'town',
      comment_id: first.data.id,
      body: 'progress: 1/3',
    })
    expect(edited.data.body).toBe('progress: 1/3')
    expect(
      (await bob.rest.issues.getComment({ owner: 'alice', repo: 'town', comment_id: first.data.id })).data
        .body,
    ).toBe('progress: 1/3')
    const list = await bob.rest.issues.listComments({ owner: 'alice', repo: 'town', issue_number: 1 })
    expect(list.data.map((c) => c.body)).toEqual(['progress: 1/3', 'second'])
    expect((await bob.rest.issues.get({ owner: 'alice', repo: 'town', issue_number: 1 })).data.comments).toBe(
      2,
    )
    const rita = octokitAs(emulator, 'rita')
    expect(
      (
        await statusOf(
          rita.rest.issues.updateComment({
            owner: 'alice',
            repo: 'town',
            comment_id: first.data.id,
            body: 'x',
          }),
        )
      ).status,
    ).toBe(403)
    expect(emulator.violations()).toEqual([])
  })
})

describe('request log', () => {
  it('records every request with actor, route template and status, and counts per route', async () => {
    const bob = octokitAs(emulator, 'bob')
    await bob.rest.issues.create({ owner: 'alice', repo: 'town', title: 't' })
    await bob.rest.issues.get({ owner: 'alice', repo: 'town', issue_number: 1 })
    await statusOf(bob.rest.issues.get({ owner: 'alice', repo: 'town', issue_number: 2 }))
    const entries = emulator.requests()
    expect(entries.map((e) => [e.actor, e.method, e.route, e.status])).toEqual([
      ['bob', 'POST', '/repos/{owner}/{repo}/issues', 201],
      ['bob', 'GET', '/repos/{owner}/{repo}/issues/{issue_number}', 200],
      ['bob', 'GET', '/repos/{owner}/{repo}/issues/{issue_number}', 404],
    ])
    expect(emulator.stats()['GET /repos/{owner}/{repo}/issues/{issue_number}']).toMatchObject({
      count: 2,
      statuses: { 200: 1, 404: 1 },
    })
  })

  it('writes the log as JSON lines to the configured file', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'gastown-log-'))
    const logFile = join(dir, 'requests.jsonl')
    const logged = await startTown({ logFile })
    await octokitAs(logged, 'rita').rest.issues.listForRepo({ owner: 'alice', repo: 'town' })
    await logged.close()
    const lines = (await readFile(logFile, 'utf8'))
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as Record<string, unknown>)
    expect(lines).toMatchObject([
      { actor: 'rita', method: 'GET', route: '/repos/{owner}/{repo}/issues', status: 200 },
    ])
    expect(typeof lines[0]?.ms).toBe('number')
    expect(typeof lines[0]?.time).toBe('string')
    await rm(dir, { recursive: true, force: true })
  })
})

describe('lifecycle and limits', () => {
  it('leaves nothing listening after close', async () => {
    const closing = await startTown()
    const url = closing.apiUrl
    await closing.close()
    await expect(fetch(`${url}/rate_limit`)).rejects.toThrow()
  })

  it('refuses anonymous requests with 403 once the 60 an hour are spent, and reads public repositories without a token', async () => {
    const get = () => fetch(`${emulator.apiUrl}/repos/alice/town/issues`)
    const anonymousWrite = await fetch(`${emulator.apiUrl}/repos/alice/town/issues`, {
      method: 'POST',
      body: JSON.stringify({ title: 'x' }),
    })
    expect(anonymousWrite.status).toBe(401)
    expect(((await anonymousWrite.json()) as { message: string }).message).toBe('Requires authentication')
    for (let i = 0; i < 59; i++) {
      const answer = await get()
      expect(answer.status).toBe(200)
      await answer.arrayBuffer()
    }
    const refused = await get()
    expect(refused.status).toBe(403)
    expect(refused.headers.get('x-ratelimit-remaining')).toBe('0')
    expect(((await refused.json()) as { message: string }).message).toMatch(/^API rate limit exceeded/)
  })
})
