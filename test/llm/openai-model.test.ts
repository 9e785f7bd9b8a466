import { AuthenticationError } from 'openai'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import type { ChatRequest } from '../../src/llm/chat-model.js'
import type { Logger } from '../../src/llm/logger.js'
import { ModelError } from '../../src/llm/model-error.js'
import { OpenAICompatibleModel, type OpenAIModelOptions } from '../../src/llm/openai-model.js'
import {
  apiError,
  completion,
  startChatCompletionsServer,
  type ChatCompletionsServer,
} from '../support/chat-completions-server.js'

const KEY = 'sk-test-0123456789abcdef'
const plan: ChatRequest['purpose'] = { kind: 'plan', goal: 1 }
const hello: ChatRequest = { messages: [{ role: 'user', content: 'hello' }], purpose: plan }

let server: ChatCompletionsServer
let waits: number[]
let logs: { level: string; fields: Record<string, unknown>; message: string }[]

const logger: Logger = {
  debug: (fields, message) => logs.push({ level: 'debug', fields, message }),
  info: (fields, message) => logs.push({ level: 'info', fields, message }),
  warn: (fields, message) => logs.push({ level: 'warn', fields, message }),
}

function model(options: Partial<OpenAIModelOptions> = {}): OpenAICompatibleModel {
  return new OpenAICompatibleModel({
    apiKey: KEY,
    model: 'test-model',
    baseUrl: server.baseUrl,
    sleep: async (ms) => {
      waits.push(ms)
    },
    random: () => 0,
    logger,
    ...options,
  })
}

async function failure(promise: Promise<unknown>): Promise<ModelError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  )
  expect(error).toBeInstanceOf(ModelError)
  return error as ModelError
}

beforeEach(async () => {
  server = await startChatCompletionsServer()
  waits = []
  logs = []
})
afterEach(async () => {
  await server.close()
})

