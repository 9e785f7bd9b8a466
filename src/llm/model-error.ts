/**
 * The one error type a model call fails with: what failed (kind, HTTP status, endpoint, model),
 * how many tries it took, and in its message what to do about it. The original error is its `cause`.
 */

/** Why a model call failed. */
export type ModelErrorKind =
  | 'auth'
  | 'not_found'
  | 'bad_request'
  | 'rate_limited'
  | 'server'
  | 'timeout'
  | 'connection'
  | 'invalid_response'
  | 'aborted'
  | 'scripted'
  | 'other'

/** What is known about a failed model call. */
export interface ModelErrorDetails {
  kind: ModelErrorKind
  /** HTTP status, when the endpoint answered. */
  status?: number
  /** The URL called, without credentials; for the scripted model, `scenario:<name>`. */
  endpoint: string
  model: string
  /** True when trying again later may succeed (rate limits, server errors, timeouts). */
  retryable: boolean
  /** Tries made, the first included. */
  attempts: number
  /** The endpoint's own explanation, with any secret removed. */
  serverMessage?: string
}

/** A failed model call. */
export class ModelError extends Error {
  override readonly name = 'ModelError'
  readonly kind: ModelErrorKind
  readonly status: number | undefined
  readonly endpoint: string
  readonly model: string
  readonly retryable: boolean
  readonly attempts: number
  readonly serverMessage: string | undefined

  constructor(message: string, details: ModelErrorDetails, options?: { cause?: unknown }) {
    super(message, options)
    this.kind = details.kind
    this.status = details.status
    this.endpoint = details.endpoint
    this.model = details.model
    this.retryable = details.retryable
    this.attempts = details.attempts
    this.serverMessage = details.serverMessage
  }
}

/** True for a ModelError, also one from another copy of this module (e.g. a bundled one). */
export function isModelError(error: unknown): error is ModelError {
  return error instanceof Error && error.name === 'ModelError' && 'kind' in error
}
