/**
 * Webhook deliveries as GitHub's Hookshot sends them: a signed JSON POST per event, in order per
 * repository, recorded with status and duration, each payload checked against the description's schema.
 */
import { createHmac } from 'node:crypto'
import type { Faults } from './faults.js'
import type { RandomSource } from './random-source.js'

/** One delivery attempt (a duplicated delivery is recorded twice with the same id). */
export interface Delivery {
  id: string
  event: string
  action: string | undefined
  repo: string | null
  url: string | null
  /** HTTP status of the receiver's answer; null when it never answered. */
  status: number | null
  durationMs: number | null
  dropped: boolean
  duplicate: boolean
  error?: string
}

/** Sends, records and awaits webhook deliveries. */
export interface WebhookSender {
  /** Queues a delivery; `queue` orders deliveries (one queue per repository). */
  send(event: string, payload: Record<string, unknown>, queue: string | null): void
  setUrl(url: string | undefined): void
  deliveries(): Delivery[]
  /** Resolves once every queued delivery has been answered, dropped or has failed. */
  settled(): Promise<void>
}

/** What the sender needs. */
export interface WebhookSenderOptions {
  url: string | undefined
  secret: string
  appId: number
  random: RandomSource
  faults: Faults
  fetch: typeof fetch
  now: () => number
  /** Checks a payload against the schema of its event; returns the problem or null. */
  check: (event: string, action: string | undefined, payload: unknown) => string | null
  onViolation: (route: string, detail: string) => void
  /** GitHub gives up on a receiver after 10 s. */
  timeoutMs?: number
}

/** Signs a body the way GitHub does (`sha256=` + hex HMAC). */
export function signBody(secret: string, body: string): string {
  return `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`
}

/** Creates a sender posting to `options.url`. */
export function createWebhookSender(options: WebhookSenderOptions): WebhookSender {
  let url = options.url
  const deliveries: Delivery[] = []
  const queues = new Map<string, Promise<void>>()
  const pending = new Set<Promise<void>>()
  const hookId = String(100000 + options.appId)

  const post = async (delivery: Delivery, body: string): Promise<void> => {
    if (!delivery.url) {
      delivery.error = 'no webhook URL is configured'
      return
    }
    const started = options.now()
    try {
      const response = await options.fetch(delivery.url, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'user-agent': 'GitHub-Hookshot/emulator',
          'x-github-event': delivery.event,
          'x-github-delivery': delivery.id,
          'x-github-hook-id': hookId,
          'x-github-hook-installation-target-id': String(options.appId),
          'x-github-hook-installation-target-type': 'integration',
          'x-hub-signature': `sha1=${createHmac('sha1', options.secret).update(body).digest('hex')}`,
          'x-hub-signature-256': signBody(options.secret, body),
        },
        body,
        signal: AbortSignal.timeout(options.timeoutMs ?? 10_000),
      })
      await response.arrayBuffer()
      delivery.status = response.status
    } catch (error) {
      delivery.error = error instanceof Error ? error.message : String(error)
    } finally {
      delivery.durationMs = options.now() - started
    }
  }

  const send = (event: string, payload: Record<string, unknown>, queue: string | null): void => {
    const action = typeof payload.action === 'string' ? payload.action : undefined
    const problem = options.check(event, action, payload)
    if (problem) options.onViolation(`webhook ${event}${action ? `.${action}` : ''}`, problem)
    const body = JSON.stringify(payload)
    const id = options.random.uuid()
    const fault = options.faults.forDelivery(event, action)
    const base = { id, event, action, repo: queue, url: url ?? null, status: null, durationMs: null }
    const attempts: Delivery[] =
      fault === 'drop'
        ? [{ ...base, dropped: true, duplicate: false }]
        : fault === 'duplicate'
          ? [
              { ...base, dropped: false, duplicate: false },
              { ...base, dropped: false, duplicate: true },
            ]
          : [{ ...base, dropped: false, duplicate: false }]
    deliveries.push(...attempts)
    const key = queue ?? ''
    const previous = queues.get(key) ?? Promise.resolve()
    const next = previous.then(async () => {
      for (const attempt of attempts) if (!attempt.dropped) await post(attempt, body)
    })
    queues.set(key, next)
    pending.add(next)
    void next.finally(() => {
      pending.delete(next)
      if (queues.get(key) === next) queues.delete(key)
    })
  }

  const settled = async (): Promise<void> => {
    while (pending.size > 0) await Promise.allSettled([...pending])
  }

  return {
    send,
    setUrl: (next) => void (url = next),
    deliveries: () => deliveries.map((d) => ({ ...d })),
    settled,
  }
}
