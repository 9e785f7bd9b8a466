import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import type { ChatMessage } from '../../../src/llm/chat-model.js'
import {
  elisionMarker,
  estimateConversationTokens,
  estimateMessageTokens,
  estimateTokens,
  fitContext,
} from '../../../src/worker/agent/context-window.js'

function conversation(turns: number, outputChars: number, argChars = 20): ChatMessage[] {
  const messages: ChatMessage[] = [
    { role: 'system', content: 'system prompt' },
    { role: 'user', content: 'the task' },
  ]
  for (let turn = 1; turn <= turns; turn += 1) {
    messages.push({
      role: 'assistant',
      content: `turn ${turn}`,
      toolCalls: [
        { id: `c${turn}`, name: 'read_file', arguments: JSON.stringify({ path: 'x'.repeat(argChars) }) },
      ],
    })
    messages.push({ role: 'tool', toolCallId: `c${turn}`, content: `${turn}:`.padEnd(outputChars, 'o') })
  }
  return messages
}

describe('estimateTokens', () => {
  it('counts four characters a token, rounding up', () => {
    expect(estimateTokens('')).toBe(0)
    expect(estimateTokens('abcd')).toBe(1)
    expect(estimateTokens('abcde')).toBe(2)
  })

  it('counts tool-call arguments and a per-message overhead', () => {
    const message: ChatMessage = {
      role: 'assistant',
      content: null,
      toolCalls: [{ id: '1', name: 'ab', arguments: 'cdef' }],
    }
    expect(estimateMessageTokens(message)).toBe(4 + 0 + 4 + 2)
  })
})

describe('fitContext', () => {
  it('changes nothing when the conversation fits', () => {
    const messages = conversation(3, 100)
    const fitted = fitContext(messages, { maxTokens: 10_000 })
    expect(fitted).toEqual({ messages, elided: 0, estimatedTokens: estimateConversationTokens(messages) })
  })

  it('elides old tool outputs first, oldest first, keeping the recent turns whole', () => {
    const messages = conversation(6, 4_000)
    const total = estimateConversationTokens(messages)
    const fitted = fitContext(messages, { maxTokens: total - 1_500, keepRecentTurns: 2 })
    expect(fitted.messages[3]).toEqual({ role: 'tool', toolCallId: 'c1', content: elisionMarker(4_000) })
    expect(fitted.messages[5]).toEqual({ role: 'tool', toolCallId: 'c2', content: elisionMarker(4_000) })
    // Two outputs were enough: the third old one stays.
    expect(fitted.messages[7]).toEqual(messages[7])
    expect(fitted.messages.slice(-4)).toEqual(messages.slice(-4))
    expect(fitted.elided).toBe(2)
    expect(fitted.estimatedTokens).toBeLessThanOrEqual(total - 1_500)
  })

  it('then elides old tool-call arguments, keeping them valid JSON', () => {
    const messages = conversation(4, 10, 4_000)
    const fitted = fitContext(messages, { maxTokens: 2_500, keepRecentTurns: 1 })
    const first = fitted.messages[2]
    expect(first?.role).toBe('assistant')
    const args = first?.role === 'assistant' ? first.toolCalls?.[0]?.arguments : undefined
    expect(JSON.parse(args ?? '')).toEqual({
      elided: elisionMarker(JSON.stringify({ path: 'x'.repeat(4_000) }).length),
    })
    expect(fitted.estimatedTokens).toBeLessThanOrEqual(2_500)
  })

  it('keeps the system prompt and the first user message even when they alone are too big', () => {
    const messages: ChatMessage[] = [
      { role: 'system', content: 's'.repeat(10_000) },
      { role: 'user', content: 'u'.repeat(10_000) },
      ...conversation(2, 100).slice(2),
    ]
    const fitted = fitContext(messages, { maxTokens: 100 })
    expect(fitted.messages[0]).toEqual(messages[0])
    expect(fitted.messages[1]).toEqual(messages[1])
    expect(fitted.estimatedTokens).toBeGreaterThan(100)
  })

  it('keeps roles, order and tool-call ids, fits when it can, and is stable when applied again', () => {
    const arbitraryConversation = fc
      .array(fc.record({ output: fc.nat(3_000), args: fc.nat(2_000), text: fc.nat(500) }), {
        minLength: 1,
        maxLength: 12,
      })
      .map((turns) => {
        const messages: ChatMessage[] = [
          { role: 'system', content: 'sys' },
          { role: 'user', content: 'task' },
        ]
        turns.forEach((turn, index) => {
          messages.push({
            role: 'assistant',
            content: 't'.repeat(turn.text),
            toolCalls: [
              {
                id: `c${index}`,
                name: 'write_file',
                arguments: JSON.stringify({ content: 'a'.repeat(turn.args) }),
              },
            ],
          })
          messages.push({ role: 'tool', toolCallId: `c${index}`, content: 'o'.repeat(turn.output) })
        })
        return messages
      })
    fc.assert(
      fc.property(
        arbitraryConversation,
        fc.integer({ min: 50, max: 20_000 }),
        fc.integer({ min: 1, max: 4 }),
        (messages, maxTokens, keep) => {
          const fitted = fitContext(messages, { maxTokens, keepRecentTurns: keep })
          const shape = (list: ChatMessage[]) =>
            list.map((message) =>
              message.role === 'tool'
                ? `tool:${message.toolCallId}`
                : message.role === 'assistant'
                  ? `assistant:${(message.toolCalls ?? []).map((call) => call.id).join(',')}`
                  : message.role,
            )
          expect(shape(fitted.messages)).toEqual(shape(messages))
          expect(fitted.messages.slice(0, 2)).toEqual(messages.slice(0, 2))
          expect(fitted.estimatedTokens).toBe(estimateConversationTokens(fitted.messages))
          expect(fitted.estimatedTokens).toBeLessThanOrEqual(estimateConversationTokens(messages))
          // The last turn is never touched, so the model always sees its latest results.
          expect(fitted.messages.slice(-2)).toEqual(messages.slice(-2))
          // What can be elided at most: everything but the first two messages and the last turn.
          const floor = fitContext(messages, { maxTokens: 0, keepRecentTurns: keep }).estimatedTokens
          if (floor <= maxTokens) expect(fitted.estimatedTokens).toBeLessThanOrEqual(maxTokens)
          expect(fitContext(fitted.messages, { maxTokens, keepRecentTurns: keep }).messages).toEqual(
            fitted.messages,
          )
        },
      ),
      { numRuns: 300 },
    )
  })
})
