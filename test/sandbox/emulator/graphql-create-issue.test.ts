/**
 * GitHub's `createIssue` mutation in the emulator, over real HTTP: an issue made with its labels and its
 * parent in one request sends the webhooks REST's create sends, counts against the content limits, and
 * is refused whole (nothing made) for an unknown label, a full parent, a body over GitHub's size or a
 * token without "Issues" write.
 */
import { Octokit } from '@octokit/rest'
import { afterEach, describe, expect, it } from 'vitest'
import type { Emulator } from '../../../src/sandbox/emulator/emulator.js'
import { MAX_SUB_ISSUES } from '../../../src/sandbox/emulator/limits.js'
import { graphqlRefusal, octokitAs, startTown } from './emulator-fixture.js'
import { startReceiver, type WebhookReceiver } from './webhook-receiver.js'

let emulator: Emulator | undefined
let receiver: WebhookReceiver | undefined
/** The emulator's clock, moved by hand so no test waits for a window to pass. */
let now = Date.parse('2026-01-01T00:00:00Z')

afterEach(async () => {
  await emulator?.close()
  await receiver?.close()
  emulator = undefined
  receiver = undefined
})

async function town(): Promise<Emulator> {
  now = Date.parse('2026-01-01T00:00:00Z')
  receiver = await startReceiver()
  emulator = await startTown({ clock: () => now, webhookUrl: receiver.url })
  return emulator
}

const repo = { owner: 'alice', repo: 'town' }

const CREATE = `mutation($repository: ID!, $title: String!, $body: String, $labels: [ID!], $parent: ID) {
  createIssue(input: { repositoryId: $repository, title: $title, body: $body, labelIds: $labels, parentIssueId: $parent }) {
    issue { id number title body labels(first: 10) { nodes { name } } parent { number } }
  }
}`

type Created = {
  createIssue: {
    issue: {
      id: string
      number: number
      title: string
      body: string
      labels: { nodes: { name: string }[] }
      parent: { number: number } | null
    }
  }
}

async function setUp(e: Emulator) {
  const alice = octokitAs(e, 'alice')
  const { data: goal } = await alice.rest.issues.create({ ...repo, title: 'goal' })
  const { data: label } = await alice.rest.issues.createLabel({
    ...repo,
    name: 'gastown:bead',
    color: 'bfd4f2',
  })
  const { data: repository } = await alice.rest.repos.get(repo)
  return { alice, goal, label, repositoryId: repository.node_id }
}

