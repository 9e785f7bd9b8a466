/**
 * The worker's git (argument arrays, never a shell). Two repositories:
 * - the workspace, the runner's checkout, which the agent works in: trusted code prepares it before
 *   the agent runs (the bead's branch is checked out; a checkout that kept credentials is refused);
 * - a trusted clone made after the agent ran, from the server, never from the workspace. The agent's
 *   commands could have rewritten the workspace's `.git` (hooks, config, refs), so the commit that is
 *   pushed is built in the clone from the changed files' contents alone.
 * The token reaches git through GIT_CONFIG_* variables of one process at a time, never its arguments.
 * Every call is trusted git (../agent/trusted-git.ts): the binary found at start, a fixed environment.
 */
import { lstat, mkdir, mkdtemp, readdir, rm } from 'node:fs/promises'
import path from 'node:path'
import { runTrustedGit } from '../agent/trusted-git.js'
import { copyChange } from './copy-change.js'

/** Who commits: the worker, under a name people recognise. */
export interface GitIdentity {
  name: string
  email: string
}

/** The identity of the worker's commits when none is given. */
export const WORKER_IDENTITY: GitIdentity = {
  name: 'gastown-worker[bot]',
  email: 'gastown-worker@users.noreply.github.com',
}

/** Where the repository lives on the server, and the token that may fetch and push it. */
export interface GitRemote {
  /** `${GITHUB_SERVER_URL}/owner/name.git`, computed from the runner's context, never read from .git. */
  url: string
  token: string
}

/** The header git sends to GitHub for a token, as actions/checkout configures it. */
export function authHeader(token: string): string {
  return `AUTHORIZATION: basic ${Buffer.from(`x-access-token:${token}`).toString('base64')}`
}

/** Options of one call of the worker's git. */
interface GitCall {
  token?: string
  identity?: GitIdentity
}

/**
 * Runs trusted git (trusted-git.ts: an absolute binary, a fixed environment, hooks, fsmonitor and
 * attribute files off) in `dir`; with a token, its requests carry the auth header through GIT_CONFIG_*
 * variables of this one process. Throws with git's message when git fails.
 */
export async function safeRaw(dir: string, args: string[], call: GitCall = {}): Promise<string> {
  const identity = call.identity ?? WORKER_IDENTITY
  const env: Record<string, string> = {
    GIT_AUTHOR_NAME: identity.name,
    GIT_AUTHOR_EMAIL: identity.email,
    GIT_COMMITTER_NAME: identity.name,
    GIT_COMMITTER_EMAIL: identity.email,
  }
  if (call.token !== undefined) {
    env['GIT_CONFIG_COUNT'] = '1'
    env['GIT_CONFIG_KEY_0'] = 'http.extraheader'
    env['GIT_CONFIG_VALUE_0'] = authHeader(call.token)
  }
  const result = await runTrustedGit(dir, args, { env })
  if (result.code !== 0) {
    throw new Error(
      `git ${args[0] ?? ''} failed in ${dir}: ${result.stderr.trim() || `exit code ${result.code}`}`,
    )
  }
  return result.stdout.toString('utf8')
}

/**
 * The credentials a checkout left where the agent's commands could read them, described without their
 * values: an auth header in the workspace's config (actions/checkout v4 and v5 unless
 * `persist-credentials: false`), an `includeIf` pulling in a credentials file and the
 * `git-credentials-*.config` files under RUNNER_TEMP (v6), a `core.sshCommand` naming a key file.
 * Empty when the checkout kept nothing.
 */
export async function findStoredCredentials(workspace: string, runnerTemp?: string): Promise<string[]> {
  const found: string[] = []
  const listed = await runTrustedGit(workspace, [
    'config',
    '--local',
    '--name-only',
    '--get-regexp',
    '^(http\\..*extraheader|includeif\\..*|core\\.sshcommand)$',
  ])
  // git config answers 1 when nothing matches.
  for (const name of new Set(listed.stdout.toString('utf8').split('\n'))) {
    if (name.trim() !== '') found.push(`${name.trim()} in .git/config`)
  }
  if (runnerTemp !== undefined) {
    const entries = await readdir(runnerTemp).catch(() => [] as string[])
    for (const entry of entries) {
      if (/^git-credentials-.*\.config$/.test(entry)) found.push(`${path.join(runnerTemp, entry)}`)
    }
  }
  return found
}

/** The error for credentials a checkout left: what was found and the one line that fixes it. */
export function storedCredentialsError(found: readonly string[]): Error {
  return new Error(
    `the checkout left credentials that the agent's commands could read (${found.join('; ')}). ` +
      'Set `persist-credentials: false` on the actions/checkout step of the worker workflow ' +
      '(as docs/examples/gastown-worker.yml and `gastown init` do): the worker fetches and pushes with its own token.',
  )
}

/** Fetches `refs/heads/<branch>` from the server into the local ref `into`; answers its sha. */
export async function fetchBranch(
  dir: string,
  remote: GitRemote,
  branch: string,
  into: string,
): Promise<string> {
  await safeRaw(dir, ['fetch', '--no-tags', '--quiet', remote.url, `+refs/heads/${branch}:${into}`], {
    token: remote.token,
  })
  return (await safeRaw(dir, ['rev-parse', '--verify', `${into}^{commit}`])).trim()
}

/**
 * The head of `refs/heads/<branch>` on the server, or null when the branch does not exist: one git
 * request (`ls-remote`), which spends nothing of the REST API's rate limits.
 */
export async function remoteBranchSha(
  dir: string,
  remote: GitRemote,
  branch: string,
): Promise<string | null> {
  const ref = `refs/heads/${branch}`
  const listed = await safeRaw(dir, ['ls-remote', '--heads', remote.url, ref], { token: remote.token })
  const line = listed.split('\n').find((entry) => entry.endsWith(`\t${ref}`))
  return line === undefined ? null : line.slice(0, line.indexOf('\t'))
}

