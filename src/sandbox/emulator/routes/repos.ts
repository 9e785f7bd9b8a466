/** Repositories: metadata, contents, languages, trees and branches, read from the git host. */
import { permissionFlags } from '../actors.js'
import type { GitHost } from '../contracts.js'
import { HttpError, notFound } from '../http-error.js'
import { paginate } from '../pagination.js'
import type { RepoRecord } from '../state.js'
import type { RouteContext, RouteResult, RouteTable } from './route-context.js'

const extensionLanguages: Record<string, string> = {
  ts: 'TypeScript',
  tsx: 'TypeScript',
  js: 'JavaScript',
  mjs: 'JavaScript',
  cjs: 'JavaScript',
  jsx: 'JavaScript',
  py: 'Python',
  go: 'Go',
  rs: 'Rust',
  java: 'Java',
  rb: 'Ruby',
  sh: 'Shell',
  css: 'CSS',
  html: 'HTML',
  c: 'C',
  h: 'C',
  cpp: 'C++',
  cs: 'C#',
  kt: 'Kotlin',
  swift: 'Swift',
  php: 'PHP',
}

/** Every blob under `path` at `ref`, walking the tree level by level. */
async function walkTree(
  context: RouteContext,
  repo: RepoRecord,
  ref: string,
  path = '',
): Promise<{ path: string; type: 'blob' | 'tree'; sha: string; size?: number }[]> {
  const git = context.services.git
  if (!git) return []
  const entries = await git.listTree(repo.fullName, ref, path)
  const nested = await Promise.all(
    entries.filter((e) => e.type === 'tree').map((e) => walkTree(context, repo, ref, e.path)),
  )
  return [...entries, ...nested.flat()].sort((a, b) => a.path.localeCompare(b.path))
}

const getRepo = (context: RouteContext): RouteResult => {
  const repo = context.repo('read')
  const permission = context.services.actors.permission(context.credential, repo)
  return {
    status: 200,
    body: context.services.shapes.repository(repo, {
      permissions: permissionFlags(permission),
    }),
  }
}

const requireGit = (context: RouteContext) => {
  const git = context.services.git
  if (!git) throw new HttpError(404, 'Not Found')
  return git
}

/** The commit a branch name or a commit sha names, as the contents API resolves `ref`; null for none. */
export async function commitOf(git: GitHost, repo: string, ref: string): Promise<string | null> {
  return (await git.resolveRef(repo, `refs/heads/${ref}`)) ?? ((await git.hasCommit(repo, ref)) ? ref : null)
}

/** The tree entry at `path` in commit `sha`, or undefined when there is none. */
export async function entryAt(git: GitHost, repo: string, sha: string, path: string) {
  const parent = path.includes('/') ? path.slice(0, path.lastIndexOf('/')) : ''
  const siblings = path === '' ? [] : await git.listTree(repo, sha, parent)
  return siblings.find((e) => e.path === path)
}

const getContent = async (context: RouteContext): Promise<RouteResult> => {
  const repo = context.repo('read')
  const git = requireGit(context)
  const ref = context.url.searchParams.get('ref') ?? repo.defaultBranch
  const sha = await commitOf(git, repo.fullName, ref)
  if (!sha) throw new HttpError(404, `No commit found for the ref ${ref}`)
  const path = (context.params.path ?? '').replace(/^\/+|\/+$/g, '')
  const { apiUrl, htmlUrl } = context.services
  const links = (entryPath: string, type: 'file' | 'dir', blobSha: string) => {
    const self = `${apiUrl}/repos/${repo.fullName}/contents/${entryPath}?ref=${encodeURIComponent(ref)}`
    const git = `${apiUrl}/repos/${repo.fullName}/git/${type === 'file' ? 'blobs' : 'trees'}/${blobSha}`
    const html = `${htmlUrl}/${repo.fullName}/${type === 'file' ? 'blob' : 'tree'}/${ref}/${entryPath}`
    return { url: self, git_url: git, html_url: html, _links: { self, git, html } }
  }
  const entry = await entryAt(git, repo.fullName, sha, path)
  if (path === '' || entry?.type === 'tree') {
    const entries = await git.listTree(repo.fullName, sha, path)
    return {
      status: 200,
      body: entries.map((e) => ({
        type: e.type === 'tree' ? 'dir' : 'file',
        size: e.size ?? 0,
        name: e.path.split('/').pop() ?? e.path,
        path: e.path,
        sha: e.sha,
        ...links(e.path, e.type === 'tree' ? 'dir' : 'file', e.sha),
        download_url: e.type === 'blob' ? `${htmlUrl}/raw/${repo.fullName}/${ref}/${e.path}` : null,
      })),
    }
  }
  if (!entry) throw notFound()
  const content = await git.readFile(repo.fullName, sha, path)
  if (!content) throw notFound()
  return {
    status: 200,
    body: {
      type: 'file',
      encoding: 'base64',
      size: content.length,
      name: path.split('/').pop() ?? path,
      path,
      content: (content.toString('base64').match(/.{1,60}/g) ?? []).join('\n'),
      sha: entry.sha,
      ...links(path, 'file', entry.sha),
      download_url: `${htmlUrl}/raw/${repo.fullName}/${ref}/${path}`,
    },
  }
}

