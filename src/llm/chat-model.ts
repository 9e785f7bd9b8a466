/**
 * The chat-model interface every part of the town talks to: the OpenAI-compatible client for real
 * models and the scripted model for offline runs both implement it.
 */

/** One tool call as the model sent it; `arguments` is raw text and may be malformed JSON. */
export interface ToolCall {
  id: string
  name: string
  arguments: string
}

/** A message in a conversation, in a wire-neutral shape. */
export type ChatMessage =
  | { role: 'system'; content: string }
  | { role: 'user'; content: string }
  | { role: 'assistant'; content: string | null; toolCalls?: ToolCall[] }
  | { role: 'tool'; toolCallId: string; content: string }

/** The assistant's side of a turn. */
export type AssistantMessage = Extract<ChatMessage, { role: 'assistant' }>

/** A tool the model may call; `parameters` is a JSON Schema object. */
export interface ToolSpec {
  name: string
  description: string
  parameters: Record<string, unknown>
}

/**
 * Why a request is made. The scripted model picks its script by it; accounting files tokens under it.
 * Beads are named by their plan key, which is stable, not by issue number, which differs per run.
 */
export type ChatPurpose =
  { kind: 'plan'; goal: number } | { kind: 'bead'; role: string; key: string; bead: number; attempt: number }

/** A request for one completion. */
export interface ChatRequest {
  messages: ChatMessage[]
  tools?: ToolSpec[]
  /** Ask for JSON matching a schema; endpoints without JSON-schema support get a prompt instead. */
  responseFormat?: { type: 'json_schema'; name: string; schema: Record<string, unknown> }
  purpose: ChatPurpose
  maxTokens?: number
  signal?: AbortSignal
}

/** Tokens spent by one call. */
export interface Usage {
  promptTokens: number
  completionTokens: number
  totalTokens: number
}

/** The answer to one request, with what it cost. */
export interface ChatResponse {
  message: AssistantMessage
  usage: Usage
  /** US dollars, from the configured price table; 0 when the model has no price. */
  costUsd: number
  model: string
  finishReason: 'stop' | 'tool_calls' | 'length' | 'content_filter' | 'other'
}

/** A chat model with tool calls. */
export interface ChatModel {
  /** The model's name as sent to the endpoint, or the scenario's name for a scripted model. */
  readonly name: string
  /** True for the scripted test double, so callers can announce it and never pick it silently. */
  readonly scripted: boolean
  complete(request: ChatRequest): Promise<ChatResponse>
}
