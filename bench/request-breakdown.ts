/**
 * GitHub API requests from the emulator's request log, sorted by who sent them (the Mayor, the workers,
 * people) and by route, with the content-creating ones (writes) apart: the budget GitHub's rate limits set.
 */
import type { RequestLogEntry } from '../src/sandbox/emulator/request-log.js'

/** Who sent a request. */
export type Sender = 'mayor' | 'worker' | 'people'

/** The logins of people in the benchmark towns; workers act as `github-actions[bot]`, the rest is the app. */
const PEOPLE = new Set(['alice', 'bob'])

/** Who sent a logged request. */
export function senderOf(entry: RequestLogEntry): Sender {
  if (entry.actor === 'github-actions[bot]') return 'worker'
  if (entry.actor !== null && PEOPLE.has(entry.actor)) return 'people'
  return 'mayor'
}

/** Whether a request creates or changes content (GitHub counts these against the content-creation limit). */
export function isContentCreating(entry: RequestLogEntry): boolean {
  // The app's installation tokens are minted with a POST that creates no content.
  if (entry.route === '/app/installations/{installation_id}/access_tokens') return false
  // A GraphQL query reads; a mutation writes as REST's POST does.
  if (entry.route === '/graphql') return entry.mutation === true
  return entry.method !== 'GET' && entry.method !== 'HEAD'
}

/** Requests counted by route (`METHOD /template`), most frequent first. */
export function countByRoute(entries: readonly RequestLogEntry[]): Record<string, number> {
  const counts = new Map<string, number>()
  for (const entry of entries) {
    const key = `${entry.method} ${entry.route}`
    counts.set(key, (counts.get(key) ?? 0) + 1)
  }
  return Object.fromEntries([...counts].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0])))
}

/** Requests of one sender, in all and per bead, with the route breakdown. */
export interface SenderBreakdown {
  requests: number
  perBead: number
  /** REST requests a bead: the requests GitHub counts against REST's primary limit. */
  restPerBead: number
  /** GraphQL points a bead: what GraphQL requests spend of GraphQL's own primary limit. */
  graphqlPointsPerBead: number
  contentCreating: number
  contentCreatingPerBead: number
  byRoute: Record<string, number>
}

/** Sorts requests by sender and route, dividing by the goal's beads. */
export function breakdown(
  entries: readonly RequestLogEntry[],
  beads: number,
): Record<Sender, SenderBreakdown> {
  const of = (sender: Sender): SenderBreakdown => {
    const mine = entries.filter((entry) => senderOf(entry) === sender)
    const writes = mine.filter(isContentCreating).length
    const graphql = mine.filter((entry) => entry.route === '/graphql')
    return {
      requests: mine.length,
      perBead: mine.length / beads,
      restPerBead: (mine.length - graphql.length) / beads,
      graphqlPointsPerBead: graphql.reduce((sum, entry) => sum + (entry.points ?? 0), 0) / beads,
      contentCreating: writes,
      contentCreatingPerBead: writes / beads,
      byRoute: countByRoute(mine),
    }
  }
  return { mayor: of('mayor'), worker: of('worker'), people: of('people') }
}
