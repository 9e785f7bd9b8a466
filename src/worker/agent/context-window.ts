/**
 * Keeps a conversation under the model's context window: a token estimate (characters / 4) and a pure
 * function that elides old tool outputs, then old tool-call arguments, oldest first, keeping the
 * system prompt, the first user message and the recent turns whole.
 */
import type { ChatMessage } from '../../llm/chat-model.js'

/** Tokens a text costs, roughly: four characters a token, as OpenAI's rule of thumb has it. */
export function estimateTokens(text: string): number {
  return Math.ceil(text.length / 4)
}

/** Tokens of framing per message (role, separators), on top of its text. */
const MESSAGE_OVERHEAD_TOKENS = 4

/** The estimated tokens of one message, tool calls included. */
export function estimateMessageTokens(message: ChatMessage): number {
  let tokens = MESSAGE_OVERHEAD_TOKENS + estimateTokens(message.content ?? '')
  if (message.role === 'assistant') {
    for (const call of message.toolCalls ?? [])
      tokens += MESSAGE_OVERHEAD_TOKENS + estimateTokens(call.name + call.arguments)
  }
  return tokens
}

/** The estimated tokens of a conversation. */
export function estimateConversationTokens(messages: readonly ChatMessage[]): number {
  return messages.reduce((sum, message) => sum + estimateMessageTokens(message), 0)
}

/** How much to keep. */
export interface FitOptions {
  /** The most tokens the messages may take (the window minus the reply and the tool specs). */
  maxTokens: number
  /** Assistant turns at the end (with their tool results) that stay whole while older ones suffice. */
  keepRecentTurns?: number
}

/** The fitted conversation; `elided` counts the messages whose text was replaced. */
export interface FitResult {
  messages: ChatMessage[]
  elided: number
  estimatedTokens: number
}

const ELISION = /^\[elided \d+ chars\]$/
const ELIDED_ARGUMENTS = /^\{"elided":"\[elided \d+ chars\]"\}$/

/** The placeholder for text that was elided. */
export function elisionMarker(chars: number): string {
  return `[elided ${chars} chars]`
}

/**
 * Fits `messages` under `maxTokens` by eliding, oldest first: (1) tool results before the recent
 * turns, (2) the text and tool-call arguments of assistant messages before the recent turns,
 * (3) tool results of the recent turns except the last turn's. Roles, order, tool-call ids and the
 * first two messages never change, so every tool call keeps its answer. When even that is not
 * enough, the best effort is returned and its estimate is above `maxTokens`.
 */
export function fitContext(messages: readonly ChatMessage[], options: FitOptions): FitResult {
  const result = messages.map((message) => ({ ...message }))
  let tokens = estimateConversationTokens(result)
  let elided = 0
  if (tokens <= options.maxTokens) return { messages: result, elided, estimatedTokens: tokens }

  const assistantIndexes = result.flatMap((message, index) => (message.role === 'assistant' ? [index] : []))
  const keepRecent = Math.max(1, options.keepRecentTurns ?? 2)
  const recentStart = assistantIndexes[Math.max(0, assistantIndexes.length - keepRecent)] ?? result.length
  const lastTurnStart = assistantIndexes[assistantIndexes.length - 1] ?? result.length
  const firstUser = result.findIndex((message) => message.role === 'user')
  const protectedIndex = (index: number): boolean => index === 0 || index === firstUser

  const replace = (index: number, next: ChatMessage): void => {
    const before = estimateMessageTokens(result[index] as ChatMessage)
    result[index] = next
    tokens += estimateMessageTokens(next) - before
    elided += 1
  }
  const elideTool = (index: number): void => {
    const message = result[index]
    if (message?.role !== 'tool' || ELISION.test(message.content)) return
    const marker = elisionMarker(message.content.length)
    if (marker.length < message.content.length) replace(index, { ...message, content: marker })
  }
  const elideAssistant = (index: number): void => {
    const message = result[index]
    if (message?.role !== 'assistant') return
    const content = message.content
    const shorterContent =
      content !== null && !ELISION.test(content) && elisionMarker(content.length).length < content.length
    const calls = message.toolCalls ?? []
    const shorterCalls = calls.map((call) => {
      if (ELIDED_ARGUMENTS.test(call.arguments)) return call
      const marker = JSON.stringify({ elided: elisionMarker(call.arguments.length) })
      return marker.length < call.arguments.length ? { ...call, arguments: marker } : call
    })
    const callsChanged = shorterCalls.some((call, position) => call !== calls[position])
    if (!shorterContent && !callsChanged) return
    replace(index, {
      ...message,
      content: shorterContent && content !== null ? elisionMarker(content.length) : content,
      ...(message.toolCalls === undefined ? {} : { toolCalls: shorterCalls }),
    })
  }

  const stages: [number, number, (index: number) => void][] = [
    [0, recentStart, elideTool],
    [0, recentStart, elideAssistant],
    [recentStart, lastTurnStart, elideTool],
  ]
  for (const [from, to, elide] of stages) {
    for (let index = from; index < to && tokens > options.maxTokens; index += 1) {
      if (!protectedIndex(index)) elide(index)
    }
    if (tokens <= options.maxTokens) break
  }
  return { messages: result, elided, estimatedTokens: tokens }
}
