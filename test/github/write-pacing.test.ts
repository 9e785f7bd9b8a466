/**
 * Writes are paced by GitHub.com's documented content-creation limits, not by a fixed pause: a write
 * goes at once while the window leaves room, waits only as long as a burst needs, and reads never wait.
 */
import fc from 'fast-check'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { Probot, ProbotOctokit } from 'probot'
import { createGitHubClient, withWritePacing } from '../../src/github/client.js'
import {
  createWritePacer,
  GITHUB_COM_WRITE_LIMITS,
  isContentCreating,
  writeDelay,
  type PacerClock,
} from '../../src/github/write-pacing.js'
import type { Emulator } from '../../src/sandbox/emulator/emulator.js'
import { startTown } from '../sandbox/emulator/emulator-fixture.js'

/** A clock that only moves when the pacer sleeps, recording each sleep. */
function fakeClock(start = 0): PacerClock & { sleeps: number[]; at: number } {
  const clock = {
    at: start,
    sleeps: [] as number[],
    now: () => clock.at,
    sleep: async (ms: number) => {
      clock.sleeps.push(ms)
      clock.at += ms
    },
  }
  return clock
}

describe('writeDelay', () => {
  it('lets a write go at once while every window has room', () => {
    expect(writeDelay([], 0, GITHUB_COM_WRITE_LIMITS)).toBe(0)
    const burst = Array.from({ length: 79 }, (_, i) => i)
    expect(writeDelay(burst, 79, GITHUB_COM_WRITE_LIMITS)).toBe(0)
  })

  it('makes the 81st write of a minute wait until the first leaves the window', () => {
    const burst = Array.from({ length: 80 }, (_, i) => i * 10)
    expect(writeDelay(burst, 800, GITHUB_COM_WRITE_LIMITS)).toBe(60_000 - 800)
  })

  it('never lets a paced sequence put more than a limit in any window', () => {
    const limits = [
      { count: 3, windowMs: 1_000 },
      { count: 5, windowMs: 10_000 },
    ]
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 2_000 }), { maxLength: 40 }), (gaps) => {
        const sent: number[] = []
        let now = 0
        for (const gap of gaps) {
          now += gap
          now += writeDelay(sent, now, limits)
          sent.push(now)
        }
        for (const limit of limits) {
          for (let i = 0; i + limit.count < sent.length; i += 1) {
            expect(sent[i + limit.count]! - sent[i]!).toBeGreaterThanOrEqual(limit.windowMs)
          }
        }
      }),
    )
  })
})

describe('isContentCreating', () => {
  it('counts every POST, PATCH, PUT and DELETE but minting an installation token', () => {
    expect(isContentCreating('GET', '/repos/a/b/issues')).toBe(false)
    expect(isContentCreating('HEAD', '/repos/a/b')).toBe(false)
    for (const method of ['POST', 'PATCH', 'PUT', 'DELETE']) {
      expect(isContentCreating(method, '/repos/a/b/issues/1')).toBe(true)
    }
    expect(isContentCreating('POST', '/app/installations/12/access_tokens')).toBe(false)
  })

  it('counts a GraphQL mutation, but not a query, which GitHub counts as a read', () => {
    expect(
      isContentCreating('POST', '/graphql', 'query($n: Int!) { repository { issue(number: $n) { id } } }'),
    ).toBe(false)
    expect(isContentCreating('POST', 'https://api.github.com/graphql', '{ viewer { login } }')).toBe(false)
    expect(
      isContentCreating(
        'POST',
        '/graphql',
        'mutation($id: ID!) { closeIssue(input: { issueId: $id }) { clientMutationId } }',
      ),
    ).toBe(true)
    // A document the pacer cannot read as a query stays a write.
    expect(isContentCreating('POST', '/graphql')).toBe(true)
  })
})

describe('createWritePacer', () => {
  it('takes writes in order, sleeping only when a burst would exceed the limit', async () => {
    const clock = fakeClock()
    const pacer = createWritePacer([{ count: 2, windowMs: 60_000 }], clock)
    await Promise.all([pacer.take(), pacer.take(), pacer.take()])
    expect(clock.sleeps).toEqual([60_000])
  })
})

describe('the client against the emulator', () => {
  let emulator: Emulator
  const repo = { owner: 'alice', repo: 'town' }

  beforeEach(async () => {
    emulator = await startTown()
  })
  afterEach(async () => {
    await emulator?.close()
  })

  it('sends a few writes without any pause, and waits for the window once a burst exceeds it', async () => {
    const clock = fakeClock(Date.now())
    const api = createGitHubClient({
      token: emulator.tokenFor('alice'),
      baseUrl: emulator.apiUrl,
      writeLimits: [{ count: 3, windowMs: 60_000 }],
      pacerClock: clock,
    })
    for (let i = 0; i < 3; i += 1) {
      await api.request('POST /repos/{owner}/{repo}/issues', { ...repo, title: `issue ${i}` })
    }
    for (let i = 0; i < 5; i += 1) await api.request('GET /repos/{owner}/{repo}/issues', repo)
    expect(clock.sleeps).toEqual([])
    await api.request('PATCH /repos/{owner}/{repo}/issues/{issue_number}', {
      ...repo,
      issue_number: 1,
      title: 'renamed',
    })
    expect(clock.sleeps).toEqual([60_000])
  })

  it('waits out a secondary rate limit for the retry-after GitHub sends, then succeeds', async () => {
    emulator.faults.add({
      kind: 'secondary-rate-limit',
      route: 'POST /repos/{owner}/{repo}/issues',
      retryAfter: 1,
      times: 1,
    })
    const warnings: string[] = []
    const api = createGitHubClient({
      token: emulator.tokenFor('alice'),
      baseUrl: emulator.apiUrl,
      log: { warn: (message) => warnings.push(message) },
    })
    const { data } = await api.request('POST /repos/{owner}/{repo}/issues', {
      ...repo,
      title: 'after the limit',
    })
    expect(data.title).toBe('after the limit')
    expect(warnings.join('\n')).toMatch(/secondary rate limit .* retry 1 in 1s/)
    const sent = emulator.requests().filter((entry) => entry.method === 'POST')
    expect(sent.map((entry) => entry.status)).toEqual([403, 201])
  })

  it("paces the Mayor's Probot clients by the limits, with one pacer for every client of an installation", async () => {
    const clock = fakeClock(Date.now())
    const probot = new Probot({
      appId: emulator.appId,
      privateKey: emulator.appPrivateKey,
      baseUrl: emulator.apiUrl,
      logLevel: 'fatal',
      Octokit: withWritePacing(ProbotOctokit, [{ count: 2, windowMs: 60_000 }], clock),
    })
    const installation = emulator.state.installationFor('alice')!.id
    // One client an event, as Probot makes them: the second shares the first one's window.
    const first = await probot.auth(installation)
    for (let i = 0; i < 2; i += 1) {
      await first.request('POST /repos/{owner}/{repo}/issues', { ...repo, title: `issue ${i}` })
    }
    const second = await probot.auth(installation)
    await second.request('GET /repos/{owner}/{repo}/issues', repo)
    expect(clock.sleeps).toEqual([])
    await second.request('POST /repos/{owner}/{repo}/issues', { ...repo, title: 'the third' })
    expect(clock.sleeps).toEqual([60_000])
    expect(
      emulator.requests().filter((r) => r.route === '/repos/{owner}/{repo}/issues' && r.status === 201),
    ).toHaveLength(3)
  })
})
