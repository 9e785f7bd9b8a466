/**
 * The REST pipeline of the emulator: authenticate, count the rate limit, match the OpenAPI operation, inject
 * faults, check the request, run the route, check the response, log, answer with GitHub's headers.
 */
import { createHash } from 'node:crypto'
import type { IncomingMessage, ServerResponse } from 'node:http'
import type { Credential } from './actors.js'
import { HttpError } from './http-error.js'
import type { OpenApi } from './openapi.js'
import { checkSizeLimits } from './limits.js'
import { checkTokenPermission } from './permissions.js'
import { rateHeaders } from './rate-limits.js'
import type { RequestLog } from './request-log.js'
import { rateLimitFor } from './routes/rate-limit-key.js'
import type { RouteContext, RouteResult, RouteTable, Services } from './routes/route-context.js'
import { requireRepo } from './routes/route-context.js'
import { createsContent, secondaryLimitError, type SecondaryRateLimit } from './secondary-rate-limit.js'

/** One mismatch with GitHub's description: an unknown route, a refused request, or a response or payload off-schema. */
export interface Violation {
  route: string
  kind: 'unknown-route' | 'not-emulated' | 'request' | 'response' | 'webhook'
  detail: string
}

/** What the REST pipeline needs. */
export interface RestHandlerOptions {
  services: Services
  openapi: OpenApi
  routes: RouteTable
  log: RequestLog
  addViolation: (violation: Violation) => void
  /** The path prefix REST is also served under (GitHub Enterprise style). */
  prefix: string
  /** GitHub's limit on content-creating requests per actor. */
  secondaryLimit: SecondaryRateLimit
}

