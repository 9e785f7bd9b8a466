/**
 * Our chat messages and tools to the Chat Completions wire format, and the endpoint's answer back.
 * The answer is checked with a schema rather than trusted: "OpenAI-compatible" servers differ.
 */
import type {
  ChatCompletionCreateParamsNonStreaming,
  ChatCompletionMessageParam,
  ChatCompletionTool,
} from 'openai/resources/chat/completions'
import { z } from 'zod'
import type {
  AssistantMessage,
  ChatMessage,
  ChatRequest,
  ChatResponse,
  ToolSpec,
  Usage,
} from './chat-model.js'

/** Which request field limits the answer's length: OpenAI's newer name, or the one older servers know. */
export type MaxTokensField = 'max_completion_tokens' | 'max_tokens'

/** One message in the wire format. */
export function toWireMessage(message: ChatMessage): ChatCompletionMessageParam {
  switch (message.role) {
    case 'system':
    case 'user':
      return { role: message.role, content: message.content }
    case 'tool':
      return { role: 'tool', tool_call_id: message.toolCallId, content: message.content }
    case 'assistant': {
      const toolCalls = message.toolCalls ?? []
      if (toolCalls.length === 0) return { role: 'assistant', content: message.content }
      return {
        role: 'assistant',
        content: message.content,
        tool_calls: toolCalls.map((call) => ({
          id: call.id,
          type: 'function' as const,
          function: { name: call.name, arguments: call.arguments },
        })),
      }
    }
  }
}

/** One tool in the wire format. */
export function toWireTool(tool: ToolSpec): ChatCompletionTool {
  return {
    type: 'function',
    function: { name: tool.name, description: tool.description, parameters: tool.parameters },
  }
}

/** The body of a non-streaming Chat Completions request. */
export function toWireRequest(
  request: ChatRequest,
  options: { model: string; maxTokensField: MaxTokensField },
): ChatCompletionCreateParamsNonStreaming {
  const body: ChatCompletionCreateParamsNonStreaming = {
    model: options.model,
    messages: request.messages.map(toWireMessage),
  }
  if (request.tools !== undefined && request.tools.length > 0) body.tools = request.tools.map(toWireTool)
  if (request.responseFormat !== undefined) {
    const { name, schema } = request.responseFormat
    body.response_format = { type: 'json_schema', json_schema: { name, schema } }
  }
  if (request.maxTokens !== undefined) body[options.maxTokensField] = request.maxTokens
  return body
}

const wireToolCallSchema = z.object({
  // Some servers (older Ollama) omit ids; we number the calls instead so tool results can refer to them.
  id: z.string().optional().nullable(),
  type: z.string().optional().nullable(),
  function: z.object({
    name: z.string(),
    // Arguments stay raw text: the agent loop reports malformed JSON back to the model.
    arguments: z
      .union([z.string(), z.record(z.string(), z.unknown())])
      .optional()
      .nullable(),
  }),
})

const wireCompletionSchema = z.object({
  model: z.string().optional().nullable(),
  choices: z
    .array(
      z.object({
        finish_reason: z.string().optional().nullable(),
        message: z.object({
          content: z.string().optional().nullable(),
          refusal: z.string().optional().nullable(),
          tool_calls: z.array(wireToolCallSchema).optional().nullable(),
        }),
      }),
    )
    .min(1),
  usage: z
    .object({
      prompt_tokens: z.number().nonnegative(),
      completion_tokens: z.number().nonnegative(),
      total_tokens: z.number().nonnegative().optional(),
    })
    .optional()
    .nullable(),
})

/** An answer body that is not a chat completion. */
export class WireFormatError extends Error {
  override readonly name = 'WireFormatError'
}

/** The parts of an answer we use; `usage` is absent when the endpoint did not report it. */
export interface WireCompletion {
  message: AssistantMessage
  usage: Usage | undefined
  model: string | undefined
  finishReason: ChatResponse['finishReason']
}

/** Reads a Chat Completions answer body; throws WireFormatError saying what is missing. */
export function fromWireCompletion(body: unknown): WireCompletion {
  if (typeof body === 'string') {
    throw new WireFormatError(
      `the answer is not JSON but text starting ${JSON.stringify(body.slice(0, 120))}`,
    )
  }
  const parsed = wireCompletionSchema.safeParse(body)
  if (!parsed.success) {
    throw new WireFormatError(`the answer is not a chat completion: ${z.prettifyError(parsed.error)}`)
  }
  const { choices, usage, model } = parsed.data
  const choice = choices[0]!
  const toolCalls = (choice.message.tool_calls ?? []).map((call, index) => ({
    id: call.id || `call_${index}`,
    name: call.function.name,
    arguments:
      typeof call.function.arguments === 'string'
        ? call.function.arguments
        : JSON.stringify(call.function.arguments ?? {}),
  }))
  const content = choice.message.content ?? choice.message.refusal ?? null
  const message: AssistantMessage =
    toolCalls.length > 0 ? { role: 'assistant', content, toolCalls } : { role: 'assistant', content }
  return {
    message,
    usage:
      usage == null
        ? undefined
        : {
            promptTokens: usage.prompt_tokens,
            completionTokens: usage.completion_tokens,
            totalTokens: usage.total_tokens ?? usage.prompt_tokens + usage.completion_tokens,
          },
    model: model ?? undefined,
    finishReason: finishReasonOf(choice.finish_reason, toolCalls.length > 0),
  }
}

function finishReasonOf(
  reason: string | null | undefined,
  hasToolCalls: boolean,
): ChatResponse['finishReason'] {
  if (reason === 'length' || reason === 'content_filter') return reason
  // Several servers answer "stop" even when the message carries tool calls; the calls are what matters.
  if (hasToolCalls) return 'tool_calls'
  if (reason === 'stop') return 'stop'
  return 'other'
}
