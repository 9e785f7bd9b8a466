/** Whose budget a request spends, and how big it is (GitHub's documented defaults). */
import type { Credential } from '../actors.js'

/** The rate-limit bucket and hourly limit of a credential (anonymous requests share one bucket of 60). */
export function rateLimitFor(credential: Credential | null): { key: string; limit: number } {
  if (!credential) return { key: 'anonymous', limit: 60 }
  if (credential.kind === 'installation')
    return { key: `installation:${credential.installationId}`, limit: 5000 }
  if (credential.kind === 'actions') return { key: `actions:${credential.repo}`, limit: 1000 }
  if (credential.kind === 'app') return { key: 'app', limit: 5000 }
  return { key: `user:${credential.actor.login.toLowerCase()}`, limit: 5000 }
}

/**
 * The GraphQL points a credential may spend an hour: 5,000 for a user or an installation, 1,000 for a
 * workflow run's GITHUB_TOKEN (per repository)
 * (https://docs.github.com/en/graphql/overview/rate-limits-and-query-limits-for-the-graphql-api#primary-rate-limit).
 */
export function graphqlRateLimitFor(credential: Credential | null): { key: string; limit: number } {
  const { key } = rateLimitFor(credential)
  return { key, limit: credential?.kind === 'actions' ? 1000 : 5000 }
}
