/**
 * Whose reviews may steer a bead. On a public repository anyone may submit a review that requests
 * changes; only people with write access to the repository, and the town's own bots, are listened to.
 * Others' reviews are neither counted by the Mayor nor shown to a worker's agent.
 */
import type { GitHubApi, RepoRef } from './client.js'
import { canWrite, getPermission } from './repository.js'

/** The login the default GITHUB_TOKEN of a workflow run acts as (a worker run without the app's token). */
export const ACTIONS_BOT = 'github-actions[bot]'

/** Permissions remembered across calls, by login (the Mayor keeps one for a minute; see FactsCache). */
export interface PermissionCache {
  get(login: string): string | undefined
  set(login: string, permission: string): void
}

/** Answers whether a reviewer is trusted, asking GitHub at most once per login. */
export interface ReviewerTrust {
  trusts(login: string | null | undefined): Promise<boolean>
}

/**
 * Trust in reviewers of `repo`: the `bots` given (the Mayor's bot, and the worker's token identity, which
 * posts reviewer beads' reviews) and users whose permission lets them write (admin, maintain, write).
 */
export function reviewerTrust(
  api: GitHubApi,
  repo: RepoRef,
  options: { bots: readonly string[]; cache?: PermissionCache },
): ReviewerTrust {
  const bots = new Set(options.bots.map((bot) => bot.toLowerCase()))
  const asked = new Map<string, Promise<string>>()
  const permissionOf = (login: string): Promise<string> => {
    const key = login.toLowerCase()
    const cached = options.cache?.get(key)
    if (cached !== undefined) return Promise.resolve(cached)
    let pending = asked.get(key)
    if (!pending) {
      pending = getPermission(api, repo, login).then((permission) => {
        options.cache?.set(key, permission)
        return permission
      })
      asked.set(key, pending)
    }
    return pending
  }
  return {
    async trusts(login) {
      if (!login) return false
      if (bots.has(login.toLowerCase())) return true
      // Another app's bot has no collaborator permission to ask about: it is not one of ours.
      if (login.endsWith('[bot]')) return false
      return canWrite(await permissionOf(login))
    },
  }
}

/** The items whose author `trust` accepts, in their order, and how many were left out. */
export async function keepTrusted<T>(
  items: readonly T[],
  authorOf: (item: T) => string | null | undefined,
  trust: ReviewerTrust,
): Promise<{ kept: T[]; dropped: number }> {
  const verdicts = await Promise.all(items.map((item) => trust.trusts(authorOf(item))))
  const kept = items.filter((_, index) => verdicts[index])
  return { kept, dropped: items.length - kept.length }
}
