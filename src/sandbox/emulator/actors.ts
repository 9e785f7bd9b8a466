/**
 * Who a request acts as: users with personal tokens (`ghp_`), the app (a JWT signed with its private key),
 * its bot through installation tokens (`ghs_`), and the Actions runner's GITHUB_TOKEN. Also what each may do.
 */
import { createPublicKey, verify, type KeyObject } from 'node:crypto'
import type { IncomingMessage } from 'node:http'
import type { Actor, Authorize, Permission, TokenPermissions } from './contracts.js'
import type { RandomSource } from './random-source.js'
import type { AccountRecord, EmulatorState, RepoRecord } from './state.js'

/** What a token was issued as. */
export interface Credential {
  actor: Actor
  kind: 'user' | 'app' | 'installation' | 'actions'
  installationId?: number
  /** The repository a GITHUB_TOKEN is scoped to. */
  repo?: string
  expiresAt?: number
  /** What an installation token or a GITHUB_TOKEN may do (permissions.ts); unchecked when absent. */
  permissions?: TokenPermissions
}

/** The outcome of reading a request's Authorization header. */
export type Authentication = { ok: true; credential: Credential | null } | { ok: false; message: string }

/** The app as GitHub knows it. */
export interface AppIdentity {
  id: number
  slug: string
  name: string
  owner: AccountRecord
  bot: AccountRecord
  privateKey: string
}

/** Actors, their tokens and their access. */
export interface Actors {
  readonly app: AppIdentity
  /** The permissions the app registered. */
  readonly appPermissions: TokenPermissions
  /** The personal access token of a user (created on first use). */
  tokenFor(login: string): string
  /** Reads an `Authorization` header; a missing header is an anonymous request. */
  authenticate(header: string | undefined): Authentication
  /** The access a credential (or an anonymous request) has to a repository. */
  permission(credential: Credential | null, repo: RepoRecord): Permission
  /** A `ghs_` installation token acting as the app's bot, expiring after the configured time. */
  createInstallationToken(installationId: number): { token: string; expiresAt: number }
  /** A GITHUB_TOKEN for a workflow run: acts as `github-actions[bot]` on one repository, with `permissions`. */
  createRunToken(repo: string, permissions: TokenPermissions): string
  /** Ends a GITHUB_TOKEN (when its run completes). */
  revokeToken(token: string): void
  /** Decides who a git or GraphQL request is from. */
  authorize: Authorize
}

/** Access levels in increasing order. */
export const permissionOrder: Permission[] = ['none', 'read', 'triage', 'write', 'admin']

/** Whether `has` is at least `needs`. */
export function permits(has: Permission, needs: Permission): boolean {
  return permissionOrder.indexOf(has) >= permissionOrder.indexOf(needs)
}

/** A permission as the `permissions` flags of GitHub's repository and collaborator answers. */
export function permissionFlags(
  permission: Permission,
): Record<'admin' | 'maintain' | 'push' | 'triage' | 'pull', boolean> {
  return {
    admin: permission === 'admin',
    maintain: permission === 'admin',
    push: permits(permission, 'write'),
    triage: permits(permission, 'triage'),
    pull: permits(permission, 'read'),
  }
}

/** Options for the actors. */
export interface ActorsOptions {
  state: EmulatorState
  random: RandomSource
  clock: () => number
  appId: number
  appSlug: string
  appName: string
  appOwner: string
  appPrivateKey: string
  installationTokenTtlMs: number
  /** The permissions the app registered, which its installation tokens carry. */
  appPermissions: TokenPermissions
}

