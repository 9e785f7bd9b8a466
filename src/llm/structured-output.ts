/**
 * Asking a model for a JSON value and getting a valid one: JSON-schema response format where the endpoint
 * supports it, the schema in the prompt where it does not, and a repair loop that tells the model what
 * was wrong with its answer. The tokens of every try are summed, failed tries included.
 */
import { z } from 'zod'
import type { ChatMessage, ChatModel, ChatRequest, Usage } from './chat-model.js'
import { extractJson } from './extract-json.js'
import { silentLogger, type Logger } from './logger.js'
import { isModelError } from './model-error.js'

/** A parser's verdict: the value, or what to tell the model so it can repair its answer. */
export type ParseResult<T> = { ok: true; value: T } | { ok: false; repair: string }

/** Checks a JSON value and turns it into T. */
export type Parse<T> = (value: unknown) => ParseResult<T>

/** A request for a structured answer: the response format is required. */
export type StructuredRequest = ChatRequest & { responseFormat: NonNullable<ChatRequest['responseFormat']> }

/** How the schema reached the model. */
export type StructuredMode = 'json_schema' | 'prompt'

/** A valid value and what getting it cost. */
export interface StructuredResult<T> {
  value: T
  usage: Usage
  costUsd: number
  /** Model calls that returned an answer, the first included. */
  attempts: number
  mode: StructuredMode
}

/** Options for completeStructured. */
export interface StructuredOptions {
  /** How many times to send the model its mistake and ask again; default 2. */
  maxRepairs?: number
  logger?: Logger
}

/** How much of the last answer an error quotes. */
export const QUOTED_ANSWER_LIMIT = 2000

/** The model gave no valid value within the repairs allowed. */
export class StructuredOutputError extends Error {
  override readonly name = 'StructuredOutputError'
  constructor(
    message: string,
    readonly details: {
      schemaName: string
      attempts: number
      problem: string
      /** The last answer, capped at QUOTED_ANSWER_LIMIT characters. */
      lastAnswer: string
      usage: Usage
      costUsd: number
    },
  ) {
    super(message)
  }
}

/** Asks `model` for a value that `parse` accepts, repairing up to `maxRepairs` times. */
export async function completeStructured<T>(
  model: ChatModel,
  request: StructuredRequest,
  parse: Parse<T>,
  options: StructuredOptions = {},
): Promise<StructuredResult<T>> {
  const maxRepairs = options.maxRepairs ?? 2
  const logger = options.logger ?? silentLogger
  const format = request.responseFormat
  let mode: StructuredMode = 'json_schema'
  let conversation: ChatMessage[] = [...request.messages]
  let usage: Usage = { promptTokens: 0, completionTokens: 0, totalTokens: 0 }
  let costUsd = 0
  let attempts = 0

  for (;;) {
    let response
    try {
      response = await model.complete(
        mode === 'json_schema'
          ? { ...request, messages: conversation }
          : { ...withoutResponseFormat(request), messages: withSchemaInPrompt(conversation, format) },
      )
    } catch (error) {
      if (mode === 'json_schema' && rejectsResponseFormat(error)) {
        logger.info(
          { model: model.name, schema: format.name },
          'endpoint does not support JSON-schema response format; putting the schema in the prompt',
        )
        mode = 'prompt'
        continue
      }
      throw error
    }
    attempts++
    usage = {
      promptTokens: usage.promptTokens + response.usage.promptTokens,
      completionTokens: usage.completionTokens + response.usage.completionTokens,
      totalTokens: usage.totalTokens + response.usage.totalTokens,
    }
    costUsd += response.costUsd

    const answer = response.message.content ?? ''
    const extracted = extractJson(answer)
    let problem: string
    if (extracted.ok) {
      const parsed = parse(extracted.value)
      if (parsed.ok) return { value: parsed.value, usage, costUsd, attempts, mode }
      problem = parsed.repair
    } else {
      problem = `${extracted.reason}${response.finishReason === 'length' ? ' (the answer was cut off at the token limit)' : ''}`
      // An endpoint that accepted response_format yet answered with prose ignores it: use the prompt instead.
      if (mode === 'json_schema') mode = 'prompt'
    }

    if (attempts > maxRepairs) {
      const lastAnswer =
        answer.length > QUOTED_ANSWER_LIMIT ? `${answer.slice(0, QUOTED_ANSWER_LIMIT)}… [truncated]` : answer
      throw new StructuredOutputError(
        `Model "${model.name}" gave no valid "${format.name}" after ${attempts} tries (${maxRepairs} repairs): ${problem}. ` +
          `Its last answer was:\n${lastAnswer}\n` +
          'Try a stronger model, or one that supports JSON-schema response format.',
        { schemaName: format.name, attempts, problem, lastAnswer, usage, costUsd },
      )
    }
    logger.info(
      { model: model.name, schema: format.name, attempt: attempts, problem },
      'asking the model to repair its answer',
    )
    conversation = [
      ...conversation,
      { role: 'assistant', content: answer },
      { role: 'user', content: repairMessage(problem, format.name) },
    ]
  }
}

/** A parser from a zod schema; its repair message lists every issue with its path. */
export function parseWith<S extends z.ZodType>(schema: S): Parse<z.infer<S>> {
  return (value) => {
    const result = schema.safeParse(value)
    return result.success
      ? { ok: true, value: result.data }
      : { ok: false, repair: z.prettifyError(result.error) }
  }
}

/** The message asking the model to fix its answer. */
export function repairMessage(problem: string, schemaName: string): string {
  return (
    `Your previous answer was not a valid "${schemaName}":\n${problem}\n\n` +
    'Reply again with only the corrected JSON, matching the schema, and no other text.'
  )
}

/** True for an endpoint's refusal of the response_format parameter, as opposed to any other 400. */
export function rejectsResponseFormat(error: unknown): boolean {
  if (!isModelError(error) || (error.status !== 400 && error.status !== 422)) return false
  return /response_format|json_schema/i.test(error.serverMessage ?? error.message)
}

function withoutResponseFormat(request: ChatRequest): ChatRequest {
  const copy = { ...request }
  delete copy.responseFormat
  return copy
}

/** The conversation with the schema added to its system message (or to a new one). */
function withSchemaInPrompt(
  messages: ChatMessage[],
  format: StructuredRequest['responseFormat'],
): ChatMessage[] {
  const instruction =
    `Answer with only a JSON value (no prose) that matches this JSON Schema, named "${format.name}". ` +
    `You may put it in a \`\`\`json block.\n\n${JSON.stringify(format.schema, null, 2)}`
  const index = messages.findIndex((m) => m.role === 'system')
  if (index === -1) return [{ role: 'system', content: instruction }, ...messages]
  return messages.map((m, i) =>
    i === index && m.role === 'system' ? { ...m, content: `${m.content}\n\n${instruction}` } : m,
  )
}
