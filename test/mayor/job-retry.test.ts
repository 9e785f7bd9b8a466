import { Octokit } from '@octokit/rest'
import { describe, expect, it } from 'vitest'
import { GitHubRefusal } from '../../src/github/github-error.js'
import { failedRequest, jobRetryDelayMs, passingFailure } from '../../src/mayor/job-retry.js'
import { quietLog, startTown } from '../sandbox/emulator/emulator-fixture.js'

const NOW = 1_700_000_000_000

/** An Octokit RequestError as GitHub's answer makes it. */
function refusal(status: number, headers: Record<string, string>, message = 'API rate limit exceeded') {
  return Object.assign(new Error(message), { status, response: { headers } })
}

describe('jobRetryDelayMs', () => {
  it('waits what retry-after asks of a secondary limit, within a minute', () => {
    const error = refusal(403, { 'retry-after': '30' }, 'You have exceeded a secondary rate limit')
    expect(passingFailure(error)).toBe('rate-limit')
    expect(jobRetryDelayMs(error, 1, 1000, NOW)).toBe(30_000)
    expect(jobRetryDelayMs(refusal(429, { 'retry-after': '600' }), 1, 1000, NOW)).toBe(60_000)
  })

  it('waits for the reset of a spent primary budget, however far within the hour', () => {
    const reset = String((NOW + 25 * 60_000) / 1000)
    const error = refusal(403, { 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': reset })
    expect(passingFailure(error)).toBe('rate-limit')
    expect(jobRetryDelayMs(error, 1, 1000, NOW)).toBe(25 * 60_000)
    // A reset already past says nothing: the usual backoff.
    const past = refusal(403, { 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': String(NOW / 1000 - 1) })
    expect(jobRetryDelayMs(past, 2, 1000, NOW)).toBe(2000)
  })
})

describe('a spent GraphQL budget', () => {
  it("is passing trouble that waits for the budget's reset, from GitHub's 200 answer with RATE_LIMITED", async () => {
    const emulator = await startTown()
    try {
      // A workflow run's token has 1,000 points an hour; 1 + 100 + 4,000 requests cost 41 points a query.
      const token = emulator.actors.createRunToken('alice/town', { issues: 'read', pull_requests: 'read' })
      const run = new Octokit({ baseUrl: emulator.apiUrl, auth: token, log: quietLog })
      const costly = `query { repository(owner: "alice", name: "town") { issues(first: 100) {
        nodes { closedByPullRequestsReferences(first: 40) { nodes { reviews(first: 100) { nodes { state } } } } } } } }`
      let refused: unknown
      for (let i = 0; i < 30 && refused === undefined; i += 1) {
        await run.graphql(costly).catch((error: unknown) => (refused = error))
      }
      expect(passingFailure(refused)).toBe('rate-limit')
      const reset = Number((refused as { headers: Record<string, string> }).headers['x-ratelimit-reset'])
      const now = Date.now()
      expect(jobRetryDelayMs(refused, 1, 1000, now)).toBeGreaterThan(reset * 1000 - now - 1000)
      expect(jobRetryDelayMs(refused, 1, 1000, now)).toBeGreaterThan(60_000)
      // Worded as ours (a bead's creation refused), GitHub's answer is still what decides.
      const worded = new GitHubRefusal('create the sub-issue "x" in alice/town', refused)
      expect(passingFailure(worded)).toBe('rate-limit')
      expect(jobRetryDelayMs(worded, 1, 1000, now)).toBe(jobRetryDelayMs(refused, 1, 1000, now))
    } finally {
      await emulator.close()
    }
  })
})

describe('failedRequest', () => {
  /** A failure at a request, as Octokit's RequestError carries it. */
  const at = (body: unknown) =>
    Object.assign(new Error('Server Error'), {
      status: 502,
      request: { method: 'POST', url: 'https://api.github.com/graphql', body },
    })

  it('tells requests to one URL apart by their bodies, so a job that got further starts its count again', () => {
    const ninth = { query: 'mutation { createIssue }', variables: { title: 'bead 9' } }
    const tenth = { query: 'mutation { createIssue }', variables: { title: 'bead 10' } }
    expect(failedRequest(at(ninth))).toBe(failedRequest(at(structuredClone(ninth))))
    expect(failedRequest(at(ninth))).not.toBe(failedRequest(at(tenth)))
    expect(failedRequest(at(JSON.stringify(ninth)))).toBe(failedRequest(at(ninth)))
    expect(failedRequest(at(undefined))).toBe('POST https://api.github.com/graphql')
    expect(failedRequest(new Error('no request'))).toBeUndefined()
  })
})
