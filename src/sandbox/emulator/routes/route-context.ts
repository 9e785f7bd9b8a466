/** What every route handler receives: the matched request, its actor, and the emulator's services. */
import type { ActionsRunner, Actor, GitHost, GraphqlEndpoint, Permission } from '../contracts.js'
import type { Actors, Credential } from '../actors.js'
import { permits } from '../actors.js'
import type { Faults } from '../faults.js'
import { HttpError, notFound } from '../http-error.js'
import type { RandomSource } from '../random-source.js'
import type { RateLimits } from '../rate-limits.js'
import type { Shapes } from '../shapes.js'
import type { EmulatorState, RepoRecord } from '../state.js'

/** Emits webhook events about a repository or an installation. */
export interface RepoEvents {
  /** Sends `event` with `fields`, adding repository, sender and installation as GitHub does. */
  emit(repo: RepoRecord, event: string, fields: Record<string, unknown>, sender: string): void
  /** Sends installation.created for an account. */
  installationCreated(installationId: number, sender: string): void
  /**
   * A branch moved as a push moves it, by git or by the API (a merge): the `push` event its workflows
   * take. GitHub sends one for a merged pull request's base too
   * (https://docs.github.com/en/webhooks/webhook-events-and-payloads#push).
   */
  pushed(repo: RepoRecord, push: { ref: string; before: string; after: string }, pusher: string): void
}

/** The emulator's parts, shared by every route. */
export interface Services {
  state: EmulatorState
  shapes: Shapes
  actors: Actors
  git: GitHost | null
  runner: ActionsRunner | null
  graphql: GraphqlEndpoint | null
  events: RepoEvents
  faults: Faults
  rateLimits: RateLimits
  random: RandomSource
  clock: () => number
  apiUrl: string
  htmlUrl: string
}

/** One request, matched to its OpenAPI template. */
export interface RouteContext {
  services: Services
  method: string
  template: string
  params: Record<string, string>
  url: URL
  body: Record<string, unknown>
  credential: Credential | null
  actor: Actor | null
  /** The repository named by `{owner}/{repo}`, after checking the actor has `needs` on it. */
  repo(needs: Permission): RepoRecord
  /** The authenticated actor, or 401 "Requires authentication". */
  requireActor(): Actor
}

/** A route's answer. */
export interface RouteResult {
  status: number
  body?: unknown
  headers?: Record<string, string>
}

/** A route handler. */
export type RouteHandler = (context: RouteContext) => RouteResult | Promise<RouteResult>

/** Handlers keyed by `METHOD /template`, the template spelled as in the OpenAPI description. */
export type RouteTable = Record<string, RouteHandler>

/** Finds a repository and checks access, answering as GitHub does when the check fails. */
export function requireRepo(
  services: Services,
  credential: Credential | null,
  owner: string | undefined,
  name: string | undefined,
  needs: Permission,
): RepoRecord {
  const repo = services.state.repos.get(`${owner ?? ''}/${name ?? ''}`.toLowerCase())
  if (!repo) throw notFound()
  if (credential?.kind === 'app') {
    throw new HttpError(403, 'Resource not accessible by integration')
  }
  const has = services.actors.permission(credential, repo)
  if (has === 'none') throw notFound()
  if (permits(has, needs)) return repo
  if (!credential) throw new HttpError(401, 'Requires authentication')
  if (credential.actor.type === 'Bot') throw new HttpError(403, 'Resource not accessible by integration')
  throw new HttpError(
    403,
    needs === 'admin' ? 'Must have admin rights to Repository.' : 'Must have push access to repository',
  )
}

/** Reads a positive integer path parameter (the description already checked its digits). */
export function intParam(context: RouteContext, name: string): number {
  return Number(context.params[name])
}

/** An integer from the body, or 422 naming the field. */
export function bodyInt(context: RouteContext, name: string): number {
  const value = context.body[name]
  if (typeof value !== 'number' || !Number.isInteger(value)) {
    throw new HttpError(422, `Invalid request.\n\n"${name}" wasn't supplied.`)
  }
  return value
}