const getLanguages = async (context: RouteContext): Promise<RouteResult> => {
  const repo = context.repo('read')
  requireGit(context)
  const bytes: Record<string, number> = {}
  for (const entry of await walkTree(context, repo, repo.defaultBranch)) {
    const language = extensionLanguages[entry.path.split('.').pop()?.toLowerCase() ?? '']
    if (entry.type === 'blob' && language) bytes[language] = (bytes[language] ?? 0) + (entry.size ?? 0)
  }
  return { status: 200, body: Object.fromEntries(Object.entries(bytes).sort((a, b) => b[1] - a[1])) }
}

const getTree = async (context: RouteContext): Promise<RouteResult> => {
  const repo = context.repo('read')
  const git = requireGit(context)
  const treeSha = String(context.params.tree_sha)
  const commit =
    (await git.resolveRef(repo.fullName, `refs/heads/${treeSha}`)) ??
    ((await git.hasCommit(repo.fullName, treeSha)) ? treeSha : null)
  if (!commit) throw notFound()
  const recursive = context.url.searchParams.has('recursive')
  const entries = recursive
    ? await walkTree(context, repo, commit)
    : await git.listTree(repo.fullName, commit)
  const { apiUrl } = context.services
  return {
    status: 200,
    body: {
      sha: commit,
      url: `${apiUrl}/repos/${repo.fullName}/git/trees/${commit}`,
      truncated: false,
      tree: entries.map((e) => ({
        path: e.path,
        mode: e.type === 'tree' ? '040000' : '100644',
        type: e.type,
        sha: e.sha,
        ...(e.type === 'blob' ? { size: e.size ?? 0 } : {}),
        url: `${apiUrl}/repos/${repo.fullName}/git/${e.type === 'tree' ? 'trees' : 'blobs'}/${e.sha}`,
      })),
    },
  }
}

const branchCommit = (context: RouteContext, repo: RepoRecord, sha: string) => ({
  sha,
  url: `${context.services.apiUrl}/repos/${repo.fullName}/commits/${sha}`,
})

const listBranches = async (context: RouteContext): Promise<RouteResult> => {
  const repo = context.repo('read')
  const branches = (await requireGit(context).branches(repo.fullName)).sort((a, b) =>
    a.name.localeCompare(b.name),
  )
  const page = paginate(branches, context.url)
  return {
    status: 200,
    body: page.items.map((b) => ({
      name: b.name,
      commit: branchCommit(context, repo, b.sha),
      protected: false,
    })),
    headers: page.link ? { link: page.link } : {},
  }
}

const getBranch = async (context: RouteContext): Promise<RouteResult> => {
  const repo = context.repo('read')
  const name = String(context.params.branch)
  const sha = await requireGit(context).resolveRef(repo.fullName, `refs/heads/${name}`)
  if (!sha) throw new HttpError(404, 'Branch not found')
  const { apiUrl, htmlUrl } = context.services
  const commitUrl = `${apiUrl}/repos/${repo.fullName}/commits/${sha}`
  const user = context.services.shapes.user(repo.owner)
  return {
    status: 200,
    body: {
      name,
      commit: {
        sha,
        node_id: `C_kwDO${Buffer.from(sha.slice(0, 12)).toString('base64url')}`,
        url: commitUrl,
        html_url: `${htmlUrl}/${repo.fullName}/commit/${sha}`,
        comments_url: `${commitUrl}/comments`,
        commit: {
          url: `${apiUrl}/repos/${repo.fullName}/git/commits/${sha}`,
          author: null,
          committer: null,
          message: '',
          comment_count: 0,
          tree: { sha, url: `${apiUrl}/repos/${repo.fullName}/git/trees/${sha}` },
        },
        author: user,
        committer: user,
        parents: [],
      },
      _links: {
        self: `${apiUrl}/repos/${repo.fullName}/branches/${name}`,
        html: `${htmlUrl}/${repo.fullName}/tree/${name}`,
      },
      protected: false,
      protection: {
        enabled: false,
        required_status_checks: { enforcement_level: 'off', contexts: [], checks: [] },
      },
      protection_url: `${apiUrl}/repos/${repo.fullName}/branches/${name}/protection`,
    },
  }
}

/** Repository routes. */
export const repoRoutes: RouteTable = {
  'GET /repos/{owner}/{repo}': getRepo,
  'GET /repos/{owner}/{repo}/contents/{path}': getContent,
  'GET /repos/{owner}/{repo}/languages': getLanguages,
  'GET /repos/{owner}/{repo}/git/trees/{tree_sha}': getTree,
  'GET /repos/{owner}/{repo}/branches': listBranches,
  'GET /repos/{owner}/{repo}/branches/{branch}': getBranch,
}