describe('OpenAICompatibleModel', () => {
  it('sends the conversation and tools in the wire format and returns the tool calls with raw arguments', async () => {
    server.enqueue(
      completion({
        content: null,
        toolCalls: [
          { id: 'call_a', name: 'write_file', arguments: '{"path":"a.ts","content":"x"}' },
          { id: 'call_b', name: 'run', arguments: '{"cmd": "npm test"' },
        ],
        usage: { prompt_tokens: 120, completion_tokens: 30 },
      }),
    )
    const response = await model().complete({
      messages: [
        { role: 'system', content: 'You are a developer.' },
        { role: 'user', content: 'Build it.' },
        {
          role: 'assistant',
          content: null,
          toolCalls: [{ id: 'call_0', name: 'read_file', arguments: '{}' }],
        },
        { role: 'tool', toolCallId: 'call_0', content: 'error: path is required' },
      ],
      tools: [{ name: 'write_file', description: 'Write a file', parameters: { type: 'object' } }],
      purpose: { kind: 'bead', role: 'developer', key: 'api', bead: 12, attempt: 1 },
    })

    expect(response.message).toEqual({
      role: 'assistant',
      content: null,
      toolCalls: [
        { id: 'call_a', name: 'write_file', arguments: '{"path":"a.ts","content":"x"}' },
        { id: 'call_b', name: 'run', arguments: '{"cmd": "npm test"' },
      ],
    })
    expect(response.finishReason).toBe('tool_calls')
    expect(response.usage).toEqual({ promptTokens: 120, completionTokens: 30, totalTokens: 150 })

    const [request] = server.requests
    expect(request?.path).toBe('/v1/chat/completions')
    expect(request?.headers.authorization).toBe(`Bearer ${KEY}`)
    expect(request?.body).toMatchObject({
      model: 'test-model',
      messages: [
        { role: 'system', content: 'You are a developer.' },
        { role: 'user', content: 'Build it.' },
        {
          role: 'assistant',
          content: null,
          tool_calls: [{ id: 'call_0', type: 'function', function: { name: 'read_file', arguments: '{}' } }],
        },
        { role: 'tool', tool_call_id: 'call_0', content: 'error: path is required' },
      ],
      tools: [
        {
          type: 'function',
          function: { name: 'write_file', description: 'Write a file', parameters: { type: 'object' } },
        },
      ],
    })
  })

  it('prices usage from the table under the configured model name', async () => {
    server.enqueue(
      completion({ content: 'hi', usage: { prompt_tokens: 2_000_000, completion_tokens: 500_000 } }),
    )
    const response = await model({
      prices: { 'test-model': { input_per_mtok: 0.15, output_per_mtok: 0.6 } },
    }).complete(hello)
    expect(response.costUsd).toBeCloseTo(0.6)
    expect(response.model).toBe('test-model')
  })

  it('falls back to the price of the model the endpoint reports, and to zero when there is none', async () => {
    server.enqueue(
      completion({
        content: 'a',
        model: 'vendor/model-2025',
        usage: { prompt_tokens: 1e6, completion_tokens: 0 },
      }),
      completion({ content: 'b', usage: { prompt_tokens: 1e6, completion_tokens: 0 } }),
    )
    const priced = model({ prices: { 'vendor/model-2025': { input_per_mtok: 3, output_per_mtok: 0 } } })
    expect((await priced.complete(hello)).costUsd).toBe(3)
    expect((await priced.complete(hello)).costUsd).toBe(0)
  })

  it('estimates usage from text length when the endpoint reports none', async () => {
    server.enqueue(completion({ content: 'x'.repeat(40), usage: null }))
    const response = await model().complete({
      messages: [{ role: 'user', content: 'y'.repeat(80) }],
      purpose: plan,
    })
    expect(response.usage).toEqual({ promptTokens: 20, completionTokens: 10, totalTokens: 30 })
  })

  it('waits what Retry-After says on 429, then succeeds', async () => {
    server.enqueue(apiError(429, 'Rate limit reached', { 'retry-after': '7' }), completion({ content: 'ok' }))
    const response = await model().complete(hello)
    expect(response.message.content).toBe('ok')
    expect(waits).toEqual([7000])
    expect(server.requests).toHaveLength(2)
    expect(logs).toEqual([
      expect.objectContaining({
        level: 'warn',
        fields: expect.objectContaining({ status: 429, delayMs: 7000 }),
      }),
    ])
  })

  it('prefers retry-after-ms to Retry-After', async () => {
    server.enqueue(
      apiError(429, 'slow down', { 'retry-after-ms': '150', 'retry-after': '30' }),
      completion({ content: 'ok' }),
    )
    await model().complete(hello)
    expect(waits).toEqual([150])
  })

  it('backs off exponentially on 5xx without Retry-After, then succeeds', async () => {
    server.enqueue(apiError(500, 'boom'), apiError(502, 'bad gateway'), completion({ content: 'ok' }))
    const response = await model().complete(hello)
    expect(response.message.content).toBe('ok')
    expect(waits).toEqual([500, 1000])
    expect(server.requests).toHaveLength(3)
  })

  it('gives up after maxRetries with an error saying how many tries it took', async () => {
    server.enqueue(apiError(503, 'overloaded'), apiError(503, 'overloaded'), apiError(503, 'overloaded'))
    const error = await failure(model({ retry: { maxRetries: 2 } }).complete(hello))
    expect(error).toMatchObject({
      kind: 'server',
      status: 503,
      attempts: 3,
      retryable: true,
      model: 'test-model',
    })
    expect(error.message).toContain('gave up after 3 tries')
    expect(error.message).toContain(`${server.baseUrl}/chat/completions`)
    expect(waits).toHaveLength(2)
  })

  it('fails at once when the server asks for a wait beyond the cap', async () => {
    server.enqueue(apiError(429, 'quota', { 'retry-after': '3600' }))
    const error = await failure(model().complete(hello))
    expect(error.kind).toBe('rate_limited')
    expect(error.message).toMatch(/asked to wait 3600 s/)
    expect(waits).toEqual([])
    expect(server.requests).toHaveLength(1)
  })

  it('obeys x-should-retry: false even on a 5xx', async () => {
    server.enqueue(apiError(500, 'do not retry', { 'x-should-retry': 'false' }))
    const error = await failure(model().complete(hello))
    expect(error).toMatchObject({ kind: 'server', retryable: false, attempts: 1 })
    expect(server.requests).toHaveLength(1)
  })

  it('turns a malformed JSON body into an error pointing at the base URL, without retrying', async () => {
    server.enqueue({ text: '{"id": "chatcmpl-1", "choices": [' })
    const error = await failure(model().complete(hello))
    expect(error.kind).toBe('invalid_response')
    expect(error.message).toContain('not a chat completion')
    expect(error.message).toContain('OPENAI_BASE_URL')
    expect(error.cause).toBeInstanceOf(SyntaxError)
    expect(server.requests).toHaveLength(1)
  })

  it('turns an HTML page answered with 200 into an invalid-response error', async () => {
    server.enqueue({ text: '<html><body>Welcome to nginx</body></html>', contentType: 'text/html' })
    const error = await failure(model().complete(hello))
    expect(error.kind).toBe('invalid_response')
    expect(error.message).toContain('Welcome to nginx')
  })

  it('times out a server that never answers, retrying once per the policy', async () => {
    server.enqueue({ hang: 'before-headers' }, { hang: 'before-headers' })
    const error = await failure(model({ timeoutMs: 300, retry: { maxRetries: 1 } }).complete(hello))
    expect(error).toMatchObject({ kind: 'timeout', attempts: 2, retryable: true })
    expect(error.message).toContain('timed out after 300 ms')
    expect(server.requests).toHaveLength(2)
    expect(waits).toHaveLength(1)
  })

  it('times out a body that stalls after the headers', async () => {
    // The package's own timer stops once headers arrive; only ours covers the body.
    server.enqueue({ hang: 'after-headers' })
    const error = await failure(model({ timeoutMs: 300, retry: { maxRetries: 0 } }).complete(hello))
    expect(error).toMatchObject({ kind: 'timeout', attempts: 1 })
  })

  it('explains a 401 with the env var to check, never showing or logging the key', async () => {
    server.enqueue(apiError(401, `Incorrect API key provided: ${KEY}.`))
    const error = await failure(model({ apiKeyEnv: 'OPENROUTER_API_KEY' }).complete(hello))
    expect(error).toMatchObject({ kind: 'auth', status: 401, retryable: false, attempts: 1 })
    expect(error.message).toContain('OPENROUTER_API_KEY')
    expect(error.message).toContain('refused with 401')
    expect(error.message).toContain('model "test-model"')
    expect(error.message).toContain('[redacted]')
    expect(error.message).not.toContain(KEY)
    expect(error.serverMessage).not.toContain(KEY)
    expect(error.cause).toBeInstanceOf(AuthenticationError)
    expect(JSON.stringify(logs)).not.toContain(KEY)
  })

  it('explains a 404 by naming the model and the /v1 root', async () => {
    server.enqueue(apiError(404, 'The model `nope` does not exist'))
    const error = await failure(model({ model: 'nope' }).complete(hello))
    expect(error.kind).toBe('not_found')
    expect(error.message).toMatch(/model name "nope".*\/v1/)
  })

  it('reports a 400 with the server message, which structured output relies on', async () => {
    server.enqueue(
      apiError(400, "Invalid parameter: 'response_format' of type 'json_schema' is not supported"),
    )
    const error = await failure(model().complete(hello))
    expect(error).toMatchObject({ kind: 'bad_request', status: 400, retryable: false })
    expect(error.serverMessage).toContain('response_format')
  })

  it('retries a refused connection, then says to check the base URL', async () => {
    const closed = await startChatCompletionsServer()
    await closed.close()
    const error = await failure(model({ baseUrl: closed.baseUrl, retry: { maxRetries: 1 } }).complete(hello))
    expect(error).toMatchObject({ kind: 'connection', attempts: 2, retryable: true })
    expect(error.message).toContain('Could not reach the model endpoint (gave up after 2 tries)')
    expect(error.message).toContain('Check OPENAI_BASE_URL')
    expect(waits).toEqual([500])
  })

  it('refuses a base URL with credentials in it, without repeating them', () => {
    const url = new URL(server.baseUrl)
    url.username = 'user'
    url.password = 'hunter2'
    expect(() => model({ baseUrl: url.toString() })).toThrow(/holds credentials.*OPENAI_API_KEY/)
    expect(() => model({ baseUrl: url.toString() })).not.toThrow(/hunter2/)
    expect(() => model({ baseUrl: 'not a url' })).toThrow(/OPENAI_BASE_URL is not a URL/)
  })

  it('stops at once when the caller aborts, without retrying', async () => {
    server.enqueue({ hang: 'before-headers' })
    const controller = new AbortController()
    const pending = model().complete({ ...hello, signal: controller.signal })
    await server.received(1)
    controller.abort()
    const error = await failure(pending)
    expect(error).toMatchObject({ kind: 'aborted', retryable: false })
    expect(waits).toEqual([])
  })

  it('limits answer length with max_tokens off OpenAI and max_completion_tokens on it', async () => {
    server.enqueue(completion({ content: 'a' }))
    await model().complete({ ...hello, maxTokens: 64 })
    expect(server.requests[0]?.body).toMatchObject({ max_tokens: 64 })
    expect(server.requests[0]?.body).not.toHaveProperty('max_completion_tokens')
  })
})
