/**
 * A chat model behind any OpenAI-compatible Chat Completions endpoint (OpenAI, OpenRouter, Ollama, vLLM),
 * through the `openai` package. Retries are ours, not the package's: its waits use a fixed timer and
 * Math.random, and it waits as long as any Retry-After says; ours take an injected sleep, random source
 * and clock, and refuse waits beyond a cap. The timeout covers the whole call, the body included.
 */
import OpenAI, { APIConnectionError, APIConnectionTimeoutError, APIError, APIUserAbortError } from 'openai'
import type { ChatCompletionCreateParamsNonStreaming } from 'openai/resources/chat/completions'
import type { ChatModel, ChatRequest, ChatResponse, Usage } from './chat-model.js'
import {
  WireFormatError,
  fromWireCompletion,
  toWireRequest,
  type MaxTokensField,
} from './chat-completions-wire.js'
import { silentLogger, type Logger } from './logger.js'
import { ModelError, type ModelErrorKind } from './model-error.js'
import { costOf, estimateTokens, findPrice, type PriceTable } from './pricing.js'
import { DEFAULT_RETRY_POLICY, decideRetry, requestedWaitMs, type RetryPolicy } from './retry-policy.js'
import { realSleep, type Sleep } from './sleep.js'

/** OpenAI's API root, used when no base URL is given. */
export const OPENAI_DEFAULT_BASE_URL = 'https://api.openai.com/v1'

/** How to reach the endpoint and how patiently. */
export interface OpenAIModelOptions {
  apiKey: string
  /** The model name as the endpoint knows it. */
  model: string
  /** The API root, e.g. https://openrouter.ai/api/v1 or http://localhost:11434/v1. */
  baseUrl?: string
  /** The environment variable the key came from, named in errors about the key. */
  apiKeyEnv?: string
  /** Per try, from sending the request to having read the whole answer. */
  timeoutMs?: number
  retry?: Partial<RetryPolicy>
  prices?: PriceTable
  /** Defaults to `max_completion_tokens` on api.openai.com and `max_tokens` elsewhere. */
  maxTokensField?: MaxTokensField
  /** Extra headers, e.g. OpenRouter's HTTP-Referer and X-Title. */
  defaultHeaders?: Record<string, string>
  organization?: string
  project?: string
  sleep?: Sleep
  random?: () => number
  now?: () => number
  logger?: Logger
}

/** Two minutes: long enough for a large completion from a slow local model. */
export const DEFAULT_TIMEOUT_MS = 120_000

/** What one failed try amounts to. */
interface Failure {
  kind: ModelErrorKind
  status?: number
  retryable: boolean
  headers?: Headers
  serverMessage?: string
  cause: unknown
}

/** The attempt outlived its timeout; thrown in place of whatever the abort produced. */
class AttemptTimedOut extends Error {}

/** A ChatModel talking to an OpenAI-compatible endpoint. */
export class OpenAICompatibleModel implements ChatModel {
  readonly name: string
  readonly scripted = false
  /** The chat completions URL, without credentials: safe to log and to show. */
  readonly endpoint: string
  private readonly client: OpenAI
  private readonly options: OpenAIModelOptions
  private readonly policy: RetryPolicy
  private readonly timeoutMs: number
  private readonly sleep: Sleep
  private readonly random: () => number
  private readonly now: () => number
  private readonly logger: Logger
  private readonly maxTokensField: MaxTokensField
  private readonly secret: string

  constructor(options: OpenAIModelOptions) {
    const baseUrl = (options.baseUrl ?? OPENAI_DEFAULT_BASE_URL).replace(/\/+$/, '')
    this.options = options
    this.name = options.model
    this.secret = options.apiKey
    this.endpoint = `${checkedBaseUrl(baseUrl)}/chat/completions`
    this.policy = { ...DEFAULT_RETRY_POLICY, ...options.retry }
    this.timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS
    this.sleep = options.sleep ?? realSleep
    this.random = options.random ?? Math.random
    this.now = options.now ?? Date.now
    this.logger = options.logger ?? silentLogger
    this.maxTokensField =
      options.maxTokensField ??
      (new URL(this.endpoint).host === 'api.openai.com' ? 'max_completion_tokens' : 'max_tokens')
    this.client = new OpenAI({
      apiKey: options.apiKey,
      baseURL: baseUrl,
      // Explicit values so the package reads nothing from process.env behind our back.
      organization: options.organization ?? null,
      project: options.project ?? null,
      maxRetries: 0,
      timeout: this.timeoutMs,
      defaultHeaders: options.defaultHeaders,
      logLevel: 'off',
    })
  }

