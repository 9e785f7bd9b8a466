/** Git references through the REST API: create (422 when it exists, the claim primitive), read, list, move, delete. */
import { HttpError, notFound } from '../http-error.js'
import type { RepoRecord } from '../state.js'
import { onBranchMoved } from './branch-moves.js'
import type { RouteContext, RouteResult, RouteTable } from './route-context.js'

const refShape = (
  context: RouteContext,
  repo: RepoRecord,
  ref: string,
  sha: string,
): Record<string, unknown> => {
  const { apiUrl } = context.services
  return {
    ref,
    node_id: `REF_kwDO${Buffer.from(`${repo.id}:${ref}`).toString('base64url')}`,
    url: `${apiUrl}/repos/${repo.fullName}/git/${ref}`,
    object: { type: 'commit', sha, url: `${apiUrl}/repos/${repo.fullName}/git/commits/${sha}` },
  }
}

const validRef = (ref: string): boolean =>
  /^refs\/[^/]+\/.+/.test(ref) && !/(\.\.|\/\/|\/$|\.lock$|[\s~^:?*[\\]|\/\.)/.test(ref)

const requireGit = (context: RouteContext) => {
  const git = context.services.git
  if (!git) throw notFound()
  return git
}

const createRef = async (context: RouteContext): Promise<RouteResult> => {
  context.requireActor()
  const repo = context.repo('write')
  const git = requireGit(context)
  const ref = String(context.body.ref)
  const sha = String(context.body.sha)
  if (!validRef(ref)) throw new HttpError(422, `${ref} is not a valid ref name.`)
  if (!(await git.hasCommit(repo.fullName, sha))) throw new HttpError(422, 'Object does not exist')
  if (!(await git.createRef(repo.fullName, ref, sha))) throw new HttpError(422, 'Reference already exists')
  if (ref.startsWith('refs/heads/')) repo.pushedAt = context.services.state.timestamp()
  return {
    status: 201,
    body: refShape(context, repo, ref, sha),
    headers: { location: `${context.services.apiUrl}/repos/${repo.fullName}/git/${ref}` },
  }
}

const getRef = async (context: RouteContext): Promise<RouteResult> => {
  const repo = context.repo('read')
  const ref = `refs/${String(context.params.ref)}`
  const sha = await requireGit(context).resolveRef(repo.fullName, ref)
  if (!sha) throw notFound()
  return { status: 200, body: refShape(context, repo, ref, sha) }
}

const matchingRefs = async (context: RouteContext): Promise<RouteResult> => {
  const repo = context.repo('read')
  const prefix = `refs/${String(context.params.ref ?? '')}`
  const refs = await requireGit(context).listRefs(repo.fullName, prefix)
  return {
    status: 200,
    body: refs.sort((a, b) => a.ref.localeCompare(b.ref)).map((r) => refShape(context, repo, r.ref, r.sha)),
  }
}

const updateRef = async (context: RouteContext): Promise<RouteResult> => {
  const actor = context.requireActor()
  const repo = context.repo('write')
  const git = requireGit(context)
  const ref = `refs/${String(context.params.ref)}`
  const sha = String(context.body.sha)
  const before = await git.resolveRef(repo.fullName, ref)
  if (!before) throw new HttpError(422, 'Reference does not exist')
  if (!(await git.hasCommit(repo.fullName, sha))) throw new HttpError(422, 'Object does not exist')
  if (!(await git.updateRef(repo.fullName, ref, sha, context.body.force === true))) {
    throw new HttpError(422, 'Update is not a fast forward')
  }
  if (ref.startsWith('refs/heads/') && before !== sha) {
    await onBranchMoved(context.services, repo, ref.slice('refs/heads/'.length), before, sha, actor.login)
  }
  return { status: 200, body: refShape(context, repo, ref, sha) }
}

const deleteRef = async (context: RouteContext): Promise<RouteResult> => {
  context.requireActor()
  const repo = context.repo('write')
  const ref = `refs/${String(context.params.ref)}`
  if (!(await requireGit(context).deleteRef(repo.fullName, ref)))
    throw new HttpError(422, 'Reference does not exist')
  return { status: 204 }
}

/** Git reference routes. */
export const gitRefRoutes: RouteTable = {
  'POST /repos/{owner}/{repo}/git/refs': createRef,
  'GET /repos/{owner}/{repo}/git/ref/{ref}': getRef,
  'GET /repos/{owner}/{repo}/git/matching-refs/{ref}': matchingRefs,
  'PATCH /repos/{owner}/{repo}/git/refs/{ref}': updateRef,
  'DELETE /repos/{owner}/{repo}/git/refs/{ref}': deleteRef,
}
