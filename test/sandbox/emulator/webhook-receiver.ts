/** A plain HTTP server that records webhook deliveries as they arrive, for tests. */
import { createServer, type IncomingHttpHeaders } from 'node:http'
import type { AddressInfo } from 'node:net'

/** One delivery as received. */
export interface ReceivedDelivery {
  headers: IncomingHttpHeaders
  body: string
  payload: Record<string, unknown>
}

/** A running receiver. */
export interface WebhookReceiver {
  url: string
  received: ReceivedDelivery[]
  close(): Promise<void>
}

/** Starts a receiver on 127.0.0.1 answering every delivery with `status`. */
export async function startReceiver(status = 200): Promise<WebhookReceiver> {
  const received: ReceivedDelivery[] = []
  const server = createServer((req, res) => {
    const chunks: Buffer[] = []
    req.on('data', (chunk: Buffer) => chunks.push(chunk))
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8')
      received.push({ headers: req.headers, body, payload: JSON.parse(body) as Record<string, unknown> })
      res.writeHead(status)
      res.end()
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`,
    received,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  }
}