  /** Sends one request, retrying what is worth retrying; fails with a ModelError. */
  async complete(request: ChatRequest): Promise<ChatResponse> {
    const body = toWireRequest(request, { model: this.name, maxTokensField: this.maxTokensField })
    for (let retries = 0; ; retries++) {
      let failure: Failure
      try {
        const raw = await this.attempt(body, request.signal)
        return this.toResponse(raw, request)
      } catch (error) {
        failure = this.classify(error, request.signal)
      }
      const decision = decideRetry({
        retryable: failure.retryable,
        requestedWaitMs: requestedWaitMs(failure.headers, this.now()),
        retriesDone: retries,
        policy: this.policy,
        random: this.random,
      })
      if (!decision.retry) throw this.explain(failure, retries + 1, decision.reason)
      this.logger.warn(
        {
          model: this.name,
          endpoint: this.endpoint,
          kind: failure.kind,
          status: failure.status,
          retry: retries + 1,
          delayMs: decision.delayMs,
        },
        'model call failed; retrying',
      )
      try {
        await this.sleep(decision.delayMs, request.signal)
      } catch (error) {
        throw this.explain({ kind: 'aborted', retryable: false, cause: error }, retries + 1, 'cancelled')
      }
    }
  }

  private async attempt(
    body: ChatCompletionCreateParamsNonStreaming,
    signal?: AbortSignal,
  ): Promise<unknown> {
    const controller = new AbortController()
    let timedOut = false
    const timer = setTimeout(() => {
      timedOut = true
      controller.abort()
    }, this.timeoutMs)
    const forwardAbort = () => controller.abort(signal?.reason)
    if (signal?.aborted) forwardAbort()
    signal?.addEventListener('abort', forwardAbort, { once: true })
    try {
      // Awaiting the package's promise reads and parses the body, so the timer also covers a stalled body.
      return await this.client.chat.completions.create(body, { signal: controller.signal, maxRetries: 0 })
    } catch (error) {
      if (timedOut) throw new AttemptTimedOut('timed out', { cause: error })
      throw error
    } finally {
      clearTimeout(timer)
      signal?.removeEventListener('abort', forwardAbort)
    }
  }

  private toResponse(raw: unknown, request: ChatRequest): ChatResponse {
    const wire = fromWireCompletion(raw)
    const usage = wire.usage ?? estimateUsage(request, wire.message.content, wire.message.toolCalls)
    const model = wire.model ?? this.name
    const price = findPrice(this.options.prices ?? {}, this.name, wire.model)
    return {
      message: wire.message,
      usage,
      costUsd: costOf(usage, price),
      model,
      finishReason: wire.finishReason,
    }
  }

  private classify(error: unknown, signal: AbortSignal | undefined): Failure {
    if (signal?.aborted) return { kind: 'aborted', retryable: false, cause: error }
    if (error instanceof AttemptTimedOut || error instanceof APIConnectionTimeoutError) {
      return { kind: 'timeout', retryable: true, cause: error }
    }
    if (error instanceof APIUserAbortError) return { kind: 'aborted', retryable: false, cause: error }
    if (error instanceof APIConnectionError) {
      return { kind: 'connection', retryable: true, cause: error, serverMessage: causeText(error) }
    }
    if (error instanceof APIError && typeof error.status === 'number') {
      return {
        ...classifyStatus(error.status, error.headers),
        serverMessage: serverText(error),
        cause: error,
      }
    }
    if (error instanceof WireFormatError || error instanceof SyntaxError) {
      return {
        kind: 'invalid_response',
        status: 200,
        retryable: false,
        serverMessage: error.message,
        cause: error,
      }
    }
    return { kind: 'other', retryable: false, serverMessage: String(error), cause: error }
  }

