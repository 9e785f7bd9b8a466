import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import type { Emulator } from '../../../src/sandbox/emulator/emulator.js'
import { octokitAs, startTown, statusOf } from './emulator-fixture.js'

let emulator: Emulator

beforeEach(async () => {
  emulator = await startTown()
})

afterEach(async () => {
  await emulator?.close()
})

/** Creates issues titled by `titles` as alice and answers their ids by number. */
async function issues(...titles: string[]): Promise<Map<number, number>> {
  const alice = octokitAs(emulator, 'alice')
  const ids = new Map<number, number>()
  for (const title of titles) {
    const created = await alice.rest.issues.create({ owner: 'alice', repo: 'town', title })
    ids.set(created.data.number, created.data.id)
  }
  return ids
}

describe('sub-issues', () => {
  it('links children by issue id, lists them, answers the parent, and counts them in sub_issues_summary', async () => {
    const ids = await issues('goal', 'bead a', 'bead b')
    const alice = octokitAs(emulator, 'alice')
    const link = (number: number) =>
      alice.request('POST /repos/{owner}/{repo}/issues/{issue_number}/sub_issues', {
        owner: 'alice',
        repo: 'town',
        issue_number: 1,
        sub_issue_id: ids.get(number) ?? 0,
      })
    expect((await link(2)).status).toBe(201)
    await link(3)
    // The number of an issue is not its id: GitHub looks the id up and finds nothing.
    const byNumber = await statusOf(
      alice.request('POST /repos/{owner}/{repo}/issues/{issue_number}/sub_issues', {
        owner: 'alice',
        repo: 'town',
        issue_number: 1,
        sub_issue_id: 2,
      }),
    )
    expect(byNumber.status).toBe(404)
    expect((await statusOf(link(2))).status).toBe(422)
    const children = await alice.request('GET /repos/{owner}/{repo}/issues/{issue_number}/sub_issues', {
      owner: 'alice',
      repo: 'town',
      issue_number: 1,
    })
    expect((children.data as { number: number }[]).map((i) => i.number)).toEqual([2, 3])
    const parent = await alice.request('GET /repos/{owner}/{repo}/issues/{issue_number}/parent', {
      owner: 'alice',
      repo: 'town',
      issue_number: 3,
    })
    expect((parent.data as { number: number }).number).toBe(1)
    await alice.rest.issues.update({ owner: 'alice', repo: 'town', issue_number: 2, state: 'closed' })
    const goal = await alice.rest.issues.get({ owner: 'alice', repo: 'town', issue_number: 1 })
    expect((goal.data as { sub_issues_summary?: unknown }).sub_issues_summary).toEqual({
      total: 2,
      completed: 1,
      percent_completed: 50,
    })
    const rita = octokitAs(emulator, 'rita')
    expect(
      (
        await statusOf(
          rita.request('POST /repos/{owner}/{repo}/issues/{issue_number}/sub_issues', {
            owner: 'alice',
            repo: 'town',
            issue_number: 1,
            sub_issue_id: ids.get(3) ?? 0,
          }),
        )
      ).status,
    ).toBe(403)
    expect(emulator.violations()).toEqual([])
  })
})

