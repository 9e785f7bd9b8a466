/**
 * Serves the Mayor (or any Probot app function) over HTTP on 127.0.0.1 for an emulator, the way a host
 * serves it for GitHub: a real Probot with the emulator's app credentials, checking signatures, and the
 * emulator's webhooks pointed at it. The town, the benchmarks and the tests all serve it this way.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { createNodeMiddleware, Probot, ProbotOctokit, type ApplicationFunction } from 'probot'
import { withWriteSpacing } from '../github/client.js'
import type { Emulator } from './emulator/emulator.js'

/** Milliseconds the sandbox's clients wait per second of `retry-after` (GitHub's clients wait 1000). */
export const SANDBOX_RETRY_AFTER_MS = 10

/**
 * How many times faster than GitHub's the emulator's rate-limit windows run for the sandbox: as many
 * times as its clients shorten their waits, so a town makes as many requests per window as on GitHub.
 */
export const SANDBOX_TIME_SCALE = 1000 / SANDBOX_RETRY_AFTER_MS

/** How to serve the app. */
export interface ServeMayorOptions {
  /** Probot's log level; `fatal` (quiet) when absent. */
  logLevel?: 'trace' | 'debug' | 'info' | 'warn' | 'error' | 'fatal'
  /** Probot's Octokit class; Probot's own with writes 10 ms apart when absent (pair it with SANDBOX_TIME_SCALE). */
  Octokit?: typeof ProbotOctokit
  /** The fetch Probot's requests go through (tests record them with it). */
  fetch?: typeof fetch
  /** Called with each webhook request, before Probot handles it. */
  onRequest?: (req: IncomingMessage, res: ServerResponse) => void
}

/** A served app. */
export interface ServedMayor {
  probot: Probot
  server: Server
  /** The webhook URL the emulator delivers to. */
  webhookUrl: string
  close(): Promise<void>
}

/** Serves `app` for `emulator` and points the emulator's webhooks at it. */
export async function serveMayor(
  emulator: Emulator,
  app: ApplicationFunction,
  options: ServeMayorOptions = {},
): Promise<ServedMayor> {
  const probot = new Probot({
    appId: emulator.appId,
    privateKey: emulator.appPrivateKey,
    secret: emulator.webhookSecret,
    baseUrl: emulator.apiUrl,
    logLevel: options.logLevel ?? 'fatal',
    Octokit: options.Octokit ?? withWriteSpacing(ProbotOctokit, 10, SANDBOX_RETRY_AFTER_MS),
    ...(options.fetch ? { request: { fetch: options.fetch } } : {}),
  })
  const middleware = await createNodeMiddleware(app, { probot })
  const server = createServer((req, res) => {
    options.onRequest?.(req, res)
    void middleware(req, res, () => {
      res.writeHead(404).end()
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const webhookUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/github/webhooks`
  emulator.setWebhookUrl(webhookUrl)
  return {
    probot,
    server,
    webhookUrl,
    async close() {
      server.closeAllConnections()
      await new Promise<void>((resolve) => server.close(() => resolve()))
    },
  }
}
