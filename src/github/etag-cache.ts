/**
 * Conditional requests: a GET the Mayor repeats is sent with the ETag of its last answer in
 * `If-None-Match`; GitHub answers 304 when nothing changed, which costs no request of the primary rate
 * limit, and the cached body is answered instead. A 304 is GitHub's own word that the body is current,
 * so nothing stale is ever served: sweeps stay fresh.
 * https://docs.github.com/en/rest/using-the-rest-api/best-practices-for-using-the-rest-api#use-conditional-requests-if-appropriate
 */
import { statusOf } from './client.js'

/** A remembered answer to a GET. */
interface CachedAnswer {
  etag: string
  url: string
  headers: Record<string, unknown>
  data: unknown
  /** Approximate size in bytes (JSON characters), for the memory bound. */
  size: number
}

/** How much the cache may hold. */
export interface EtagCacheLimits {
  entries: number
  bytes: number
}

/** Answers to GETs by URL, least recently used first out, within `limits`. */
export class EtagCache {
  readonly #entries = new Map<string, CachedAnswer>()
  #bytes = 0
  /** Requests answered from the cache after a 304, and GETs sent without a match. */
  readonly counts = { hits: 0, misses: 0 }

  constructor(private readonly limits: EtagCacheLimits = { entries: 2000, bytes: 32 * 1024 * 1024 }) {}

  get size(): { entries: number; bytes: number } {
    return { entries: this.#entries.size, bytes: this.#bytes }
  }

  get(key: string): CachedAnswer | undefined {
    const entry = this.#entries.get(key)
    if (entry) {
      // Map order is the recency order: a hit moves to the back.
      this.#entries.delete(key)
      this.#entries.set(key, entry)
    }
    return entry
  }

  set(key: string, answer: CachedAnswer): void {
    this.delete(key)
    if (answer.size > this.limits.bytes) return
    this.#entries.set(key, answer)
    this.#bytes += answer.size
    for (const [oldest, entry] of this.#entries) {
      if (this.#entries.size <= this.limits.entries && this.#bytes <= this.limits.bytes) break
      this.#entries.delete(oldest)
      this.#bytes -= entry.size
    }
  }

  delete(key: string): void {
    const entry = this.#entries.get(key)
    if (!entry) return
    this.#entries.delete(key)
    this.#bytes -= entry.size
  }
}

/** The part of an Octokit instance the hook needs. */
export interface Hookable {
  hook: {
    wrap(
      name: 'request',
      wrapper: (
        request: (options: RequestOptions) => Promise<Answer>,
        options: RequestOptions,
      ) => Promise<Answer>,
    ): void
  }
  request: { endpoint: { parse(options: RequestOptions): { method: string; url: string; headers: object } } }
}

/** Octokit's request options, as a hook sees them. */
export interface RequestOptions {
  method: string
  url: string
  headers: Record<string, string | number | undefined>
  [parameter: string]: unknown
}

/** Octokit's answer, as a hook sees it. */
export interface Answer {
  status: number
  url: string
  headers: Record<string, unknown>
  data: unknown
}

/** Whether a value is an Octokit instance the hook can go on. */
export function isHookable(api: unknown): api is Hookable {
  const candidate = api as Partial<Hookable> | null
  return (
    typeof candidate?.hook?.wrap === 'function' && typeof candidate.request?.endpoint?.parse === 'function'
  )
}

const withCache = new WeakMap<object, EtagCache>()

/**
 * Sends every GET of `api` conditionally against `cache` (once per instance; further calls do nothing).
 * False when `api` is no Octokit instance (a test double), which then goes on unconditionally.
 */
export function useConditionalRequests(api: unknown, cache: EtagCache): boolean {
  if (!isHookable(api)) return false
  if (withCache.has(api)) return true
  withCache.set(api, cache)
  api.hook.wrap('request', async (request, options) => {
    if (options.method !== 'GET' || options.headers['if-none-match'] !== undefined) return request(options)
    const parsed = api.request.endpoint.parse(options)
    const accept = String((parsed.headers as Record<string, unknown>)['accept'] ?? '')
    const key = `${parsed.url} ${accept}`
    const cached = cache.get(key)
    // Octokit's hooks hand the inner request its options already bound: they change in place (the
    // options of one call are its own).
    if (cached) options.headers['if-none-match'] = cached.etag
    try {
      const answer = await request(options)
      cache.counts.misses += 1
      const etag = answer.headers['etag']
      if (typeof etag === 'string' && answer.status === 200) {
        const size = JSON.stringify(answer.data ?? null).length
        cache.set(key, { etag, url: answer.url, headers: answer.headers, data: answer.data, size })
      } else cache.delete(key)
      return answer
    } catch (error) {
      if (!cached || statusOf(error) !== 304) throw error
      cache.counts.hits += 1
      const fresh = (error as { response?: { headers?: Record<string, unknown> } }).response?.headers ?? {}
      // The rate-limit headers of the 304 are the current ones; the body is the one GitHub vouched for.
      return {
        status: 200,
        url: cached.url,
        headers: { ...cached.headers, ...fresh },
        data: structuredClone(cached.data),
      }
    }
  })
  return true
}
