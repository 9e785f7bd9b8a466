/**
 * Conditional requests, as GitHub answers them: every JSON answer to a GET carries an ETag, a GET whose
 * If-None-Match names it is answered 304 with no body, and a 304 costs no request of the primary limit.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import type { Emulator } from '../../../src/sandbox/emulator/emulator.js'
import { startTown } from './emulator-fixture.js'

let emulator: Emulator

beforeEach(async () => {
  emulator = await startTown()
})

afterEach(async () => {
  await emulator?.close()
})

/** A GET as bob, with extra headers. */
function get(path: string, headers: Record<string, string> = {}): Promise<Response> {
  return fetch(`${emulator.apiUrl}${path}`, {
    headers: { authorization: `token ${emulator.tokenFor('bob')}`, ...headers },
  })
}

describe('conditional requests', () => {
  it('answers 304 with no body to a matching If-None-Match, and that answer costs no request', async () => {
    const created = await fetch(`${emulator.apiUrl}/repos/alice/town/issues`, {
      method: 'POST',
      headers: { authorization: `token ${emulator.tokenFor('bob')}` },
      body: JSON.stringify({ title: 'A goal' }),
    })
    expect(created.status).toBe(201)
    await created.arrayBuffer()

    const read = await get('/repos/alice/town/issues/1')
    expect(read.status).toBe(200)
    const etag = read.headers.get('etag')!
    expect(etag).toMatch(/^W\/"[0-9a-f]+"$/)
    await read.arrayBuffer()
    const used = Number(read.headers.get('x-ratelimit-used'))

    const again = await get('/repos/alice/town/issues/1', { 'if-none-match': etag })
    expect(again.status).toBe(304)
    expect(await again.text()).toBe('')
    expect(again.headers.get('etag')).toBe(etag)
    expect(Number(again.headers.get('x-ratelimit-used'))).toBe(used)
    // Strong or weak, in a list: GitHub compares ETags weakly for GETs.
    const listed = await get('/repos/alice/town/issues/1', {
      'if-none-match': `"other", ${etag.slice(2)}`,
    })
    expect(listed.status).toBe(304)
    await listed.arrayBuffer()

    const next = await get('/repos/alice/town/issues/1')
    expect(Number(next.headers.get('x-ratelimit-used'))).toBe(used + 1)
    await next.arrayBuffer()
    expect(emulator.violations()).toEqual([])
  })

  it('answers the new body with a new ETag once the resource changed', async () => {
    const post = (path: string, method: string, body: object) =>
      fetch(`${emulator.apiUrl}${path}`, {
        method,
        headers: { authorization: `token ${emulator.tokenFor('bob')}` },
        body: JSON.stringify(body),
      }).then((answer) => answer.arrayBuffer())
    await post('/repos/alice/town/issues', 'POST', { title: 'A goal' })
    const read = await get('/repos/alice/town/issues/1/comments')
    const etag = read.headers.get('etag')!
    expect(await read.json()).toEqual([])
    await post('/repos/alice/town/issues/1/comments', 'POST', { body: 'hello' })

    const changed = await get('/repos/alice/town/issues/1/comments', { 'if-none-match': etag })
    expect(changed.status).toBe(200)
    expect(changed.headers.get('etag')).not.toBe(etag)
    expect(((await changed.json()) as { body: string }[]).map((c) => c.body)).toEqual(['hello'])
    // The request log shows the 304s a client saved.
    const unchanged = await get('/repos/alice/town/issues/1/comments', {
      'if-none-match': changed.headers.get('etag')!,
    })
    expect(unchanged.status).toBe(304)
    await unchanged.arrayBuffer()
    expect(emulator.stats()['GET /repos/{owner}/{repo}/issues/{issue_number}/comments']).toMatchObject({
      count: 3,
      statuses: { 200: 2, 304: 1 },
    })
  })
})
