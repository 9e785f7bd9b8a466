/**
 * The goal query: valid against GitHub's published schema, and answered by the emulator over real HTTP
 * from its state (issues, labels, closing pull requests with mergeability and reviews), with GitHub's
 * pagination and node limits.
 */
import { schema as github } from '@octokit/graphql-schema'
import { buildSchema, parse, validate, type GraphQLSchema } from 'graphql'
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { readGoalIssues } from '../../src/github/goal-query.js'
import { GOAL_ISSUES_QUERY } from '../../src/github/graphql-operations.js'
import type { Emulator } from '../../src/sandbox/emulator/emulator.js'
import { octokitAs, openPull as openPullAs, startTown } from '../sandbox/emulator/emulator-fixture.js'
import { removeClones } from '../sandbox/emulator/git-client.js'

const repo = { owner: 'alice', repo: 'town' }
let published: GraphQLSchema
let emulator: Emulator

beforeAll(() => {
  published = buildSchema(github.idl, { assumeValidSDL: true })
})
beforeEach(async () => {
  emulator = await startTown()
})
afterEach(async () => {
  await emulator?.close()
  await removeClones()
})

const graphqlAs = (login: string) => octokitAs(emulator, login)

const openPull = (branch: string, body: string, files: Record<string, string>) =>
  openPullAs(emulator, branch, files, body)

describe('the goal query', () => {
  it("validates against GitHub's published schema", () => {
    expect(validate(published, parse(GOAL_ISSUES_QUERY)).map((e) => e.message)).toEqual([])
  })

  it('fails validation when a field is not in the schema (the check is not empty)', () => {
    const wrong = GOAL_ISSUES_QUERY.replace('isDraft', 'isDrafty')
    expect(validate(published, parse(wrong)).map((e) => e.message)).toEqual([
      'Cannot query field "isDrafty" on type "PullRequest". Did you mean "isDraft"?',
    ])
  })

  it('reads the goal, its bead issues with labels and author, and the closing PR with state and reviews, in one request', async () => {
    const alice = octokitAs(emulator, 'alice')
    const goal = await alice.rest.issues.create({ ...repo, title: 'Goal', labels: ['gastown:goal'] })
    const bead = await alice.rest.issues.create({
      ...repo,
      title: 'Bead',
      body: 'do it',
      labels: ['gastown:bead', 'gastown:status/in_review'],
    })
    await alice.rest.issues.create({ ...repo, title: 'not a bead' })
    await alice.request('POST /repos/{owner}/{repo}/issues/{issue_number}/sub_issues', {
      ...repo,
      issue_number: goal.data.number,
      sub_issue_id: bead.data.id,
    })
    const pull = await openPull('gastown/2-bead', `Closes #${bead.data.number}`, { 'a.txt': 'a\n' })
    await alice.rest.pulls.createReview({
      ...repo,
      pull_number: pull.number,
      event: 'REQUEST_CHANGES',
      body: 'fix it',
    })
    const before = emulator.requests().length

    const read = await readGoalIssues(graphqlAs('alice'), repo, {
      goal: goal.data.number,
      label: 'gastown:bead',
      withGoal: true,
    })

    expect(
      emulator
        .requests()
        .slice(before)
        .map((r) => r.route),
    ).toEqual(['/graphql'])
    expect(read.goal).toMatchObject({ number: goal.data.number, labels: ['gastown:goal'], state: 'open' })
    // The plan's room under GitHub's cap of 100 sub-issues comes with the goal, not from a list.
    expect(read.goalSubIssues).toBe(1)
    expect(read.beads).toHaveLength(1)
    expect(read.beads[0]!.issue).toMatchObject({
      id: bead.data.id,
      node_id: bead.data.node_id,
      number: bead.data.number,
      body: 'do it',
      user: 'alice',
      state: 'open',
      labels: ['gastown:bead', 'gastown:status/in_review'],
    })
    expect(read.beads[0]!.pulls).toEqual([
      {
        number: pull.number,
        state: 'open',
        merged: false,
        mergeable: true,
        mergeableState: 'clean',
        headSha: pull.head.sha,
        draft: false,
        reviews: [expect.objectContaining({ user: 'alice', state: 'CHANGES_REQUESTED', body: 'fix it' })],
      },
    ])

    await alice.rest.pulls.merge({ ...repo, pull_number: pull.number })
    const after = await readGoalIssues(graphqlAs('alice'), repo, {
      goal: goal.data.number,
      label: 'gastown:bead',
      withGoal: false,
    })
    expect(after.goal).toBeNull()
    expect(after.beads[0]!.issue).toMatchObject({ state: 'closed', state_reason: 'completed' })
    expect(after.beads[0]!.pulls[0]).toMatchObject({ state: 'closed', merged: true, mergeable: null })
  })

  it('pages through more than 100 bead issues by cursor', async () => {
    // 103 issues in a row pass GitHub's secondary limit on content creation (80 a minute) only on a
    // faster clock: a thousand times, since the emulator creates more than 80 in 0.6 s.
    await emulator.close()
    emulator = await startTown({ timeScale: 1000 })
    const alice = octokitAs(emulator, 'alice')
    for (let i = 0; i < 103; i += 1) {
      await alice.rest.issues.create({ ...repo, title: `bead ${i}`, labels: ['gastown:bead'] })
    }
    const before = emulator.requests().length
    const read = await readGoalIssues(graphqlAs('alice'), repo, {
      goal: 1,
      label: 'gastown:bead',
      withGoal: true,
    })
    expect(read.beads.map((b) => b.issue.number)).toEqual(Array.from({ length: 103 }, (_, i) => i + 1))
    expect(emulator.requests().length - before).toBe(2)
  })

  it('answers no goal when the number is a pull request, and still reads the beads', async () => {
    const alice = octokitAs(emulator, 'alice')
    await alice.rest.issues.create({ ...repo, title: 'bead', labels: ['gastown:bead'] })
    const pull = await openPull('gastown/x', 'no link', { 'b.txt': 'b\n' })
    const read = await readGoalIssues(graphqlAs('alice'), repo, {
      goal: pull.number,
      label: 'gastown:bead',
      withGoal: true,
    })
    expect(read.goal).toBeNull()
    expect(read.beads.map((b) => b.issue.number)).toEqual([1])
  })
})

