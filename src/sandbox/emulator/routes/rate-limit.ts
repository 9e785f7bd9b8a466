/** GET /rate_limit: the actor's budgets (not itself counted, as on GitHub). */
import type { RouteContext, RouteResult, RouteTable } from './route-context.js'
import { rateLimitFor } from './rate-limit-key.js'

const getRateLimit = (context: RouteContext): RouteResult => {
  const { key, limit } = rateLimitFor(context.credential)
  const core = context.services.rateLimits.peek(key, limit)
  const view = { limit: core.limit, used: core.used, remaining: core.remaining, reset: core.reset }
  const other = (n: number): typeof view => ({ limit: n, used: 0, remaining: n, reset: core.reset })
  return {
    status: 200,
    body: {
      resources: { core: view, search: other(30), graphql: other(limit), integration_manifest: other(5000) },
      rate: view,
    },
  }
}

/** Rate limit routes. */
export const rateLimitRoutes: RouteTable = { 'GET /rate_limit': getRateLimit }