describe('issue dependencies', () => {
  it('records blocked-by links by issue id, lists both directions, refuses cycles, and removes a link', async () => {
    const ids = await issues('schema', 'routes', 'tests')
    const alice = octokitAs(emulator, 'alice')
    const block = (issue: number, blocker: number) =>
      alice.request('POST /repos/{owner}/{repo}/issues/{issue_number}/dependencies/blocked_by', {
        owner: 'alice',
        repo: 'town',
        issue_number: issue,
        issue_id: ids.get(blocker) ?? 0,
      })
    expect((await block(2, 1)).status).toBe(201)
    await block(3, 2)
    expect((await statusOf(block(1, 3))).status).toBe(422)
    expect((await statusOf(block(2, 1))).status).toBe(422)
    const blockedBy = await alice.request(
      'GET /repos/{owner}/{repo}/issues/{issue_number}/dependencies/blocked_by',
      { owner: 'alice', repo: 'town', issue_number: 3 },
    )
    expect((blockedBy.data as { number: number }[]).map((i) => i.number)).toEqual([2])
    const blocking = await alice.request(
      'GET /repos/{owner}/{repo}/issues/{issue_number}/dependencies/blocking',
      { owner: 'alice', repo: 'town', issue_number: 1 },
    )
    expect((blocking.data as { number: number }[]).map((i) => i.number)).toEqual([2])
    const summary = (await alice.rest.issues.get({ owner: 'alice', repo: 'town', issue_number: 2 })).data as {
      issue_dependencies_summary?: unknown
    }
    expect(summary.issue_dependencies_summary).toEqual({
      blocked_by: 1,
      total_blocked_by: 1,
      blocking: 1,
      total_blocking: 1,
    })
    await alice.request(
      'DELETE /repos/{owner}/{repo}/issues/{issue_number}/dependencies/blocked_by/{issue_id}',
      { owner: 'alice', repo: 'town', issue_number: 3, issue_id: ids.get(2) ?? 0 },
    )
    const after = await alice.request(
      'GET /repos/{owner}/{repo}/issues/{issue_number}/dependencies/blocked_by',
      { owner: 'alice', repo: 'town', issue_number: 3 },
    )
    expect(after.data).toEqual([])
    expect(emulator.violations()).toEqual([])
  })
})

describe('GraphQL and rate limits', () => {
  it('serves the Projects v2 endpoint at /api/graphql for an authenticated actor, resolving issue node ids', async () => {
    const project = emulator.graphql.createProject({
      owner: 'alice',
      title: 'Town board',
      statusOptions: ['Todo', 'Done'],
    })
    const alice = octokitAs(emulator, 'alice')
    const issue = await alice.rest.issues.create({ owner: 'alice', repo: 'town', title: 'bead' })
    const added = await alice.graphql<{ addProjectV2ItemById: { item: { id: string } } }>(
      `mutation($projectId: ID!, $contentId: ID!) { addProjectV2ItemById(input: { projectId: $projectId, contentId: $contentId }) { item { id } } }`,
      { projectId: project.id, contentId: issue.data.node_id },
    )
    expect(added.addProjectV2ItemById.item.id).toBeTruthy()
    expect(emulator.graphql.snapshot('alice', project.number)).toEqual([
      { content: 'alice/town#1', status: null },
    ])
    const anonymous = await fetch(emulator.graphqlUrl, {
      method: 'POST',
      body: JSON.stringify({ query: '{ viewer { login } }' }),
    })
    expect(anonymous.status).toBe(401)
    await anonymous.arrayBuffer()
    expect(emulator.stats()['POST /graphql']).toMatchObject({ count: 2, statuses: { 200: 1, 401: 1 } })
  })

  it('reports the budget in x-ratelimit headers on every answer and at GET /rate_limit, which costs nothing', async () => {
    const bob = octokitAs(emulator, 'bob')
    const first = await bob.rest.issues.listForRepo({ owner: 'alice', repo: 'town' })
    expect(first.headers).toMatchObject({
      'x-ratelimit-limit': '5000',
      'x-ratelimit-remaining': '4999',
      'x-ratelimit-used': '1',
      'x-ratelimit-resource': 'core',
    })
    const limits = await bob.rest.rateLimit.get()
    expect(limits.data.resources.core).toMatchObject({ limit: 5000, used: 1, remaining: 4999 })
    expect(limits.data.rate.remaining).toBe(4999)
    const second = await bob.rest.issues.listForRepo({ owner: 'alice', repo: 'town' })
    expect(second.headers['x-ratelimit-remaining']).toBe('4998')
    // REST is served at the root as well as under /api/v3.
    const root = await fetch(`${emulator.url}/repos/alice/town`, {
      headers: { authorization: `token ${emulator.tokenFor('bob')}` },
    })
    expect(root.status).toBe(200)
    expect((await root.json()) as { full_name: string }).toMatchObject({ full_name: 'alice/town' })
    expect(emulator.violations()).toEqual([])
  })
})
