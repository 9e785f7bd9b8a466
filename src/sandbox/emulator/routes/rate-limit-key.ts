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