/** Creates the handler answering one REST request whose body has been read. */
export function createRestHandler(
  options: RestHandlerOptions,
): (req: IncomingMessage, res: ServerResponse, raw: Buffer) => Promise<void> {
  const { services, openapi, routes, log, addViolation, prefix: restPrefix, secondaryLimit } = options
  const { actors, faults, random, clock } = services
  return async (req, res, raw) => {
    const started = performance.now()
    const method = (req.method ?? 'GET').toUpperCase()
    const host = req.headers.host ?? '127.0.0.1'
    const requestUrl = new URL(req.url ?? '/', `http://${host}`)
    const path =
      requestUrl.pathname.startsWith(`${restPrefix}/`) || requestUrl.pathname === restPrefix
        ? requestUrl.pathname.slice(restPrefix.length) || '/'
        : requestUrl.pathname
    const requestId =
      `${random.alphanumeric(4)}:${random.alphanumeric(5)}:${random.alphanumeric(7)}:${random.alphanumeric(8)}`.toUpperCase()
    const headers: Record<string, string> = {
      'x-github-request-id': requestId,
      'x-github-media-type': 'github.v3; format=json',
      'x-github-api-version-selected': '2022-11-28',
    }
    let route = path
    let credential: Credential | null = null
    let faultName: string | undefined
    const finish = (result: RouteResult): void => {
      Object.assign(headers, result.headers ?? {})
      if (result.status === 204 || result.body === undefined) {
        res.writeHead(result.status, headers)
        res.end()
      } else {
        res.writeHead(result.status, { ...headers, 'content-type': 'application/json; charset=utf-8' })
        res.end(JSON.stringify(result.body))
      }
      log.record({
        time: new Date(clock()).toISOString(),
        requestId,
        actor: credential?.actor.login ?? null,
        method,
        route,
        status: result.status,
        ms: Math.round((performance.now() - started) * 100) / 100,
        ...(faultName ? { fault: faultName } : {}),
      })
    }
    const fail = (error: HttpError): void => {
      finish({ status: error.status, body: error.body(), headers: error.extra.headers ?? {} })
    }

    const auth = actors.authenticate(req.headers.authorization)
    if (!auth.ok) return fail(new HttpError(401, auth.message))
    credential = auth.credential
    const bucket = rateLimitFor(credential)
    const match = openapi.spec.match(method, path)
    const counted = match?.template !== '/rate_limit'
    const rate = counted
      ? services.rateLimits.take(bucket.key, bucket.limit)
      : { allowed: true, window: services.rateLimits.peek(bucket.key, bucket.limit) }
    Object.assign(headers, rateHeaders(rate.window))
    if (!match) {
      addViolation({
        route: `${method} ${path}`,
        kind: 'unknown-route',
        detail: 'no operation of the description matches',
      })
      return fail(new HttpError(404, 'Not Found'))
    }
    route = match.template
    if (!rate.allowed) {
      return fail(
        new HttpError(403, `API rate limit exceeded for ${credential?.actor.login ?? 'this address'}.`, {
          documentation_url: 'https://docs.github.com/rest/overview/rate-limits-for-the-rest-api',
        }),
      )
    }

    const fault = faults.forRequest(method, match.template)
    if (fault.latencyMs > 0) await new Promise((resolve) => setTimeout(resolve, fault.latencyMs))
    if (fault.secondaryRateLimit) {
      faultName = 'secondary-rate-limit'
      return fail(secondaryLimitError(requestId, fault.secondaryRateLimit.retryAfter))
    }
    const forbidden = checkTokenPermission(
      credential,
      method,
      match.template,
      match.operation.externalDocs?.url,
    )
    if (forbidden) return fail(forbidden)
    if (credential && createsContent(method, match.template)) {
      const content = secondaryLimit.take(bucket.key)
      if (!content.allowed) return fail(secondaryLimitError(requestId, content.retryAfter))
    }
    if (fault.status !== undefined) {
      faultName = `status ${fault.status}`
      return finish({
        status: fault.status,
        body: fault.status === 500 ? { message: 'Server Error' } : undefined,
      })
    }

    let body: unknown
    if (raw.length > 0) {
      try {
        body = JSON.parse(raw.toString('utf8'))
      } catch {
        return fail(new HttpError(400, 'Problems parsing JSON'))
      }
    }
    const problem = openapi.check.checkRequest(match, requestUrl.searchParams, body)
    if (problem) {
      addViolation({ route: `${method} ${match.template}`, kind: 'request', detail: problem.detail })
      return fail(new HttpError(problem.status, problem.message))
    }
    const overLimit = checkSizeLimits(method, match.template, body)
    if (overLimit) return fail(overLimit)
    const handler = routes[`${method} ${match.template}`]
    if (!handler) {
      addViolation({
        route: `${method} ${match.template}`,
        kind: 'not-emulated',
        detail: 'described by GitHub but not emulated',
      })
      return fail(new HttpError(404, 'Not Found'))
    }

    const context: RouteContext = {
      services,
      method,
      template: match.template,
      params: match.params,
      url: requestUrl,
      body: (body ?? {}) as Record<string, unknown>,
      credential,
      actor: credential?.actor ?? null,
      repo: (needs) => requireRepo(services, credential, match.params.owner, match.params.repo, needs),
      requireActor: () => {
        if (!credential) throw new HttpError(401, 'Requires authentication')
        return credential.actor
      },
    }
    let result: RouteResult
    try {
      result = await handler(context)
    } catch (error) {
      if (!(error instanceof HttpError)) throw error
      result = { status: error.status, body: error.body(), headers: error.extra.headers ?? {} }
    }
    const responseProblem = openapi.check.checkResponse(match, result.status, result.body)
    if (responseProblem) {
      addViolation({
        route: `${method} ${match.template}`,
        kind: 'response',
        detail: `${result.status}: ${responseProblem}`,
      })
    }
    if (fault.appliedThen500) {
      faultName = 'applied-then-500'
      return finish({ status: 500, body: { message: 'Server Error' } })
    }
    if (method === 'GET' && result.status === 200 && result.body !== undefined) {
      const etag = etagOf(result.body)
      result = { ...result, headers: { ...result.headers, etag } }
      // "Making a conditional request does not count against your primary rate limit if a 304 response
      // is returned": the request taken above is given back.
      // https://docs.github.com/en/rest/using-the-rest-api/best-practices-for-using-the-rest-api#use-conditional-requests-if-appropriate
      if (counted && matchesEtag(req.headers['if-none-match'], etag)) {
        Object.assign(headers, rateHeaders(services.rateLimits.refund(bucket.key, bucket.limit)))
        return finish({ status: 304, headers: { etag } })
      }
    }
    finish(result)
  }
}

/** A weak validator of a JSON answer, as GitHub sends (`W/"…"`): equal bodies, equal tags. */
function etagOf(body: unknown): string {
  return `W/"${createHash('sha256').update(JSON.stringify(body)).digest('hex').slice(0, 40)}"`
}

/** Whether `If-None-Match` names `etag` (a list of tags, weak or strong, or `*`), compared weakly. */
function matchesEtag(header: string | undefined, etag: string): boolean {
  if (header === undefined) return false
  const opaque = (tag: string) => tag.trim().replace(/^W\//, '')
  return header.split(',').some((tag) => tag.trim() === '*' || opaque(tag) === opaque(etag))
}
