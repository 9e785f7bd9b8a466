/**
 * How many beads an hour GitHub.com's rate limits let one installation finish, from the requests and
 * content-creating requests a bead's whole life takes (the Mayor's and the workers'), against:
 * - the primary limit of an installation: 5,000 requests an hour
 *   (https://docs.github.com/en/rest/using-the-rest-api/rate-limits-for-the-rest-api#primary-rate-limit-for-github-app-installations);
 * - the secondary limits on content creation: 80 content-generating requests a minute, 500 an hour
 *   (https://docs.github.com/en/rest/using-the-rest-api/rate-limits-for-the-rest-api#about-secondary-rate-limits);
 * - the workers' `GITHUB_TOKEN`, when they act with it: 1,000 requests an hour per repository
 *   (https://docs.github.com/en/rest/using-the-rest-api/rate-limits-for-the-rest-api#primary-rate-limit-for-github_token-in-github-actions);
 * - GraphQL's own primary limit, in points a query costs: 5,000 an hour for an installation, 1,000 for a
 *   `GITHUB_TOKEN` (https://docs.github.com/en/graphql/overview/rate-limits-and-query-limits-for-the-graphql-api#primary-rate-limit).
 *   GraphQL requests spend points, not REST's requests.
 */

/** GitHub.com's limits the capacity is computed against. */
export const GITHUB_COM_LIMITS = {
  installationRequestsPerHour: 5_000,
  contentCreatingPerHour: 500,
  contentCreatingPerMinute: 80,
  githubTokenRequestsPerHourPerRepository: 1_000,
  installationGraphqlPointsPerHour: 5_000,
  githubTokenGraphqlPointsPerHourPerRepository: 1_000,
} as const

/** Requests per bead of one sender, over the bead's whole life. */
export interface PerBead {
  /** REST requests (GraphQL's spend points instead). */
  requests: number
  /** Content-creating requests, REST's writes and GraphQL's mutations alike. */
  contentCreating: number
  /** GraphQL points; none when absent. */
  graphqlPoints?: number
}

/** What the capacity is computed from. */
export interface CapacityInput {
  mayor: PerBead
  worker: PerBead
  /**
   * The token the workers act with: the run's `GITHUB_TOKEN` (its own budget, per repository), or an
   * installation token of the app (`GASTOWN_TOKEN`), whose requests share the Mayor's budget.
   */
  workerToken: 'github-token' | 'installation'
}

/** One limit and the beads an hour it allows. */
export interface CapacityBound {
  /** Which token's budget, and which limit. */
  limit: string
  perHour: number
  /** Requests of that kind a bead spends against it. */
  perBead: number
  beadsPerHour: number
}

/** The capacity and every bound it was taken from. */
export interface CapacityReport {
  /** The smallest bound, whole beads: what one installation (one repository's workers) sustains. */
  beadsPerHour: number
  /** The limit that sets it. */
  limitedBy: string
  bounds: CapacityBound[]
  /** Beads a minute the 80-a-minute content-creation limit allows in a burst (e.g. a plan's beads). */
  burstBeadsPerMinute: number
}

/** A limit, its budget an hour, and what a bead spends of it (exact, before rounding for the report). */
interface Budget {
  limit: string
  perHour: number
  perBead: number
}

function quotient(budget: Budget): number {
  return budget.perBead > 0 ? budget.perHour / budget.perBead : Number.POSITIVE_INFINITY
}

function round2(value: number): number {
  return Math.round(value * 100) / 100
}

/**
 * The beads an hour the limits allow. With `GITHUB_TOKEN` the workers' requests and writes count
 * against that token (one per repository), not the installation's; the Mayor's always count against
 * the installation. GitHub documents the content-creation limits for every token, so they bind both.
 */
export function beadsPerHourPerInstallation(
  input: CapacityInput,
  limits: typeof GITHUB_COM_LIMITS = GITHUB_COM_LIMITS,
): CapacityReport {
  for (const [who, figures] of [
    ['mayor', input.mayor],
    ['worker', input.worker],
  ] as const) {
    if (
      ![figures.requests, figures.contentCreating, figures.graphqlPoints ?? 0].every(
        (n) => Number.isFinite(n) && n >= 0,
      )
    ) {
      throw new Error(
        `capacity: the ${who}'s requests per bead must be numbers from 0; got ${JSON.stringify(figures)}`,
      )
    }
  }
  const shared = input.workerToken === 'installation'
  const installation: PerBead = shared
    ? {
        requests: input.mayor.requests + input.worker.requests,
        contentCreating: input.mayor.contentCreating + input.worker.contentCreating,
        graphqlPoints: (input.mayor.graphqlPoints ?? 0) + (input.worker.graphqlPoints ?? 0),
      }
    : input.mayor
  const budgets: Budget[] = [
    {
      limit: 'installation: requests',
      perHour: limits.installationRequestsPerHour,
      perBead: installation.requests,
    },
    {
      limit: 'installation: content-creating requests',
      perHour: limits.contentCreatingPerHour,
      perBead: installation.contentCreating,
    },
  ]
  // A budget a bead never spends bounds nothing: GraphQL's appear only for a bead that queries.
  if ((installation.graphqlPoints ?? 0) > 0) {
    budgets.push({
      limit: 'installation: GraphQL points',
      perHour: limits.installationGraphqlPointsPerHour,
      perBead: installation.graphqlPoints ?? 0,
    })
  }
  if (!shared) {
    budgets.push(
      {
        limit: 'GITHUB_TOKEN: requests',
        perHour: limits.githubTokenRequestsPerHourPerRepository,
        perBead: input.worker.requests,
      },
      {
        limit: 'GITHUB_TOKEN: content-creating requests',
        perHour: limits.contentCreatingPerHour,
        perBead: input.worker.contentCreating,
      },
    )
    if ((input.worker.graphqlPoints ?? 0) > 0) {
      budgets.push({
        limit: 'GITHUB_TOKEN: GraphQL points',
        perHour: limits.githubTokenGraphqlPointsPerHourPerRepository,
        perBead: input.worker.graphqlPoints ?? 0,
      })
    }
  }
  // The headline comes from exact quotients: rounding a bound for the report must not round it up.
  const tightest = budgets.reduce((a, b) => (quotient(b) < quotient(a) ? b : a))
  const burstWrites = Math.max(installation.contentCreating, shared ? 0 : input.worker.contentCreating)
  return {
    beadsPerHour: Math.floor(quotient(tightest)),
    limitedBy: tightest.limit,
    bounds: budgets.map((budget) => ({
      limit: budget.limit,
      perHour: budget.perHour,
      perBead: round2(budget.perBead),
      beadsPerHour: round2(quotient(budget)),
    })),
    burstBeadsPerMinute:
      burstWrites > 0 ? round2(limits.contentCreatingPerMinute / burstWrites) : Number.POSITIVE_INFINITY,
  }
}

/** The capacity from a goal run's request breakdown (per bead), the people's requests aside. */
export function capacityFromBreakdown(
  requests: Record<
    'mayor' | 'worker',
    {
      restPerBead: number
      contentCreatingPerBead: number
      graphqlPointsPerBead: number
    }
  >,
  workerToken: CapacityInput['workerToken'],
): CapacityReport {
  const of = (sender: 'mayor' | 'worker'): PerBead => ({
    requests: requests[sender].restPerBead,
    contentCreating: requests[sender].contentCreatingPerBead,
    graphqlPoints: requests[sender].graphqlPointsPerBead,
  })
  return beadsPerHourPerInstallation({ mayor: of('mayor'), worker: of('worker'), workerToken })
}
