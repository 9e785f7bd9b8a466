/**
 * The live web board: an HTTP server on 127.0.0.1 serving one self-contained page and a WebSocket at
 * `/ws` that sends the snapshot on connect and again on every change, with the DAG's layout. Only the
 * board's own origin may connect, so another web page open in the same browser cannot read the run.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import type { Duplex } from 'node:stream'
import { WebSocketServer, type WebSocket } from 'ws'
import type { BoardFeed, BoardSnapshot } from './board-feed.js'
import { layoutDag, type DagLayout } from './dag-layout.js'
import { boardPolicy, renderBoardPage } from './web-board-page.js'

/** A message of the board's WebSocket. */
export interface BoardMessage {
  /** `snapshot` on connect, `update` on every change after. */
  type: 'snapshot' | 'update'
  snapshot: BoardSnapshot
  layout: DagLayout
  /** Beads whose status, attempt, PR or totals changed since the previous message (all on connect). */
  changed: number[]
}

/** A pino-style logger; the board logs where it listens and why it refused a request. */
export interface BoardLogger {
  info(object: object, message: string): void
  warn(object: object, message: string): void
}

/** Options of `startWebBoard`. */
export interface WebBoardOptions {
  feed: BoardFeed
  /** Port on 127.0.0.1; 0 (the default) picks a free one. */
  port?: number
  logger?: BoardLogger
}

/** A running web board. */
export interface WebBoard {
  /** The page's address, e.g. `http://127.0.0.1:41234/`. */
  url: string
  /** How many WebSocket clients are connected. */
  clients(): number
  /** Closes every socket and the server. */
  close(): Promise<void>
}

/** Starts the web board. */
export async function startWebBoard(options: WebBoardOptions): Promise<WebBoard> {
  const { feed } = options
  const server = createServer()
  const sockets = new WebSocketServer({ noServer: true, maxPayload: 4096 })
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(options.port ?? 0, '127.0.0.1', () => resolve())
  })
  const port = (server.address() as AddressInfo).port
  const origins = [`http://127.0.0.1:${port}`, `http://localhost:${port}`]
  const hosts = new Set(origins.map((origin) => origin.slice('http://'.length)))
  const page = renderBoardPage()
  const policy = boardPolicy(origins)

  let last = feed.snapshot()
  let lastLayout = layoutFor(last)
  const message = (type: BoardMessage['type'], changed: number[]): string =>
    JSON.stringify({ type, snapshot: last, layout: lastLayout, changed } satisfies BoardMessage)

  server.on('request', (req: IncomingMessage, res: ServerResponse) => {
    // A page on another site could reach 127.0.0.1 through DNS rebinding; the Host header tells.
    if (!hosts.has(req.headers.host ?? '')) return refuse(res, 421, 'unknown host')
    const path = (req.url ?? '/').split('?')[0]
    if (req.method !== 'GET' && req.method !== 'HEAD') return refuse(res, 405, 'only GET')
    if (path === '/' || path === '/index.html') {
      res.writeHead(200, {
        'content-type': 'text/html; charset=utf-8',
        'content-security-policy': policy,
        'cache-control': 'no-store',
        'x-content-type-options': 'nosniff',
        'referrer-policy': 'no-referrer',
      })
      return void res.end(req.method === 'HEAD' ? undefined : page)
    }
    if (path === '/snapshot.json') {
      res.writeHead(200, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' })
      return void res.end(JSON.stringify(feed.snapshot()))
    }
    return refuse(res, 404, 'not found')
  })

  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    const path = (req.url ?? '/').split('?')[0]
    const origin = req.headers.origin
    const allowed =
      path === '/ws' &&
      hosts.has(req.headers.host ?? '') &&
      (origin === undefined || origins.includes(origin))
    if (!allowed) {
      options.logger?.warn({ path, origin }, 'web board refused a WebSocket connection')
      socket.end('HTTP/1.1 403 Forbidden\r\nconnection: close\r\n\r\n')
      return
    }
    sockets.handleUpgrade(req, socket, head, (client) => {
      sockets.emit('connection', client, req)
    })
  })

  sockets.on('connection', (client: WebSocket) => {
    // A client whose connection fails is dropped; the board itself goes on.
    client.on('error', () => client.terminate())
    last = feed.snapshot()
    lastLayout = layoutFor(last)
    client.send(
      message(
        'snapshot',
        last.beads.map((bead) => bead.number),
      ),
    )
  })

  const unsubscribe = feed.subscribe((snapshot) => {
    const changed = changedBeads(last, snapshot)
    last = snapshot
    lastLayout = layoutFor(snapshot)
    const text = message('update', changed)
    for (const client of sockets.clients) if (client.readyState === client.OPEN) client.send(text)
  })

  const url = `http://127.0.0.1:${port}/`
  options.logger?.info({ url }, 'web board listening')
  let closing: Promise<void> | undefined
  return {
    url,
    clients: () => sockets.clients.size,
    close() {
      closing ??= (async () => {
        unsubscribe()
        for (const client of sockets.clients) client.terminate()
        await new Promise<void>((resolve) => sockets.close(() => resolve()))
        server.closeAllConnections()
        await new Promise<void>((resolve) => server.close(() => resolve()))
      })()
      return closing
    },
  }
}

function refuse(res: ServerResponse, status: number, reason: string): void {
  res.writeHead(status, { 'content-type': 'text/plain; charset=utf-8' })
  res.end(`${reason}\n`)
}

function layoutFor(snapshot: BoardSnapshot): DagLayout {
  return layoutDag(snapshot.beads)
}

function changedBeads(before: BoardSnapshot, after: BoardSnapshot): number[] {
  const old = new Map(before.beads.map((bead) => [bead.number, JSON.stringify(bead)]))
  return after.beads
    .filter((bead) => old.get(bead.number) !== JSON.stringify(bead))
    .map((bead) => bead.number)
}
