import { fileURLToPath } from 'node:url'
import { beforeEach, describe, expect, it } from 'vitest'
import type { ChatMessage, ChatPurpose, ChatRequest, ToolSpec } from '../../src/llm/chat-model.js'
import type { Logger } from '../../src/llm/logger.js'
import { ModelError } from '../../src/llm/model-error.js'
import { loadScenario, parseScenario } from '../../src/llm/scenario.js'
import { ScriptMismatchError, ScriptedModel } from '../../src/llm/scripted-model.js'
import { completeStructured, parseWith } from '../../src/llm/structured-output.js'
import { formatToolError } from '../../src/llm/tool-result.js'
import { z } from 'zod'

const tools: ToolSpec[] = ['write_file', 'run_command'].map((name) => ({
  name,
  description: name,
  parameters: { type: 'object' },
}))
const bead = (key: string, attempt = 1): ChatPurpose => ({
  kind: 'bead',
  role: 'developer',
  key,
  bead: 5,
  attempt,
})
const plan: ChatPurpose = { kind: 'plan', goal: 1 }

let warnings: { fields: Record<string, unknown>; message: string }[]
let sleeps: number[]
const logger: Logger = {
  debug: () => {},
  info: () => {},
  warn: (fields, message) => warnings.push({ fields, message }),
}

function scripted(yaml: string): ScriptedModel {
  return new ScriptedModel(parseScenario(yaml, 'test.yaml'), {
    logger,
    sleep: async (ms) => {
      sleeps.push(ms)
    },
  })
}

async function mismatch(promise: Promise<unknown>): Promise<ScriptMismatchError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  )
  expect(error).toBeInstanceOf(ScriptMismatchError)
  return error as ScriptMismatchError
}

/** Plays an agent loop: sends the conversation, appends the answer and a result per tool call. */
async function step(
  model: ScriptedModel,
  messages: ChatMessage[],
  purpose: ChatPurpose,
  results: (name: string, args: string) => string = () => 'ok',
) {
  const response = await model.complete({ messages, tools, purpose })
  messages.push(response.message)
  for (const call of response.message.toolCalls ?? []) {
    messages.push({ role: 'tool', toolCallId: call.id, content: results(call.name, call.arguments) })
  }
  return response
}

beforeEach(() => {
  warnings = []
  sleeps = []
})

const twoTurns = `
name: two-turns
beads:
  api:
    - turns:
        - tool_calls: [{ name: run_command, arguments: { command: npm test } }]
        - content: done
`

