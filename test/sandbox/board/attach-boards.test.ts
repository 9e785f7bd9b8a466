import { describe, expect, it } from 'vitest'
import WebSocket from 'ws'
import { attachBoards, attachTownBoards } from '../../../src/sandbox/board/attach-boards.js'
import type { BoardMessage } from '../../../src/sandbox/board/web-board.js'
import { TownEvents } from '../../../src/sandbox/town-events.js'
import { ManualTime, change, manualFeed, todoBeads, todoState } from './board-fixture.js'

function collector() {
  const out = {
    isTTY: false,
    text: '',
    write(chunk: string) {
      out.text += chunk
      return true
    },
  }
  return out
}

function firstMessage(url: string): Promise<BoardMessage> {
  const socket = new WebSocket(`${url.replace(/^http/, 'ws')}ws`)
  return new Promise((resolve, reject) => {
    socket.once('message', (data) => {
      resolve(JSON.parse(String(data)) as BoardMessage)
      socket.close()
    })
    socket.once('error', reject)
  })
}

describe('attachBoards', () => {
  it('starts the terminal and web boards on one feed, and closes both', async () => {
    const time = new ManualTime()
    const feed = manualFeed(time)
    const out = collector()
    const boards = await attachBoards({ feed, terminal: true, web: true, out })
    expect(boards.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/)
    time.advance(1000)
    feed.update(todoState(change(todoBeads(), 2, { status: 'ready' })))
    expect(out.text).toBe(
      `web board: ${boards.url}\n+00:01 #2 model: pending → ready · 0/4 done · 0 tokens · $0.0000\n`,
    )
    expect((await firstMessage(boards.url!)).snapshot.beads[0]!.status).toBe('ready')
    await boards.close()
    await expect(fetch(boards.url!)).rejects.toThrow()
    feed.update(todoState(change(todoBeads(), 2, { status: 'in_progress' })))
    expect(out.text.split('\n')).toHaveLength(3)
  })

  it('attaches nothing it was not asked for', async () => {
    const out = collector()
    const boards = await attachBoards({
      feed: manualFeed(new ManualTime()),
      terminal: false,
      web: false,
      out,
    })
    expect(boards.url).toBeUndefined()
    await boards.close()
    expect(out.text).toBe('')
  })
})

describe('attachTownBoards', () => {
  it('follows the town events at once and gives the web address when it listens', async () => {
    const events = new TownEvents()
    const pending = attachTownBoards(events, { terminal: false, web: true })
    events.emit({
      type: 'started',
      at: 1000,
      repo: 'octo/todo-api',
      goal: { number: 1, title: 'Build a todo API', url: 'http://127.0.0.1:9/octo/todo-api/issues/1' },
      urls: {
        emulator: 'http://127.0.0.1:9',
        api: 'http://127.0.0.1:9/api/v3',
        mayor: 'http://127.0.0.1:8',
        repository: 'http://127.0.0.1:9/octo/todo-api',
      },
      model: { kind: 'scripted', name: 'todo-api' },
      workers: 3,
      merge: 'auto',
    })
    const boards = await pending.ready
    const message = await firstMessage(boards.url!)
    expect(message.snapshot).toMatchObject({
      repo: 'octo/todo-api',
      goal: { number: 1, title: 'Build a todo API' },
    })
    await pending.close()
    await expect(fetch(boards.url!)).rejects.toThrow()
  })

  it('closes cleanly when the web board could not listen', async () => {
    const events = new TownEvents()
    const first = attachTownBoards(events, { terminal: false, web: true })
    const port = Number(new URL((await first.ready).url!).port)
    const second = attachTownBoards(events, { terminal: false, web: true, port })
    await expect(second.ready).rejects.toThrow(/EADDRINUSE/)
    await second.close()
    await first.close()
  })
})