  private explain(failure: Failure, attempts: number, verdict: string): ModelError {
    const serverMessage = failure.serverMessage === undefined ? undefined : this.redact(failure.serverMessage)
    const where = `POST ${this.endpoint} (model "${this.name}")`
    const said = serverMessage ? `: ${serverMessage}` : ''
    const tries = failure.retryable ? ` (${verdict})` : ''
    const keyEnv = this.options.apiKeyEnv ?? 'OPENAI_API_KEY'
    const status = failure.status
    let message: string
    switch (failure.kind) {
      case 'auth':
        message = `Model call refused with ${status}: ${where}${said}. Check that ${keyEnv} holds a valid key for this endpoint (set OPENAI_BASE_URL when the key is not for ${this.endpoint}).`
        break
      case 'not_found':
        message = `Model endpoint answered 404: ${where}${said}. Check the model name "${this.name}" and that OPENAI_BASE_URL is the API root (it usually ends in /v1).`
        break
      case 'bad_request':
        message = `Model endpoint rejected the request with ${status}: ${where}${said}. Check that the model supports what was asked (tool calls, response_format) and the request size.`
        break
      case 'rate_limited':
        message = `Model endpoint rate limited the call (429)${tries}: ${where}${said}. Wait and retry, lower max_workers, or raise the limit for this key.`
        break
      case 'server':
        message = `Model endpoint failed with ${status}${tries}: ${where}${said}. The server is in trouble; retry later or check its status.`
        break
      case 'timeout':
        message = `Model call timed out after ${this.timeoutMs} ms${tries}: ${where}. Raise the timeout, ask for fewer tokens, or check that the server is not overloaded.`
        break
      case 'connection':
        message = `Could not reach the model endpoint${tries}: ${where}${said}. Check OPENAI_BASE_URL and that the server is running and reachable.`
        break
      case 'invalid_response':
        message = `Model endpoint answered with something that is not a chat completion: ${where}${said}. Check that OPENAI_BASE_URL is an OpenAI-compatible API root (it usually ends in /v1).`
        break
      case 'aborted':
        message = `Model call cancelled: ${where}.`
        break
      default:
        message = `Model call failed: ${where}${said}.`
    }
    return new ModelError(
      message,
      {
        kind: failure.kind,
        ...(status === undefined ? {} : { status }),
        endpoint: this.endpoint,
        model: this.name,
        retryable: failure.retryable,
        attempts,
        ...(serverMessage === undefined ? {} : { serverMessage }),
      },
      { cause: failure.cause },
    )
  }

  /** Removes the key from text an endpoint sent back: some echo it in their error messages. */
  private redact(text: string): string {
    return this.secret.length >= 4 ? text.split(this.secret).join('[redacted]') : text
  }
}

function classifyStatus(status: number, headers: Headers | undefined): Omit<Failure, 'cause'> {
  const base = headers === undefined ? { status } : { status, headers }
  // The server may say explicitly whether a retry can help (OpenAI sends x-should-retry).
  const told = headers?.get('x-should-retry')
  const override = told === 'true' ? true : told === 'false' ? false : undefined
  const kind: ModelErrorKind =
    status === 401 || status === 403
      ? 'auth'
      : status === 404
        ? 'not_found'
        : status === 429
          ? 'rate_limited'
          : status === 408
            ? 'timeout'
            : status >= 500 || status === 409
              ? 'server'
              : 'bad_request'
  const retryable = override ?? (kind === 'rate_limited' || kind === 'server' || kind === 'timeout')
  return { ...base, kind, retryable }
}

function serverText(error: APIError): string {
  const body = error.error as { message?: unknown } | undefined
  const text = typeof body?.message === 'string' ? body.message : error.message.replace(/^\d{3}\s*/, '')
  return text.length > 500 ? `${text.slice(0, 500)}…` : text
}

function causeText(error: Error): string {
  return error.cause instanceof Error ? `${error.message} (${error.cause.message})` : error.message
}

/** The base URL, refused when unusable; fetch rejects URLs with credentials, so say so up front. */
function checkedBaseUrl(url: string): string {
  let parsed: URL
  try {
    parsed = new URL(url)
  } catch (error) {
    throw new Error(
      `OPENAI_BASE_URL is not a URL: ${JSON.stringify(url.replace(/\/\/[^@/]*@/, '//…@'))}. Set it to the API root, e.g. https://api.openai.com/v1.`,
      { cause: error },
    )
  }
  if (parsed.username !== '' || parsed.password !== '') {
    parsed.username = ''
    parsed.password = ''
    throw new Error(
      `OPENAI_BASE_URL holds credentials (${parsed.origin}): remove them and put the key in OPENAI_API_KEY, which is sent as a bearer token.`,
    )
  }
  return url
}

function estimateUsage(
  request: ChatRequest,
  content: string | null,
  toolCalls: { name: string; arguments: string }[] | undefined,
): Usage {
  const promptText = request.messages.map((m) => ('content' in m ? (m.content ?? '') : '')).join('\n')
  const completionText = (content ?? '') + (toolCalls ?? []).map((c) => c.name + c.arguments).join('')
  const promptTokens = estimateTokens(promptText)
  const completionTokens = estimateTokens(completionText)
  return { promptTokens, completionTokens, totalTokens: promptTokens + completionTokens }
}
