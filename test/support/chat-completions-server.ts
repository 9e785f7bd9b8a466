/**
 * A real HTTP server on 127.0.0.1 speaking the Chat Completions wire format, for tests. Each test queues
 * the answers it wants (success, errors with headers, malformed bodies, hangs); every request is recorded.
 */
import { once } from 'node:events'
import http from 'node:http'
import type { AddressInfo } from 'node:net'

/** One canned answer: a JSON body, a raw text body, or a connection that never finishes. */
export type CannedResponse =
  | { status?: number; headers?: Record<string, string>; json: unknown }
  | { status?: number; headers?: Record<string, string>; text: string; contentType?: string }
  | { hang: 'before-headers' | 'after-headers' }

/** A request the server received. */
export interface RecordedRequest {
  method: string
  path: string
  headers: http.IncomingHttpHeaders
  /** The parsed JSON body, or the raw text when it is not JSON. */
  body: unknown
}

/** The running server. */
export interface ChatCompletionsServer {
  /** The API root to use as base URL, ending in /v1. */
  baseUrl: string
  requests: RecordedRequest[]
  /** Queues answers for the next requests, in order. */
  enqueue(...responses: CannedResponse[]): void
  /** Resolves once `count` requests have arrived. */
  received(count: number): Promise<void>
  close(): Promise<void>
}

/** The wire body of a successful completion. */
export function completionBody(options: {
  content?: string | null
  toolCalls?: { id?: string; name: string; arguments: string }[]
  usage?: { prompt_tokens: number; completion_tokens: number } | null
  model?: string
  finishReason?: string
}): Record<string, unknown> {
  const toolCalls = options.toolCalls ?? []
  const body: Record<string, unknown> = {
    id: 'chatcmpl-test',
    object: 'chat.completion',
    created: 1_700_000_000,
    model: options.model ?? 'test-model',
    choices: [
      {
        index: 0,
        finish_reason: options.finishReason ?? (toolCalls.length > 0 ? 'tool_calls' : 'stop'),
        message: {
          role: 'assistant',
          content: options.content === undefined ? null : options.content,
          ...(toolCalls.length > 0
            ? {
                tool_calls: toolCalls.map((call, index) => ({
                  id: call.id ?? `call_${index}`,
                  type: 'function',
                  function: { name: call.name, arguments: call.arguments },
                })),
              }
            : {}),
        },
      },
    ],
  }
  if (options.usage !== null) {
    const usage = options.usage ?? { prompt_tokens: 10, completion_tokens: 5 }
    body['usage'] = { ...usage, total_tokens: usage.prompt_tokens + usage.completion_tokens }
  }
  return body
}

/** A successful completion answer. */
export function completion(options: Parameters<typeof completionBody>[0]): CannedResponse {
  return { json: completionBody(options) }
}

/** An error answer in OpenAI's error shape. */
export function apiError(
  status: number,
  message: string,
  headers: Record<string, string> = {},
): CannedResponse {
  return { status, headers, json: { error: { message, type: 'test_error', code: null, param: null } } }
}

/** Starts a server on a random port of 127.0.0.1. */
export async function startChatCompletionsServer(): Promise<ChatCompletionsServer> {
  const queue: CannedResponse[] = []
  const requests: RecordedRequest[] = []
  const waiters: { count: number; resolve: () => void }[] = []

  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = []
    req.on('data', (chunk: Buffer) => chunks.push(chunk))
    req.on('end', () => {
      const text = Buffer.concat(chunks).toString('utf8')
      let body: unknown = text
      try {
        body = JSON.parse(text)
      } catch {
        // Keep the raw text: a test may check what a malformed request looked like.
      }
      requests.push({ method: req.method ?? '', path: req.url ?? '', headers: req.headers, body })
      for (const waiter of waiters.filter((w) => requests.length >= w.count)) {
        waiters.splice(waiters.indexOf(waiter), 1)
        waiter.resolve()
      }
      respond(res, queue.shift())
    })
  })

  server.listen(0, '127.0.0.1')
  await once(server, 'listening')
  const { port } = server.address() as AddressInfo

  return {
    baseUrl: `http://127.0.0.1:${port}/v1`,
    requests,
    enqueue: (...responses) => queue.push(...responses),
    received: (count) =>
      requests.length >= count
        ? Promise.resolve()
        : new Promise((resolve) => waiters.push({ count, resolve })),
    close: async () => {
      // Hung answers keep sockets open; drop them so close() finishes.
      server.closeAllConnections()
      await new Promise<void>((resolve, reject) =>
        server.close((error) => (error ? reject(error) : resolve())),
      )
    },
  }
}

function respond(res: http.ServerResponse, canned: CannedResponse | undefined): void {
  if (canned === undefined) {
    // 418 is not retried by any client, so a test that sends more requests than it queued fails at once.
    res.writeHead(418, { 'content-type': 'application/json' })
    res.end(
      JSON.stringify({ error: { message: 'chat-completions-server: no response queued for this request' } }),
    )
    return
  }
  if ('hang' in canned) {
    if (canned.hang === 'after-headers') {
      res.writeHead(200, { 'content-type': 'application/json' })
      res.write('{"id": "chatcmpl-hung", "choices": [')
    }
    return
  }
  if ('json' in canned) {
    res.writeHead(canned.status ?? 200, { 'content-type': 'application/json', ...canned.headers })
    res.end(JSON.stringify(canned.json))
    return
  }
  res.writeHead(canned.status ?? 200, {
    'content-type': canned.contentType ?? 'application/json',
    ...canned.headers,
  })
  res.end(canned.text)
}
