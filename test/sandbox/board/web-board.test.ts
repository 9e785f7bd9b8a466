import { request } from 'node:http'
import { afterEach, describe, expect, it } from 'vitest'
import WebSocket from 'ws'
import { boardSnapshotSchema } from '../../../src/sandbox/board/board-feed.js'
import { startWebBoard, type BoardMessage, type WebBoard } from '../../../src/sandbox/board/web-board.js'
import { BOARD_SCRIPT, BOARD_STYLE } from '../../../src/sandbox/board/web-board-page.js'
import { ManualTime, change, manualFeed, todoBeads, todoState } from './board-fixture.js'

let board: WebBoard | undefined
afterEach(async () => {
  await board?.close()
  board = undefined
})

/** A WebSocket client that queues the board's messages. */
async function connect(url: string, origin?: string) {
  const socket = new WebSocket(url.replace(/^http/, 'ws') + 'ws', origin ? { origin } : {})
  const queue: BoardMessage[] = []
  const waiters: (() => void)[] = []
  socket.on('message', (data) => {
    queue.push(JSON.parse(String(data)) as BoardMessage)
    waiters.splice(0).forEach((wake) => wake())
  })
  await new Promise<void>((resolve, reject) => {
    socket.once('open', () => resolve())
    socket.once('error', reject)
  })
  return {
    socket,
    async next(): Promise<BoardMessage> {
      while (queue.length === 0) await new Promise<void>((resolve) => waiters.push(resolve))
      return queue.shift()!
    },
    closed: new Promise<number>((resolve) => socket.once('close', (code) => resolve(code))),
  }
}

/** A raw GET, so the Host header can be set. */
function get(
  url: string,
  headers: Record<string, string> = {},
): Promise<{ status: number; headers: Record<string, unknown>; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { headers }, (res) => {
      let body = ''
      res.setEncoding('utf8')
      res.on('data', (chunk: string) => (body += chunk))
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }))
    })
    req.on('error', reject)
    req.end()
  })
}

describe('the web board', () => {
  it('serves one self-contained page, locked to its own script, style and socket', async () => {
    board = await startWebBoard({ feed: manualFeed(new ManualTime()) })
    expect(board.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/)
    const page = await get(board.url)
    expect(page.status).toBe(200)
    expect(page.headers['content-type']).toBe('text/html; charset=utf-8')
    expect(page.body).toContain(`<script>${BOARD_SCRIPT}</script>`)
    expect(page.body).toContain(`<style>${BOARD_STYLE}</style>`)
    // No address outside the page: no CDN, no font, no image from the network.
    expect(page.body.match(/(?:src|href)=["'](?!data:|#)[^"']*/g) ?? []).toEqual([])
    expect(page.body).not.toMatch(/https?:\/\/(?!www\.w3\.org\/2000\/svg)/)
    const policy = String(page.headers['content-security-policy'])
    expect(policy).toContain("default-src 'none'")
    expect(policy).toMatch(/script-src 'sha256-[A-Za-z0-9+/]+=*'/)
    expect(policy).toContain(`ws://127.0.0.1:${new URL(board.url).port}`)
    expect((await get(`${board.url}nothing`)).status).toBe(404)
  })

  it('has a page script that parses, and reaches text of issues only as DOM text', () => {
    expect(() => new Function(BOARD_SCRIPT)).not.toThrow()
    expect(BOARD_SCRIPT).not.toMatch(/innerHTML|outerHTML|insertAdjacentHTML|document\.write|eval\(/)
  })

  it('refuses a request for another host name, as a DNS-rebinding page would send', async () => {
    board = await startWebBoard({ feed: manualFeed(new ManualTime()) })
    expect((await get(board.url, { host: 'evil.example:80' })).status).toBe(421)
    expect((await get(board.url, { host: `localhost:${new URL(board.url).port}` })).status).toBe(200)
  })

  it('sends the snapshot with its layout on connect, then a message on every change', async () => {
    const time = new ManualTime()
    const feed = manualFeed(time)
    board = await startWebBoard({ feed })
    const client = await connect(board.url, board.url.slice(0, -1))
    const first = await client.next()
    expect(first.type).toBe('snapshot')
    expect(boardSnapshotSchema.parse(first.snapshot).beads.map((b) => b.number)).toEqual([2, 3, 4, 5])
    expect(first.changed).toEqual([2, 3, 4, 5])
    expect(first.layout.nodes.map((n) => [n.number, n.layer])).toEqual([
      [2, 0],
      [3, 1],
      [4, 2],
      [5, 2],
    ])

    time.advance(5000)
    feed.update(todoState(change(todoBeads(), 2, { status: 'in_progress', attempt: 1, startedAt: time.now })))
    const second = await client.next()
    expect(second.type).toBe('update')
    expect(second.changed).toEqual([2])
    expect(second.snapshot.beads[0]).toMatchObject({ number: 2, status: 'in_progress' })
    expect(second.snapshot.events.at(-1)?.text).toBe('#2 model: pending → in_progress (attempt 1)')

    feed.event({ kind: 'log', text: 'hello' })
    const third = await client.next()
    expect(third.changed).toEqual([])
    expect(third.snapshot.events.at(-1)?.text).toBe('hello')
    client.socket.close()
    await client.closed
  })

  it('refuses a WebSocket from another origin', async () => {
    board = await startWebBoard({ feed: manualFeed(new ManualTime()) })
    const refused = await connect(board.url, 'https://evil.example').then(
      () => 'connected',
      (error: Error) => error.message,
    )
    expect(refused).toMatch(/403/)
    expect(board.clients()).toBe(0)
  })

  it('closes every socket and stops listening on close', async () => {
    const feed = manualFeed(new ManualTime())
    board = await startWebBoard({ feed })
    const clients = [await connect(board.url), await connect(board.url)]
    await Promise.all(clients.map((client) => client.next()))
    expect(board.clients()).toBe(2)
    const url = board.url
    await board.close()
    await Promise.all(clients.map((client) => client.closed))
    await expect(get(url)).rejects.toThrow(/ECONNREFUSED/)
  })
})