describe('ScriptedModel', () => {
  it('replays the example scenario through a plan and a bead agent loop', async () => {
    const scenario = await loadScenario(
      fileURLToPath(new URL('../../src/llm/scenarios/hello-tools.yaml', import.meta.url)),
    )
    const model = new ScriptedModel(scenario, { logger, sleep: async () => {} })
    expect(model.name).toBe('scripted:hello-tools')
    expect(model.scripted).toBe(true)

    const planned = await model.complete({
      messages: [{ role: 'user', content: 'Say hello' }],
      purpose: plan,
    })
    expect(planned.message.content).toBe('[{"key": "hello", "role": "developer"}]')

    const messages: ChatMessage[] = [{ role: 'user', content: 'Create hello.txt' }]
    const first = await step(model, messages, bead('hello'), () => 'wrote 14 bytes')
    expect(first.message.toolCalls).toEqual([
      {
        id: 'call_1_1_1',
        name: 'write_file',
        arguments: '{"path":"hello.txt","content":"Hello, world!\\n"}',
      },
    ])
    expect(first.finishReason).toBe('tool_calls')
    expect(first.usage).toEqual({ promptTokens: 300, completionTokens: 40, totalTokens: 340 })
    expect(first.costUsd).toBeCloseTo((300 * 1 + 40 * 4) / 1e6)
    await step(model, messages, bead('hello'), () => 'Hello, world!\n')
    const last = await step(model, messages, bead('hello'))
    expect(last.message).toEqual({ role: 'assistant', content: 'Wrote hello.txt and checked its content.' })
    expect(last.finishReason).toBe('stop')
    expect(last.usage.promptTokens).toBeGreaterThan(0)
  })

  it('announces every construction as a test double', () => {
    scripted(twoTurns)
    expect(warnings).toEqual([
      {
        fields: expect.objectContaining({
          model: 'scripted:two-turns',
          scenario: 'two-turns',
          source: 'test.yaml',
        }),
        message: 'scripted model: replaying scenario two-turns — this is a test double, not an LLM',
      },
    ])
  })

  it('fails loudly when the script runs out of turns', async () => {
    const model = scripted(twoTurns)
    const messages: ChatMessage[] = [{ role: 'user', content: 'go' }]
    await step(model, messages, bead('api'))
    await step(model, messages, bead('api'))
    messages.push({ role: 'user', content: 'anything else?' })
    const error = await mismatch(model.complete({ messages, tools, purpose: bead('api') }))
    expect(error.message).toContain('ran out of turns')
    expect(error.message).toContain(
      'scenario "two-turns", bead "api" (#5, developer) attempt 1, round 1, turn 3',
    )
    expect(error.where).toEqual({
      scenario: 'two-turns',
      purpose: 'bead "api" (#5, developer) attempt 1',
      round: 1,
      turn: 3,
    })
  })

  it('fails loudly when a conversation starts again with no script left for it', async () => {
    const model = scripted(twoTurns)
    const messages: ChatMessage[] = [{ role: 'user', content: 'go' }]
    await step(model, messages, bead('api'))
    await step(model, messages, bead('api'))
    const error = await mismatch(
      model.complete({ messages: [{ role: 'user', content: 'go' }], tools, purpose: bead('api') }),
    )
    expect(error.message).toMatch(/ran out of conversations .*conversation 2 started, but the scenario has 1/)
  })

  it('fails loudly when no script exists for the purpose', async () => {
    const model = scripted(twoTurns)
    const user: ChatMessage[] = [{ role: 'user', content: 'x' }]
    expect((await mismatch(model.complete({ messages: user, purpose: plan }))).message).toContain(
      'no script for plan (goal #1) in scenario "two-turns" (test.yaml): the scenario has no plan section',
    )
    expect(
      (await mismatch(model.complete({ messages: user, tools, purpose: bead('docs') }))).message,
    ).toContain('it has no bead key "docs" (keys: api)')
    const onlyFirst = scripted('beads:\n  api:\n    - attempt: 1\n      turns: [{ content: x }]\n')
    expect(
      (await mismatch(onlyFirst.complete({ messages: user, purpose: bead('api', 2) }))).message,
    ).toContain('conversations only for attempts 1')
  })

  it('keys scripts by attempt and by round', async () => {
    const model = scripted(`
beads:
  api:
    - { attempt: 2, turns: [{ content: second attempt }] }
    - { turns: [{ content: 'any attempt, first conversation' }] }
    - { turns: [{ content: 'any attempt, second conversation' }] }
`)
    const ask = async (attempt: number) =>
      (await model.complete({ messages: [{ role: 'user', content: 'x' }], purpose: bead('api', attempt) }))
        .message.content
    expect(await ask(2)).toBe('second attempt')
    expect(await ask(1)).toBe('any attempt, first conversation')
    expect(await ask(1)).toBe('any attempt, second conversation')
    expect(await ask(3)).toBe('any attempt, first conversation')
  })

  it('fails loudly when an expectation on the user message does not hold', async () => {
    const model = scripted(`
plan:
  - turns: [{ expect: { user: { contains: todo, matches: 'CRUD' } }, content: '[]' }]
`)
    const error = await mismatch(
      model.complete({ messages: [{ role: 'user', content: 'a blog' }], purpose: plan }),
    )
    expect(error.message).toContain('diverged (scenario "')
    expect(error.message).toContain(
      'plan (goal #1), round 1, turn 1): the latest user message was expected to contain "todo": "a blog"',
    )
    const regex = await mismatch(
      scripted(`plan:\n  - turns: [{ expect: { user: { matches: '^CRUD' } }, content: '[]' }]\n`).complete({
        messages: [{ role: 'user', content: 'todo CRUD' }],
        purpose: plan,
      }),
    )
    expect(regex.message).toContain('was expected to match /^CRUD/')
  })

  it('checks tool results: their count, content and whether they are errors', async () => {
    const yaml = `
beads:
  api:
    - turns:
        - tool_calls:
            - { name: write_file, arguments: { path: a } }
            - { name: run_command, arguments: { command: ls } }
        - expect: { tool_results: [{ tool_error: false }, { tool_error: true, contains: 'not found' }] }
          content: done
`
    const start = async () => {
      const model = scripted(yaml)
      const messages: ChatMessage[] = [{ role: 'user', content: 'go' }]
      const first = await model.complete({ messages, tools, purpose: bead('api') })
      messages.push(first.message)
      return { model, messages, ids: first.message.toolCalls!.map((c) => c.id) }
    }

    const ok = await start()
    ok.messages.push({ role: 'tool', toolCallId: ok.ids[1]!, content: formatToolError('ls: not found') })
    ok.messages.push({ role: 'tool', toolCallId: ok.ids[0]!, content: 'wrote a' })
    expect(
      (await ok.model.complete({ messages: ok.messages, tools, purpose: bead('api') })).message.content,
    ).toBe('done')

    const missing = await start()
    missing.messages.push({ role: 'tool', toolCallId: missing.ids[0]!, content: 'wrote a' })
    expect(
      (await mismatch(missing.model.complete({ messages: missing.messages, tools, purpose: bead('api') })))
        .message,
    ).toContain('the request holds 1 tool result(s) [call_1_1_1] for the 2 tool call(s) of the previous turn')

    const wrongKind = await start()
    wrongKind.messages.push({
      role: 'tool',
      toolCallId: wrongKind.ids[0]!,
      content: formatToolError('disk full'),
    })
    wrongKind.messages.push({ role: 'tool', toolCallId: wrongKind.ids[1]!, content: 'error: not found' })
    expect(
      (
        await mismatch(
          wrongKind.model.complete({ messages: wrongKind.messages, tools, purpose: bead('api') }),
        )
      ).message,
    ).toContain('tool result 1 (call_1_1_1) was expected not to be an error: "error: disk full"')
  })

  it('fails loudly when the conversation lost or altered replayed turns', async () => {
    const model = scripted(twoTurns)
    const messages: ChatMessage[] = [{ role: 'user', content: 'go' }]
    await step(model, messages, bead('api'))
    const altered = messages.map((m) =>
      m.role === 'assistant'
        ? { ...m, toolCalls: [{ id: 'forged', name: 'run_command', arguments: '{}' }] }
        : m,
    )
    expect(
      (await mismatch(model.complete({ messages: altered, tools, purpose: bead('api') }))).message,
    ).toContain('the last assistant message carries tool calls [forged], but [call_1_1_1] were replayed')
    const doubled = [...messages, ...messages.slice(1)]
    expect(
      (await mismatch(model.complete({ messages: doubled, tools, purpose: bead('api') }))).message,
    ).toContain('the request holds 2 assistant message(s), but 1 were replayed in this round')
    expect(
      (
        await mismatch(
          model.complete({ messages: [{ role: 'user', content: 'again' }], tools, purpose: bead('api') }),
        )
      ).message,
    ).toContain('a new conversation started, but round 1 still has 1 unplayed turn(s)')
  })

  it('refuses to call a tool the request does not offer', async () => {
    const model = scripted(twoTurns)
    const error = await mismatch(
      model.complete({
        messages: [{ role: 'user', content: 'go' }],
        tools: tools.slice(0, 1),
        purpose: bead('api'),
      }),
    )
    expect(error.message).toContain(
      'the script calls tool "run_command", but the request offers only write_file',
    )
  })

  it('sends raw_arguments byte for byte, malformed JSON included', async () => {
    const model = scripted(`
beads:
  api:
    - turns:
        - tool_calls: [{ id: bad-call, name: write_file, raw_arguments: '{"path": "a.ts", "content": ' }]
`)
    const response = await model.complete({
      messages: [{ role: 'user', content: 'go' }],
      tools,
      purpose: bead('api'),
    })
    expect(response.message.toolCalls).toEqual([
      { id: 'bad-call', name: 'write_file', arguments: '{"path": "a.ts", "content": ' },
    ])
    expect(() => JSON.parse(response.message.toolCalls![0]!.arguments)).toThrow()
  })

  it('simulates latency through the injected sleep', async () => {
    const model = scripted(`plan:\n  - turns: [{ content: '[]', latency_ms: 1500 }]\n`)
    await model.complete({ messages: [{ role: 'user', content: 'x' }], purpose: plan })
    expect(sleeps).toEqual([1500])
  })

  it('simulates a model failure, and the retry continues with the next turn', async () => {
    const model = scripted(`
plan:
  - turns:
      - fail: { message: upstream overloaded, status: 503 }
      - content: '[{"key": "api", "role": "developer"}]'
`)
    const request: ChatRequest = { messages: [{ role: 'user', content: 'x' }], purpose: plan }
    const error = await model.complete(request).then(
      () => undefined,
      (e: unknown) => e,
    )
    expect(error).toBeInstanceOf(ModelError)
    expect(error).toMatchObject({ kind: 'scripted', status: 503, retryable: true, model: 'scripted:test' })
    expect((error as Error).message).toContain(
      'Scripted model failure (scenario "test", plan (goal #1), round 1, turn 1): upstream overloaded',
    )
    expect((await model.complete(request)).message.content).toBe('[{"key": "api", "role": "developer"}]')
  })

  it('drives the structured-output repair loop like a real model would', async () => {
    const model = scripted(`
plan:
  - turns:
      - content: 'Here you go: [{"key": "api"}]'
      - expect: { user: { contains: 'role' } }
        content: '[{"key": "api", "role": "developer"}]'
`)
    const schema = z.array(z.object({ key: z.string(), role: z.string() }))
    const result = await completeStructured(
      model,
      {
        messages: [{ role: 'user', content: 'plan' }],
        responseFormat: { type: 'json_schema', name: 'plan', schema: {} },
        purpose: plan,
      },
      parseWith(schema),
    )
    expect(result.value).toEqual([{ key: 'api', role: 'developer' }])
    expect(result.attempts).toBe(2)
  })
})
