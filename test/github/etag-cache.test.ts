/**
 * Conditional requests from our side, against the emulator over HTTP: a repeated GET goes out with
 * If-None-Match, a 304 is answered from the cache (and costs no request of the primary limit), a change
 * is read afresh, and the cache stays within its bounds.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { getIssue } from '../../src/github/issues.js'
import { EtagCache, useConditionalRequests } from '../../src/github/etag-cache.js'
import { listComments } from '../../src/github/comments.js'
import type { Emulator } from '../../src/sandbox/emulator/emulator.js'
import { octokitAs, startTown } from '../sandbox/emulator/emulator-fixture.js'

let emulator: Emulator

beforeEach(async () => {
  emulator = await startTown()
})

afterEach(async () => {
  await emulator?.close()
})

const repo = { owner: 'alice', repo: 'town' }
const statuses = (route: string) =>
  emulator
    .requests()
    .filter((r) => r.method === 'GET' && r.route === route)
    .map((r) => r.status)

describe('conditional requests', () => {
  it('answers a repeated GET from the cache on 304, with the current rate-limit headers', async () => {
    const bob = octokitAs(emulator, 'bob')
    const goal = (await bob.rest.issues.create({ ...repo, title: 'A goal', body: 'first' })).data.number
    const cache = new EtagCache()
    expect(useConditionalRequests(bob, cache)).toBe(true)
    // Once per client: a second call adds no second hook.
    expect(useConditionalRequests(bob, cache)).toBe(true)

    const first = await getIssue(bob, repo, goal)
    const second = await getIssue(bob, repo, goal)
    expect(second).toEqual(first)
    expect(statuses('/repos/{owner}/{repo}/issues/{issue_number}')).toEqual([200, 304])
    expect(cache.counts).toEqual({ hits: 1, misses: 1 })
    const answer = await bob.request('GET /repos/{owner}/{repo}/issues/{issue_number}', {
      ...repo,
      issue_number: goal,
    })
    expect(answer.status).toBe(200)
    // The 304s gave their requests back: only the create and the first read were counted.
    expect(answer.headers['x-ratelimit-used']).toBe('2')

    await bob.rest.issues.update({ ...repo, issue_number: goal, body: 'second' })
    expect((await getIssue(bob, repo, goal)).body).toBe('second')
    expect(statuses('/repos/{owner}/{repo}/issues/{issue_number}')).toEqual([200, 304, 304, 200])
    expect(emulator.violations()).toEqual([])
  })

  it('answers a listed page from the cache, and hands out copies a caller may change', async () => {
    const bob = octokitAs(emulator, 'bob')
    const goal = (await bob.rest.issues.create({ ...repo, title: 'A goal' })).data.number
    await bob.rest.issues.createComment({ ...repo, issue_number: goal, body: 'one' })
    useConditionalRequests(bob, new EtagCache())
    const first = await listComments(bob, repo, goal)
    first[0]!.body = 'changed by the caller'
    const again = await listComments(bob, repo, goal)
    expect(again.map((c) => c.body)).toEqual(['one'])
    expect(statuses('/repos/{owner}/{repo}/issues/{issue_number}/comments')).toEqual([200, 304])
  })

  it('forgets the least recently used answers past its bounds', () => {
    const cache = new EtagCache({ entries: 2, bytes: 100 })
    const answer = (size: number) => ({ etag: 'W/"x"', url: 'u', headers: {}, data: null, size })
    cache.set('a', answer(10))
    cache.set('b', answer(10))
    cache.get('a')
    cache.set('c', answer(10))
    expect([cache.get('a'), cache.get('b'), cache.get('c')].map(Boolean)).toEqual([true, false, true])
    cache.set('d', answer(90))
    expect(cache.size.bytes).toBeLessThanOrEqual(100)
    cache.set('huge', answer(101))
    expect(cache.get('huge')).toBeUndefined()
  })
})