/** Creates the actors of one emulator. */
export function createActors(options: ActorsOptions): Actors {
  const { state, random, clock } = options
  const publicKey: KeyObject = createPublicKey(options.appPrivateKey)
  const credentials = new Map<string, Credential>()
  const userTokens = new Map<string, string>()
  const app: AppIdentity = {
    id: options.appId,
    slug: options.appSlug,
    name: options.appName,
    owner: state.account(options.appOwner),
    bot: state.account(`${options.appSlug}[bot]`, 'Bot'),
    privateKey: options.appPrivateKey,
  }
  const actionsBot = state.account('github-actions[bot]', 'Bot')

  const actorOf = (account: AccountRecord): Actor => ({
    login: account.login,
    id: account.id,
    type: account.type === 'Bot' ? 'Bot' : 'User',
  })

  const tokenFor = (login: string): string => {
    const key = login.toLowerCase()
    const existing = userTokens.get(key)
    if (existing) return existing
    const token = `ghp_${random.alphanumeric(36)}`
    userTokens.set(key, token)
    credentials.set(token, { actor: actorOf(state.account(login)), kind: 'user' })
    return token
  }

  const verifyJwt = (jwt: string): Authentication => {
    const [headerPart, payloadPart, signaturePart] = jwt.split('.')
    if (!headerPart || !payloadPart || !signaturePart) {
      return { ok: false, message: 'A JSON web token could not be decoded' }
    }
    let header: { alg?: string }
    let payload: { iss?: unknown; iat?: unknown; exp?: unknown }
    try {
      header = JSON.parse(Buffer.from(headerPart, 'base64url').toString('utf8'))
      payload = JSON.parse(Buffer.from(payloadPart, 'base64url').toString('utf8'))
    } catch {
      return { ok: false, message: 'A JSON web token could not be decoded' }
    }
    const signed = verify(
      'sha256',
      Buffer.from(`${headerPart}.${payloadPart}`),
      publicKey,
      Buffer.from(signaturePart, 'base64url'),
    )
    if (header.alg !== 'RS256' || !signed) {
      return { ok: false, message: 'A JSON web token could not be decoded' }
    }
    if (String(payload.iss) !== String(app.id)) {
      return { ok: false, message: "'Issuer' claim ('iss') must be an Integer" }
    }
    const now = Math.floor(clock() / 1000)
    if (typeof payload.iat !== 'number' || payload.iat > now + 60) {
      return {
        ok: false,
        message:
          "'Issued at' claim ('iat') must be an Integer representing the time that the assertion was issued",
      }
    }
    if (typeof payload.exp !== 'number' || payload.exp <= now) {
      return {
        ok: false,
        message:
          "'Expiration time' claim ('exp') must be a numeric value representing the future time at which the assertion expires",
      }
    }
    if (payload.exp > now + 600 + 60) {
      return { ok: false, message: "'Expiration time' claim ('exp') is too far in the future" }
    }
    return { ok: true, credential: { actor: actorOf(app.bot), kind: 'app' } }
  }

  const authenticate = (header: string | undefined): Authentication => {
    if (!header) return { ok: true, credential: null }
    const match = /^(token|bearer|basic)\s+(.+)$/i.exec(header.trim())
    if (!match) return { ok: false, message: 'Bad credentials' }
    const scheme = (match[1] as string).toLowerCase()
    let token = (match[2] as string).trim()
    if (scheme === 'basic') {
      const decoded = Buffer.from(token, 'base64').toString('utf8')
      const colon = decoded.indexOf(':')
      const user = colon === -1 ? decoded : decoded.slice(0, colon)
      const password = colon === -1 ? '' : decoded.slice(colon + 1)
      token = password || user
    }
    if (token.split('.').length === 3) return verifyJwt(token)
    const credential = credentials.get(token)
    if (!credential) return { ok: false, message: 'Bad credentials' }
    if (credential.expiresAt !== undefined && credential.expiresAt <= clock()) {
      return { ok: false, message: 'Bad credentials' }
    }
    return { ok: true, credential }
  }

  const permission = (credential: Credential | null, repo: RepoRecord): Permission => {
    const publicAccess: Permission = repo.private ? 'none' : 'read'
    if (!credential) return publicAccess
    switch (credential.kind) {
      case 'app':
        return 'none'
      case 'installation': {
        const installation = state.installationFor(repo.owner.login)
        return installation && installation.id === credential.installationId ? 'write' : 'none'
      }
      case 'actions':
        return credential.repo === repo.fullName ? 'write' : publicAccess
      case 'user': {
        if (credential.actor.login.toLowerCase() === repo.owner.login.toLowerCase()) return 'admin'
        const granted = repo.access.get(credential.actor.login.toLowerCase())
        if (granted && permits(granted, publicAccess)) return granted
        return publicAccess
      }
    }
  }

  const createInstallationToken = (installationId: number): { token: string; expiresAt: number } => {
    const token = `ghs_${random.alphanumeric(36)}`
    const expiresAt = clock() + options.installationTokenTtlMs
    credentials.set(token, {
      actor: actorOf(app.bot),
      kind: 'installation',
      installationId,
      expiresAt,
      permissions: options.appPermissions,
    })
    return { token, expiresAt }
  }

  const createRunToken = (repo: string, permissions: TokenPermissions): string => {
    const token = `ghs_${random.alphanumeric(36)}`
    credentials.set(token, { actor: actorOf(actionsBot), kind: 'actions', repo, permissions })
    return token
  }

  const findRepo = (fullName: string): RepoRecord | undefined => state.repos.get(fullName.toLowerCase())

  const authorize: Authorize = (req: IncomingMessage) => {
    const result = authenticate(req.headers.authorization)
    if (!result.ok || !result.credential) return null
    const credential = result.credential
    return {
      actor: credential.actor,
      permission: (fullName: string) => {
        const repo = findRepo(fullName)
        return repo ? permission(credential, repo) : 'none'
      },
    }
  }

  return {
    app,
    appPermissions: options.appPermissions,
    tokenFor,
    authenticate,
    permission,
    createInstallationToken,
    createRunToken,
    revokeToken: (token) => void credentials.delete(token),
    authorize,
  }
}
