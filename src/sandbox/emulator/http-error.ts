/** An error a route throws to answer with GitHub's error body (`message`, `errors`, `documentation_url`, `status`). */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly extra: { errors?: unknown[]; documentation_url?: string; headers?: Record<string, string> } = {},
  ) {
    super(message)
    this.name = 'HttpError'
  }

  /** The JSON body GitHub sends with this status. */
  body(): Record<string, unknown> {
    return {
      message: this.message,
      ...(this.extra.errors ? { errors: this.extra.errors } : {}),
      documentation_url: this.extra.documentation_url ?? 'https://docs.github.com/rest',
      status: String(this.status),
    }
  }
}

/** 404 as GitHub sends it for anything the actor may not see. */
export function notFound(): HttpError {
  return new HttpError(404, 'Not Found')
}

/** 422 "Validation Failed" with one error entry, as GitHub words refused values. */
export function validationFailed(resource: string, field: string, code: string, message?: string): HttpError {
  return new HttpError(422, 'Validation Failed', {
    errors: [{ resource, field, code, ...(message ? { message } : {}) }],
  })
}