/**
 * Checks out `branch` in the workspace at the head of `source` on the server (the default branch for
 * new work, or the bead's own branch to continue it). Answers the commit the agent starts from.
 */
export async function prepareBranch(
  workspace: string,
  remote: GitRemote,
  options: { branch: string; source: string },
): Promise<string> {
  const sha = await fetchBranch(workspace, remote, options.source, 'refs/remotes/gastown/base')
  await safeRaw(workspace, ['checkout', '--quiet', '--force', '-B', options.branch, sha])
  return sha
}

/**
 * Fetches each pull request's head branch into `gastown-review/pr-<n>` and checks out the first, so a
 * reviewer can run the tests of any of them. Answers the local branch of each.
 */
export async function preparePullHeads(
  workspace: string,
  remote: GitRemote,
  pulls: readonly { number: number; headRef: string }[],
): Promise<Map<number, string>> {
  const local = new Map<number, string>()
  for (const pull of pulls) {
    const branch = `gastown-review/pr-${pull.number}`
    await fetchBranch(workspace, remote, pull.headRef, `refs/heads/${branch}`)
    local.set(pull.number, branch)
  }
  const first = pulls[0]
  if (first !== undefined) {
    await safeRaw(workspace, ['checkout', '--quiet', '--force', local.get(first.number)!])
  }
  return local
}

/** A changed file as the agent's outcome lists it. */
export interface FileChange {
  path: string
  status: 'added' | 'modified' | 'deleted'
}

/** A clone the worker trusts, with the agent's changes copied in and staged. */
export interface StagedClone {
  dir: string
  /** Paths that differ from the base in the clone, after staging. */
  staged: { path: string; status: 'added' | 'modified' | 'deleted' }[]
  /** Changes that could not be copied, and why. */
  refused: string[]
}

/** Throws when a parent directory of `relative` under `root` is a symlink: a copy could leave the tree. */
async function checkParents(root: string, relative: string): Promise<string | undefined> {
  const parts = relative.split('/')
  let current = root
  for (const part of parts.slice(0, -1)) {
    current = path.join(current, part)
    try {
      if ((await lstat(current)).isSymbolicLink())
        return `its parent ${path.relative(root, current)} is a symlink`
    } catch {
      return undefined
    }
  }
  return undefined
}

/**
 * Clones the server's `source` branch into a fresh directory under `tmpRoot`, checks out `branch` at
 * `baseSha`, copies the listed changes from the workspace (files by content and mode, symlinks by
 * target, deletions), and stages them. The list of what is staged comes from the clone, so it is what
 * a commit would hold, whatever the workspace's `.git` claims.
 */
export async function stageInTrustedClone(options: {
  workspace: string
  remote: GitRemote
  source: string
  branch: string
  baseSha: string
  changes: readonly FileChange[]
  tmpRoot: string
}): Promise<StagedClone> {
  await mkdir(options.tmpRoot, { recursive: true })
  const dir = await mkdtemp(path.join(options.tmpRoot, 'gastown-commit-'))
  await safeRaw(options.tmpRoot, ['init', '--quiet', dir])
  await fetchBranch(dir, options.remote, options.source, 'refs/remotes/gastown/base')
  await safeRaw(dir, ['checkout', '--quiet', '-B', options.branch, options.baseSha])
  const refused: string[] = []
  for (const change of options.changes) {
    const relative = change.path
    if (
      relative === '' ||
      path.isAbsolute(relative) ||
      relative.split('/').some((part) => part === '..' || part.toLowerCase() === '.git')
    ) {
      refused.push(`${JSON.stringify(relative)}: not a path inside the repository`)
      continue
    }
    const parentProblem =
      (await checkParents(dir, relative)) ?? (await checkParents(options.workspace, relative))
    if (parentProblem !== undefined) {
      refused.push(`${JSON.stringify(relative)}: ${parentProblem}`)
      continue
    }
    const problem = await copyChange(options.workspace, dir, relative)
    if (problem !== undefined) refused.push(`${JSON.stringify(relative)}: ${problem}`)
  }
  await safeRaw(dir, ['add', '--all'])
  const status = await safeRaw(dir, ['diff', '--cached', '--name-status', '--no-renames', '-z'])
  const fields = status.split('\0').filter((field) => field !== '')
  const staged: StagedClone['staged'] = []
  for (let i = 0; i + 1 < fields.length; i += 2) {
    const code = fields[i]!
    staged.push({
      path: fields[i + 1]!,
      status: code.startsWith('A') ? 'added' : code.startsWith('D') ? 'deleted' : 'modified',
    })
  }
  return { dir, staged, refused }
}

/** Commits what is staged in the clone; answers the new commit's sha. */
export async function commitStaged(
  dir: string,
  message: string,
  identity: GitIdentity = WORKER_IDENTITY,
): Promise<string> {
  await safeRaw(dir, ['commit', '--quiet', '--no-verify', '--no-gpg-sign', '-m', message], { identity })
  return (await safeRaw(dir, ['rev-parse', 'HEAD'])).trim()
}

/** Pushes the clone's HEAD to `branch` on the server, never forcing. */
export async function pushBranch(dir: string, remote: GitRemote, branch: string): Promise<void> {
  await safeRaw(dir, ['push', '--quiet', '--no-verify', remote.url, `HEAD:refs/heads/${branch}`], {
    token: remote.token,
  })
}

/** Removes the trusted clone. */
export async function removeClone(dir: string): Promise<void> {
  await rm(dir, { recursive: true, force: true })
}