describe('createIssue over GraphQL', () => {
  it('makes the issue with its labels under its parent in one request, with the webhooks of a REST create', async () => {
    const e = await town()
    const { alice, goal, label, repositoryId } = await setUp(e)
    await e.settled()
    const before = receiver!.received.length
    const answer = await alice.graphql<Created>(CREATE, {
      repository: repositoryId,
      title: 'a bead',
      body: 'its body',
      labels: [label.node_id],
      parent: goal.node_id,
    })
    expect(answer.createIssue.issue).toMatchObject({
      number: goal.number + 1,
      title: 'a bead',
      body: 'its body',
      labels: { nodes: [{ name: 'gastown:bead' }] },
      parent: { number: goal.number },
    })
    const { data: subIssues } = await alice.request(
      'GET /repos/{owner}/{repo}/issues/{issue_number}/sub_issues',
      {
        ...repo,
        issue_number: goal.number,
      },
    )
    expect(subIssues.map((issue) => issue.number)).toEqual([goal.number + 1])
    await e.settled()
    expect(
      receiver!.received
        .slice(before)
        .map((d) => `${String(d.headers['x-github-event'])}.${String(d.payload.action)}`),
    ).toEqual(['issues.opened', 'issues.labeled'])
    const mutations = e.requests().filter((entry) => entry.route === '/graphql')
    expect(mutations.map((entry) => entry.mutation)).toEqual([true])
    expect(e.violations()).toEqual([])
  })

  it('refuses the whole mutation, making nothing, for an unknown label, a full parent or a body over the limit', async () => {
    const e = await town()
    const { alice, goal, label, repositoryId } = await setUp(e)
    const count = () => e.state.issuesOf('alice/town').length
    const made = count()

    const unknownLabel = await graphqlRefusal(
      alice.graphql(CREATE, {
        repository: repositoryId,
        title: 't',
        labels: ['LA_nothing'],
        parent: goal.node_id,
      }),
    )
    expect(unknownLabel).toMatchObject([
      { type: 'NOT_FOUND', message: "Could not resolve to a node with the global id of 'LA_nothing'" },
    ])

    const tooLong = await graphqlRefusal(
      alice.graphql(CREATE, {
        repository: repositoryId,
        title: 't',
        body: 'x'.repeat(65_537),
        labels: [label.node_id],
      }),
    )
    expect(tooLong).toMatchObject([
      { type: 'UNPROCESSABLE', message: 'body is too long (maximum is 65536 characters)' },
    ])

    const parent = e.state.issue('alice/town', goal.number)!
    parent.subIssueIds.push(...Array.from({ length: MAX_SUB_ISSUES }, (_, i) => 10_000_000 + i))
    const full = await graphqlRefusal(
      alice.graphql(CREATE, { repository: repositoryId, title: 't', parent: goal.node_id }),
    )
    expect(full).toMatchObject([
      { type: 'UNPROCESSABLE', message: 'Parent cannot have more than 100 sub-issues' },
    ])
    expect(count()).toBe(made)
  })

  it('needs "Issues" write on a token with permissions, and triage to place the issue under a parent', async () => {
    const e = await town()
    const { goal, repositoryId } = await setUp(e)
    const readOnly = e.actors.createRunToken('alice/town', { issues: 'read', contents: 'read' })
    const reader = new Octokit({ baseUrl: e.apiUrl, auth: readOnly })
    expect(
      await graphqlRefusal(reader.graphql(CREATE, { repository: repositoryId, title: 't' })),
    ).toMatchObject([{ type: 'FORBIDDEN', message: 'Resource not accessible by integration' }])
    // rita may read alice/town: she may open an issue, not place it under another.
    const rita = octokitAs(e, 'rita')
    expect(
      await graphqlRefusal(
        rita.graphql(CREATE, { repository: repositoryId, title: 't', parent: goal.node_id }),
      ),
    ).toMatchObject([{ type: 'FORBIDDEN' }])
    const opened = await rita.graphql<Created>(CREATE, { repository: repositoryId, title: 'rita asks' })
    expect(opened.createIssue.issue).toMatchObject({ title: 'rita asks', parent: null })
  })

  it('counts a mutation against the content limit: the 81st content-creating request in a minute is refused', async () => {
    const e = await town()
    const { alice, repositoryId } = await setUp(e)
    // setUp made two (an issue and a label); 78 more by REST fill the minute.
    for (let i = 0; i < 78; i += 1) await alice.rest.issues.create({ ...repo, title: `issue ${i}` })
    // A query reads: it is no content.
    await alice.graphql(`query { repository(owner: "alice", name: "town") { id } }`)
    let refused: { status: number; headers: Record<string, string> } | undefined
    try {
      await alice.graphql(CREATE, { repository: repositoryId, title: 'one too many' })
    } catch (error) {
      const e = error as { status: number; response: { headers: Record<string, string> } }
      refused = { status: e.status, headers: e.response.headers }
    }
    expect(refused).toMatchObject({ status: 403, headers: { 'retry-after': '60' } })
    now += 60_001
    const answer = await alice.graphql<Created>(CREATE, { repository: repositoryId, title: 'next minute' })
    expect(answer.createIssue.issue.title).toBe('next minute')
  })

  it('takes faults by mutation field: a create applied and answered 500 leaves its issue, queries untouched', async () => {
    const e = await town()
    const { alice, goal, repositoryId } = await setUp(e)
    e.faults.add({ kind: 'applied-then-500', route: 'POST /graphql:createIssue', times: 1 })
    e.faults.add({ kind: 'status', status: 502, route: 'POST /graphql', times: 1 })
    const lost = alice.graphql(CREATE, {
      repository: repositoryId,
      title: 'made but lost',
      parent: goal.node_id,
    })
    await expect(lost).rejects.toMatchObject({ status: 500 })
    const made = e.state.issuesOf('alice/town').find((issue) => issue.title === 'made but lost')
    expect(made?.parentId).toBe(e.state.issue('alice/town', goal.number)!.id)
    // The query rule fires on a query only.
    await expect(
      alice.graphql(`query { repository(owner: "alice", name: "town") { id } }`),
    ).rejects.toMatchObject({
      status: 502,
    })
    expect(e.faults.injected()).toEqual([
      { kind: 'applied-then-500', target: 'POST /graphql:createIssue' },
      { kind: 'status', target: 'POST /graphql' },
    ])
    expect(
      e
        .requests()
        .filter((r) => r.route === '/graphql')
        .map((r) => [r.fault, r.status]),
    ).toEqual([
      ['applied-then-500', 500],
      ['status 502', 502],
    ])
  })
})
