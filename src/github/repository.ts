/** The repository's shape, read for the planner's prompt and the worker's conventions. */
import { statusOf, type GitHubApi, type RepoRef } from './client.js'

/** What the town needs to know of a repository. */
export interface RepositoryData {
  id: number
  /** The GraphQL id: mutations take repositories by it. */
  node_id: string
  full_name: string
  default_branch: string
  private: boolean
  html_url: string
  description: string | null
}

/** The repository's metadata. */
export async function getRepository(api: GitHubApi, repo: RepoRef): Promise<RepositoryData> {
  const { data } = await api.request('GET /repos/{owner}/{repo}', { ...repo })
  return {
    id: Number(data.id),
    node_id: data.node_id,
    full_name: data.full_name,
    default_branch: data.default_branch,
    private: data.private,
    html_url: data.html_url,
    description: data.description,
  }
}

/** A file's text at `ref` (default branch when omitted), or null when there is no such file. */
export async function getFileText(
  api: GitHubApi,
  repo: RepoRef,
  path: string,
  ref?: string,
): Promise<string | null> {
  try {
    const { data } = await api.request('GET /repos/{owner}/{repo}/contents/{path}', {
      ...repo,
      path,
      ...(ref ? { ref } : {}),
    })
    if (Array.isArray(data) || data.type !== 'file' || !('content' in data)) return null
    return Buffer.from(data.content, 'base64').toString('utf8')
  } catch (error) {
    if (statusOf(error) === 404) return null
    throw error
  }
}

/** Names and kinds (`file` or `dir`) of the entries at the top of the tree of `ref`. */
export async function listTopLevel(
  api: GitHubApi,
  repo: RepoRef,
  ref: string,
): Promise<{ name: string; type: string }[]> {
  try {
    const { data } = await api.request('GET /repos/{owner}/{repo}/git/trees/{tree_sha}', {
      ...repo,
      tree_sha: ref,
    })
    return data.tree.map((entry) => ({
      name: entry.path ?? '',
      type: entry.type === 'tree' ? 'dir' : 'file',
    }))
  } catch (error) {
    // An empty repository has no tree yet.
    if (statusOf(error) === 404 || statusOf(error) === 409) return []
    throw error
  }
}

/** Bytes of code per language, as GitHub's linguist counts them. */
export async function getLanguages(api: GitHubApi, repo: RepoRef): Promise<Record<string, number>> {
  const { data } = await api.request('GET /repos/{owner}/{repo}/languages', { ...repo })
  return data
}

/** An actor's access to the repository, as GitHub names it (`admin`, `write`, `read`, `none`, ...). */
export async function getPermission(api: GitHubApi, repo: RepoRef, username: string): Promise<string> {
  try {
    const { data } = await api.request('GET /repos/{owner}/{repo}/collaborators/{username}/permission', {
      ...repo,
      username,
    })
    // `role_name` distinguishes triage and maintain, which `permission` folds into read and write.
    return data.role_name ?? data.permission
  } catch (error) {
    if (statusOf(error) === 404) return 'none'
    throw error
  }
}

/** Whether a permission lets its holder start goals and use slash commands. */
export function canWrite(permission: string): boolean {
  return permission === 'admin' || permission === 'write' || permission === 'maintain'
}
