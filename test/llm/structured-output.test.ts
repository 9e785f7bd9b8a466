import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { z } from 'zod'
import type { ChatModel } from '../../src/llm/chat-model.js'
import { OpenAICompatibleModel } from '../../src/llm/openai-model.js'
import {
  StructuredOutputError,
  completeStructured,
  parseWith,
  type StructuredRequest,
} from '../../src/llm/structured-output.js'
import {
  apiError,
  completion,
  startChatCompletionsServer,
  type ChatCompletionsServer,
} from '../support/chat-completions-server.js'

const planSchema = z.array(z.object({ key: z.string().min(1), role: z.enum(['developer', 'tester']) })).min(1)
const jsonSchema = z.toJSONSchema(planSchema) as Record<string, unknown>
const request: StructuredRequest = {
  messages: [
    { role: 'system', content: 'You are the Mayor.' },
    { role: 'user', content: 'Plan a todo API.' },
  ],
  responseFormat: { type: 'json_schema', name: 'plan', schema: jsonSchema },
  purpose: { kind: 'plan', goal: 1 },
}
const validPlan = '[{"key": "api", "role": "developer"}]'
const usage = { prompt_tokens: 100, completion_tokens: 20 }

let server: ChatCompletionsServer
let model: ChatModel

type WireMessage = { role: string; content: string | null }
function sentMessages(index: number): WireMessage[] {
  return (server.requests[index]?.body as { messages: WireMessage[] }).messages
}

beforeEach(async () => {
  server = await startChatCompletionsServer()
  model = new OpenAICompatibleModel({
    apiKey: 'sk-test',
    model: 'test-model',
    baseUrl: server.baseUrl,
    prices: { 'test-model': { input_per_mtok: 10, output_per_mtok: 50 } },
    sleep: async () => {},
  })
})
afterEach(async () => {
  await server.close()
})

describe('completeStructured', () => {
  it('asks with a JSON-schema response format and returns the parsed value', async () => {
    server.enqueue(completion({ content: validPlan, usage }))
    const result = await completeStructured(model, request, parseWith(planSchema))
    expect(result).toEqual({
      value: [{ key: 'api', role: 'developer' }],
      usage: { promptTokens: 100, completionTokens: 20, totalTokens: 120 },
      costUsd: (100 * 10 + 20 * 50) / 1e6,
      attempts: 1,
      mode: 'json_schema',
    })
    expect(server.requests[0]?.body).toMatchObject({
      response_format: { type: 'json_schema', json_schema: { name: 'plan', schema: jsonSchema } },
    })
  })

  it('falls back to the schema in the prompt when the endpoint rejects response_format with 400', async () => {
    server.enqueue(
      apiError(
        400,
        "Invalid parameter: 'response_format' of type 'json_schema' is not supported with this model.",
      ),
      completion({ content: `Here is the plan:\n\`\`\`json\n${validPlan}\n\`\`\``, usage }),
    )
    const result = await completeStructured(model, request, parseWith(planSchema))
    expect(result.value).toEqual([{ key: 'api', role: 'developer' }])
    expect(result.mode).toBe('prompt')
    expect(result.attempts).toBe(1)
    expect(result.usage.totalTokens).toBe(120)
    const second = server.requests[1]?.body as Record<string, unknown>
    expect(second).not.toHaveProperty('response_format')
    const system = sentMessages(1)[0]
    expect(system?.role).toBe('system')
    expect(system?.content).toContain('You are the Mayor.')
    expect(system?.content).toContain('JSON Schema, named "plan"')
    expect(system?.content).toContain('"enum"')
  })

  it('does not mistake another 400 for a missing response_format feature', async () => {
    server.enqueue(apiError(400, 'maximum context length exceeded'))
    await expect(completeStructured(model, request, parseWith(planSchema))).rejects.toMatchObject({
      name: 'ModelError',
      status: 400,
    })
    expect(server.requests).toHaveLength(1)
  })

  it('switches to the prompt when the endpoint ignores response_format and answers prose', async () => {
    server.enqueue(
      completion({ content: 'I would split this into an API and tests.', usage }),
      completion({ content: validPlan, usage }),
    )
    const result = await completeStructured(model, request, parseWith(planSchema))
    expect(result).toMatchObject({ attempts: 2, mode: 'prompt' })
    expect(server.requests[1]?.body).not.toHaveProperty('response_format')
    expect(sentMessages(1).at(-1)?.content).toContain('no JSON object or array')
  })

  it('sends the validation problem back and sums usage and cost over the tries', async () => {
    server.enqueue(
      completion({ content: '[{"key": "", "role": "architect"}]', usage }),
      completion({ content: validPlan, usage }),
    )
    const result = await completeStructured(model, request, parseWith(planSchema))
    expect(result.value).toEqual([{ key: 'api', role: 'developer' }])
    expect(result.attempts).toBe(2)
    expect(result.mode).toBe('json_schema')
    expect(result.usage).toEqual({ promptTokens: 200, completionTokens: 40, totalTokens: 240 })
    expect(result.costUsd).toBeCloseTo(2 * ((100 * 10 + 20 * 50) / 1e6))
    const messages = sentMessages(1)
    expect(messages).toHaveLength(4)
    expect(messages[2]).toEqual({ role: 'assistant', content: '[{"key": "", "role": "architect"}]' })
    expect(messages[3]?.role).toBe('user')
    expect(messages[3]?.content).toMatch(/not a valid "plan"/)
    expect(messages[3]?.content).toContain('[0].role')
  })

  it('fails after maxRepairs, quoting the capped last answer and carrying what was spent', async () => {
    const longWrong = `[{"key": "api", "role": "architect", "notes": "${'x'.repeat(5000)}"}]`
    server.enqueue(
      completion({ content: '[]', usage }),
      completion({ content: 'nope', usage }),
      completion({ content: longWrong, usage }),
    )
    const error = await completeStructured(model, request, parseWith(planSchema), { maxRepairs: 2 }).then(
      () => undefined,
      (e: unknown) => e,
    )
    expect(error).toBeInstanceOf(StructuredOutputError)
    const failure = error as StructuredOutputError
    expect(server.requests).toHaveLength(3)
    expect(failure.details.attempts).toBe(3)
    expect(failure.details.usage.totalTokens).toBe(360)
    expect(failure.details.costUsd).toBeGreaterThan(0)
    expect(failure.message).toContain('gave no valid "plan" after 3 tries')
    expect(failure.message).toContain('[{"key": "api", "role": "architect"')
    expect(failure.message).toContain('… [truncated]')
    expect(failure.message.length).toBeLessThan(3000)
    expect(failure.details.problem).toContain('role')
  })

  it('uses a custom parser and its repair text', async () => {
    server.enqueue(completion({ content: '{"n": 3}' }), completion({ content: '{"n": 4}' }))
    const even = (value: unknown) => {
      const n = (value as { n?: unknown }).n
      return typeof n === 'number' && n % 2 === 0
        ? { ok: true as const, value: n }
        : { ok: false as const, repair: 'n must be even' }
    }
    const result = await completeStructured(model, request, even, { maxRepairs: 1 })
    expect(result.value).toBe(4)
    expect(sentMessages(1).at(-1)?.content).toContain('n must be even')
  })
})
