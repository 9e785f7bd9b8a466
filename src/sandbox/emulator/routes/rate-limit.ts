/** GET /rate_limit: the actor's budgets (not itself counted, as on GitHub). */
import type { RouteContext, RouteResult, RouteTable } from './route-context.js'
import { graphqlRateLimitFor, rateLimitFor } from './rate-limit-key.js'

const getRateLimit = (context: RouteContext): RouteResult => {
  const { key, limit } = rateLimitFor(context.credential)
  const core = context.services.rateLimits.peek(key, limit)
  const view = { limit: core.limit, used: core.used, remaining: core.remaining, reset: core.reset }
  const other = (n: number): typeof view => ({ limit: n, used: 0, remaining: n, reset: core.reset })
  return {
    status: 200,
    body: {
      resources: {
        core: view,
        search: other(30),
        graphql: graphqlView(context),
        integration_manifest: other(5000),
      },
      rate: view,
    },
  }
}

/** The credential's GraphQL points, as GraphQL requests spent them. */
function graphqlView(context: RouteContext) {
  const { key, limit } = graphqlRateLimitFor(context.credential)
  const window = context.services.rateLimits.peek(key, limit, 'graphql')
  return { limit: window.limit, used: window.used, remaining: window.remaining, reset: window.reset }
}

/** Rate limit routes. */
export const rateLimitRoutes: RouteTable = { 'GET /rate_limit': getRateLimit }
