/**
 * The Mayor as middleware for any Node HTTP host: a serverless function, Express, or `node:http`.
 * Copy it next to a checkout of gastown-github (the imports point into its src/), then route POSTs of
 * /api/github/webhooks to `handle`. The Mayor answers GitHub at once and works after the answer, so
 * `handle` resolves only when that work is done: on a serverless platform, keep the function alive for
 * it (return it, or hand it to the platform's waitUntil). docs/running-the-mayor.md explains the settings.
 */
import type { IncomingMessage, ServerResponse } from 'node:http'
import { createNodeMiddleware, createProbot, ProbotOctokit, type Probot } from 'probot'
import { withWriteLimits, writeSpacingFrom } from '../../src/github/client.js'
import { createMayor, type Mayor } from '../../src/mayor/app.js'
import { realTimer } from '../../src/mayor/mayor-deps.js'
import { modelFromConfig } from '../../src/mayor/model-for.js'

/** The Mayor behind one request handler. */
export interface MayorHandler {
  mayor: Mayor
  /** Answers one request (404 for anything but a webhook delivery), then waits for the work it queued. */
  handle(request: IncomingMessage, response: ServerResponse): Promise<void>
}

/**
 * Builds the handler. The app's settings come from the environment, as for `probot run`: APP_ID,
 * PRIVATE_KEY (or PRIVATE_KEY_PATH), WEBHOOK_SECRET, GHE_HOST for GitHub Enterprise, OPENAI_API_KEY.
 */
export async function createMayorHandler(
  options: { env?: NodeJS.ProcessEnv; probot?: Probot } = {},
): Promise<MayorHandler> {
  const env = options.env ?? process.env
  // Writes paced by GitHub.com's limits, not Probot's second between writes (src/mayor/serve.ts).
  const probot =
    options.probot ??
    createProbot({ env, overrides: { Octokit: withWriteLimits(ProbotOctokit, writeSpacingFrom(env)) } })
  // Probot makes its logger while it starts: wait for it.
  await probot.ready()
  const mayor = createMayor({
    modelFor: modelFromConfig(env, probot.log),
    now: Date.now,
    random: Math.random,
    setTimer: realTimer,
    // A function lives for one request: sweep on a schedule instead (docs/running-the-mayor.md).
    reconcileIntervalMs: 0,
  })
  const middleware = await createNodeMiddleware(mayor.app, { probot, webhooksPath: '/api/github/webhooks' })
  return {
    mayor,
    async handle(request, response) {
      const handled = await middleware(request, response)
      if (!handled && !response.headersSent) response.writeHead(404).end()
      await mayor.idle()
    },
  }
}