describe("the emulator's issue GraphQL keeps GitHub's limits", () => {
  const ask = (query: string, login = 'alice') =>
    graphqlAs(login)
      .graphql(query)
      .then(
        () => null,
        (error: { errors?: { type?: string; message: string }[] }) => error.errors ?? [],
      )

  it('refuses a connection without first, or with first over 100', async () => {
    expect(await ask('{ repository(owner: "alice", name: "town") { issues { nodes { number } } } }')).toEqual(
      [expect.objectContaining({ type: 'MISSING_PAGINATION_BOUNDARIES' })],
    )
    expect(
      await ask('{ repository(owner: "alice", name: "town") { issues(first: 101) { nodes { number } } } }'),
    ).toEqual([expect.objectContaining({ type: 'EXCESSIVE_PAGINATION' })])
  })

  it('refuses a query that could ask for more than 500,000 nodes', async () => {
    const errors = await ask(`{ repository(owner: "alice", name: "town") {
      issues(first: 100) { nodes { subIssues(first: 100) { nodes { labels(first: 100) { nodes { name } } } } } }
    } }`)
    expect(errors).toEqual([
      expect.objectContaining({ message: expect.stringContaining('exceeds the maximum limit of 500,000') }),
    ])
  })

  it('refuses an invalid field as GitHub does, from the published schema', async () => {
    expect(
      await ask('{ repository(owner: "alice", name: "town") { issue(number: 1) { notAField } } }'),
    ).toEqual([expect.objectContaining({ message: 'Cannot query field "notAField" on type "Issue".' })])
  })
})
