import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import type { AssistantMessage, ChatMessage } from '../../src/llm/chat-model.js'
import {
  WireFormatError,
  fromWireCompletion,
  toWireMessage,
  toWireRequest,
} from '../../src/llm/chat-completions-wire.js'

const toolCallArb = fc.record({
  id: fc.string({ minLength: 1 }),
  name: fc.stringMatching(/^[a-z_]{1,20}$/),
  arguments: fc.string(),
})
const assistantArb: fc.Arbitrary<AssistantMessage> = fc.oneof(
  fc.record({ role: fc.constant('assistant' as const), content: fc.option(fc.string(), { nil: null }) }),
  fc.record({
    role: fc.constant('assistant' as const),
    content: fc.option(fc.string(), { nil: null }),
    toolCalls: fc.array(toolCallArb, { minLength: 1, maxLength: 4 }),
  }),
)

describe('chat completions wire format', () => {
  it('maps every role to its wire shape', () => {
    const messages: ChatMessage[] = [
      { role: 'system', content: 'be brief' },
      { role: 'user', content: 'hi' },
      {
        role: 'assistant',
        content: null,
        toolCalls: [{ id: 'c1', name: 'read_file', arguments: '{"path":"a"}' }],
      },
      { role: 'tool', toolCallId: 'c1', content: 'file text' },
      { role: 'assistant', content: 'done', toolCalls: [] },
    ]
    expect(messages.map(toWireMessage)).toEqual([
      { role: 'system', content: 'be brief' },
      { role: 'user', content: 'hi' },
      {
        role: 'assistant',
        content: null,
        tool_calls: [
          { id: 'c1', type: 'function', function: { name: 'read_file', arguments: '{"path":"a"}' } },
        ],
      },
      { role: 'tool', tool_call_id: 'c1', content: 'file text' },
      { role: 'assistant', content: 'done' },
    ])
  })

  it('sends tools, the JSON schema response format and the chosen max-tokens field', () => {
    const body = toWireRequest(
      {
        messages: [{ role: 'user', content: 'x' }],
        tools: [{ name: 't', description: 'd', parameters: { type: 'object' } }],
        responseFormat: { type: 'json_schema', name: 'plan', schema: { type: 'array' } },
        purpose: { kind: 'plan', goal: 1 },
        maxTokens: 99,
      },
      { model: 'm', maxTokensField: 'max_tokens' },
    )
    expect(body).toEqual({
      model: 'm',
      messages: [{ role: 'user', content: 'x' }],
      tools: [
        { type: 'function', function: { name: 't', description: 'd', parameters: { type: 'object' } } },
      ],
      response_format: { type: 'json_schema', json_schema: { name: 'plan', schema: { type: 'array' } } },
      max_tokens: 99,
    })
    const plain = toWireRequest(
      { messages: [], tools: [], purpose: { kind: 'plan', goal: 1 }, maxTokens: 5 },
      { model: 'm', maxTokensField: 'max_completion_tokens' },
    )
    expect(plain).toEqual({ model: 'm', messages: [], max_completion_tokens: 5 })
  })

  it('reads back any assistant message it sent, tool call arguments byte for byte', () => {
    fc.assert(
      fc.property(assistantArb, (message) => {
        const wire = toWireMessage(message)
        const back = fromWireCompletion({ choices: [{ finish_reason: 'stop', message: wire }] })
        expect(back.message).toEqual(message)
        expect(back.finishReason).toBe(message.toolCalls ? 'tool_calls' : 'stop')
      }),
    )
  })

  it('numbers tool calls without ids and serialises object arguments', () => {
    const back = fromWireCompletion({
      choices: [
        {
          finish_reason: 'tool_calls',
          message: { content: '', tool_calls: [{ function: { name: 'run', arguments: { cmd: 'ls' } } }] },
        },
      ],
      usage: { prompt_tokens: 3, completion_tokens: 4 },
      model: 'llama3',
    })
    expect(back.message.toolCalls).toEqual([{ id: 'call_0', name: 'run', arguments: '{"cmd":"ls"}' }])
    expect(back.usage).toEqual({ promptTokens: 3, completionTokens: 4, totalTokens: 7 })
    expect(back.model).toBe('llama3')
  })

  it('reports missing usage as undefined and unknown finish reasons as other', () => {
    const back = fromWireCompletion({ choices: [{ finish_reason: 'eos', message: { content: 'x' } }] })
    expect(back.usage).toBeUndefined()
    expect(back.finishReason).toBe('other')
    expect(fromWireCompletion({ choices: [{ finish_reason: 'length', message: {} }] }).finishReason).toBe(
      'length',
    )
  })

  it('refuses bodies that are not chat completions, saying what is wrong', () => {
    expect(() => fromWireCompletion('<html>proxy</html>')).toThrow(/not JSON but text starting "<html>/)
    expect(() => fromWireCompletion({ choices: [] })).toThrow(WireFormatError)
    expect(() => fromWireCompletion({ data: [] })).toThrow(/choices/)
  })
})
