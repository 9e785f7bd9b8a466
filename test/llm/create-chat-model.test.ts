import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import type { ChatRequest } from '../../src/llm/chat-model.js'
import {
  ModelSelectionError,
  createChatModel,
  type CreateChatModelInput,
} from '../../src/llm/create-chat-model.js'
import type { Logger } from '../../src/llm/logger.js'
import { OpenAICompatibleModel } from '../../src/llm/openai-model.js'
import { ScriptedModel } from '../../src/llm/scripted-model.js'
import {
  apiError,
  completion,
  startChatCompletionsServer,
  type ChatCompletionsServer,
} from '../support/chat-completions-server.js'

const scenarioDir = fileURLToPath(new URL('../../src/llm/scenarios/', import.meta.url))
const examplePath = path.join(scenarioDir, 'hello-tools.yaml')
const KEY = 'sk-live-should-never-appear'
const hello: ChatRequest = {
  messages: [{ role: 'user', content: 'hello' }],
  purpose: { kind: 'plan', goal: 1 },
}

let server: ChatCompletionsServer
let logs: { level: string; fields: Record<string, unknown>; message: string }[]
const logger: Logger = {
  debug: (fields, message) => logs.push({ level: 'debug', fields, message }),
  info: (fields, message) => logs.push({ level: 'info', fields, message }),
  warn: (fields, message) => logs.push({ level: 'warn', fields, message }),
}

function create(input: Partial<CreateChatModelInput>) {
  return createChatModel({ env: {}, logger, sleep: async () => {}, ...input })
}

async function selectionError(promise: Promise<unknown>): Promise<ModelSelectionError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  )
  expect(error).toBeInstanceOf(ModelSelectionError)
  return error as ModelSelectionError
}

beforeEach(async () => {
  server = await startChatCompletionsServer()
  logs = []
})
afterEach(async () => {
  await server.close()
})

describe('createChatModel', () => {
  it('builds a real model from the environment and talks to OPENAI_BASE_URL with the key', async () => {
    const model = await create({
      env: { OPENAI_API_KEY: KEY, OPENAI_BASE_URL: server.baseUrl, GASTOWN_MODEL: 'qwen2.5-coder' },
    })
    expect(model).toBeInstanceOf(OpenAICompatibleModel)
    expect(model.scripted).toBe(false)
    expect(model.name).toBe('qwen2.5-coder')
    server.enqueue(completion({ content: 'hi' }))
    expect((await model.complete(hello)).message.content).toBe('hi')
    expect(server.requests[0]?.headers.authorization).toBe(`Bearer ${KEY}`)
    expect(server.requests[0]?.body).toMatchObject({ model: 'qwen2.5-coder' })
    expect(logs).toEqual([
      expect.objectContaining({ level: 'info', fields: expect.objectContaining({ model: 'qwen2.5-coder' }) }),
    ])
    expect(JSON.stringify(logs)).not.toContain(KEY)
  })

  it('prefers settings to the environment, and reads the key from the variable they name', async () => {
    const model = await create({
      env: { OPENROUTER_API_KEY: KEY, GASTOWN_MODEL: 'env-model', OPENAI_BASE_URL: 'http://127.0.0.1:1/v1' },
      config: {
        apiKeyEnv: 'OPENROUTER_API_KEY',
        model: 'config-model',
        baseUrl: server.baseUrl,
        maxRetries: 0,
      },
    })
    expect(model.name).toBe('config-model')
    server.enqueue(apiError(500, 'boom'))
    await expect(model.complete(hello)).rejects.toMatchObject({ kind: 'server', attempts: 1 })
    expect(server.requests).toHaveLength(1)
    expect(server.requests[0]?.headers.authorization).toBe(`Bearer ${KEY}`)
  })

  it('takes the key from settings when given there', async () => {
    const model = await create({ env: {}, config: { apiKey: KEY, model: 'm', baseUrl: server.baseUrl } })
    server.enqueue(completion({ content: 'ok' }))
    await model.complete(hello)
    expect(server.requests[0]?.headers.authorization).toBe(`Bearer ${KEY}`)
  })

  it('refuses a real model without a key, naming the variable, even with scenarios at hand', async () => {
    const error = await selectionError(
      create({ env: { GASTOWN_MODEL: 'gpt-4o-mini' }, scenarioDirs: [scenarioDir] }),
    )
    expect(error.message).toContain(
      'No API key for the model "gpt-4o-mini" at https://api.openai.com/v1: set OPENAI_API_KEY.',
    )
    expect(error.message).toContain('GASTOWN_SCENARIO')
    const custom = await selectionError(
      create({ env: { OPENROUTER_API_KEY: '  ' }, config: { apiKeyEnv: 'OPENROUTER_API_KEY', model: 'x' } }),
    )
    expect(custom.message).toContain('set OPENROUTER_API_KEY (it is set but empty)')
    expect(logs).toEqual([])
  })

  it('refuses a real model without a model name', async () => {
    const error = await selectionError(create({ env: { OPENAI_API_KEY: KEY } }))
    expect(error.message).toMatch(/No model name .*GASTOWN_MODEL or OPENAI_MODEL/)
    expect(error.message).not.toContain(KEY)
  })

  it('builds the scripted model only when a scenario path is asked for, and announces it', async () => {
    const model = await create({ env: { GASTOWN_SCENARIO: examplePath } })
    expect(model).toBeInstanceOf(ScriptedModel)
    expect(model.scripted).toBe(true)
    expect(model.name).toBe('scripted:hello-tools')
    expect(logs).toEqual([
      expect.objectContaining({
        level: 'warn',
        message: 'scripted model: replaying scenario hello-tools — this is a test double, not an LLM',
      }),
    ])
  })

  it('finds a scenario by name in the scenario folders, relative paths from cwd', async () => {
    expect((await create({ config: { scenario: 'hello-tools' }, scenarioDirs: [scenarioDir] })).name).toBe(
      'scripted:hello-tools',
    )
    expect((await create({ config: { scenario: 'hello-tools.yaml' }, cwd: scenarioDir })).name).toBe(
      'scripted:hello-tools',
    )
    const error = await selectionError(create({ config: { scenario: 'nope' }, scenarioDirs: [scenarioDir] }))
    expect(error.message).toContain(`No scenario named "nope" in ${scenarioDir}`)
  })

  it('says the key goes unused when a scenario is asked for alongside one, without showing it', async () => {
    const model = await create({
      env: { OPENAI_API_KEY: KEY, GASTOWN_SCENARIO: examplePath, GASTOWN_MODEL: 'm' },
    })
    expect(model.scripted).toBe(true)
    expect(logs.map((l) => l.message)).toEqual([
      'a scenario was asked for, so the scripted model is used and the key in OPENAI_API_KEY is not',
      'scripted model: replaying scenario hello-tools — this is a test double, not an LLM',
    ])
    expect(JSON.stringify(logs)).not.toContain(KEY)
  })
})
