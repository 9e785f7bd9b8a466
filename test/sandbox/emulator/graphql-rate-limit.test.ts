/**
 * GraphQL's primary rate limit in the emulator: a query costs points by the requests its connections
 * need (GitHub's formula), spent from a budget of its own (5,000 an hour, 1,000 for a GITHUB_TOKEN),
 * reported in `x-ratelimit-*` headers with resource `graphql`, and refused with a RATE_LIMITED error
 * once spent, while REST's budget is untouched.
 */
import { Octokit } from '@octokit/rest'
import { parse } from 'graphql'
import { afterEach, describe, expect, it } from 'vitest'
import { GOAL_ISSUES_QUERY } from '../../../src/github/graphql-operations.js'
import type { Emulator } from '../../../src/sandbox/emulator/emulator.js'
import { rateLimitPoints } from '../../../src/sandbox/emulator/graphql-node-limit.js'
import { quietLog, startTown } from './emulator-fixture.js'

let emulator: Emulator | undefined

afterEach(async () => {
  await emulator?.close()
  emulator = undefined
})

/** 1 request for the issues, 100 for their closing PRs, 4,000 for those PRs' reviews: 41 points. */
const COSTLY = `query {
  repository(owner: "alice", name: "town") {
    issues(first: 100) {
      nodes { closedByPullRequestsReferences(first: 40) { nodes { reviews(first: 100) { nodes { state } } } } }
    }
  }
}`

describe('GraphQL points', () => {
  it("costs a query by GitHub's formula: the requests its connections need, over 100, at least 1", () => {
    // GitHub's own example: 1 + 100 + 5,000 requests = 51 points.
    const example = `query {
      viewer {
        login
        repositories(first: 100) {
          edges { node { id issues(first: 50) { edges { node { id labels(first: 60) { edges { node { id name } } } } } } } }
        }
      }
    }`
    expect(rateLimitPoints(parse(example), {})).toBe(51)
    expect(rateLimitPoints(parse('query { viewer { login } }'), {})).toBe(1)
    expect(rateLimitPoints(parse(COSTLY), {})).toBe(41)
    // The Mayor's goal query: its beads' labels and closing PRs (100 each) and those PRs' reviews (1,000).
    expect(rateLimitPoints(parse(GOAL_ISSUES_QUERY), { after: null })).toBe(12)
  })

  it('spends a budget of its own, says so in headers, and refuses with RATE_LIMITED once it is spent', async () => {
    emulator = await startTown()
    // A workflow run's token: 1,000 points an hour for its repository.
    const token = emulator.actors.createRunToken('alice/town', { issues: 'read', pull_requests: 'read' })
    const run = new Octokit({ baseUrl: emulator.apiUrl, auth: token, log: quietLog })
    // The answer itself, headers and all: Octokit's graphql() would throw away a RATE_LIMITED answer's headers.
    const url = emulator.graphqlUrl
    const ask = (body: { query: string }) => run.request(`POST ${url}`, body)
    const first = await ask({ query: COSTLY })
    expect(first.headers).toMatchObject({
      'x-ratelimit-resource': 'graphql',
      'x-ratelimit-limit': '1000',
      'x-ratelimit-used': '41',
      'x-ratelimit-remaining': '959',
    })
    for (let i = 1; i < 24; i += 1) await ask({ query: COSTLY })
    const spent = await ask({ query: COSTLY })
    expect(spent.status).toBe(200)
    expect(spent.data).toEqual({
      errors: [{ type: 'RATE_LIMITED', message: 'API rate limit exceeded for github-actions[bot].' }],
    })
    expect(spent.headers).toMatchObject({ 'x-ratelimit-used': '984', 'x-ratelimit-remaining': '16' })
    // A query that still fits goes through; REST's budget was never touched.
    const cheap = await ask({
      query: 'query { repository(owner: "alice", name: "town") { id } }',
    })
    expect(cheap.headers['x-ratelimit-used']).toBe('985')
    const { data: limits } = await run.request('GET /rate_limit')
    expect(limits.resources.graphql).toMatchObject({ limit: 1000, used: 985, remaining: 15 })
    expect(limits.resources.core.used).toBe(0)
    expect(
      emulator
        .requests()
        .filter((r) => r.route === '/graphql')
        .map((r) => r.points),
    ).toEqual([...Array.from({ length: 25 }, () => 41), 1])
  })
})
