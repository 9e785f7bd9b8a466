/**
 * The worker's git, through simple-git (argument arrays, never a shell). Two repositories:
 * - the workspace, the runner's checkout, which the agent works in: trusted code prepares it before
 *   the agent runs (credentials the checkout left are removed, the bead's branch is checked out);
 * - a trusted clone made after the agent ran, from the server, never from the workspace. The agent's
 *   commands could have rewritten the workspace's `.git` (hooks, config, refs), so the commit that is
 *   pushed is built in the clone from the changed files' contents alone.
 * The token reaches git through GIT_CONFIG_* variables of one process at a time, never its arguments.
 */
import { constants } from 'node:fs'
import {
  chmod,
  lstat,
  mkdir,
  mkdtemp,
  open,
  readlink,
  realpath,
  rm,
  symlink,
  writeFile,
} from 'node:fs/promises'
import path from 'node:path'
import { simpleGit, type SimpleGit } from 'simple-git'

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

const ALLOWED_ENV = [
  'GIT_CONFIG_COUNT',
  'GIT_CONFIG_KEY_0',
  'GIT_CONFIG_VALUE_0',
  'GIT_CONFIG_NOSYSTEM',
  'GIT_CONFIG_GLOBAL',
  'GIT_TERMINAL_PROMPT',
  'GIT_AUTHOR_NAME',
  'GIT_AUTHOR_EMAIL',
  'GIT_COMMITTER_NAME',
  'GIT_COMMITTER_EMAIL',
]

/** The header git sends to GitHub for a token, as actions/checkout configures it. */
export function authHeader(token: string): string {
  return `AUTHORIZATION: basic ${Buffer.from(`x-access-token:${token}`).toString('base64')}`
}

function baseEnv(identity: GitIdentity): Record<string, string> {
  const env: Record<string, string> = {
    GIT_CONFIG_NOSYSTEM: '1',
    GIT_CONFIG_GLOBAL: '/dev/null',
    GIT_TERMINAL_PROMPT: '0',
    GIT_AUTHOR_NAME: identity.name,
    GIT_AUTHOR_EMAIL: identity.email,
    GIT_COMMITTER_NAME: identity.name,
    GIT_COMMITTER_EMAIL: identity.email,
  }
  for (const name of ['PATH', 'HOME', 'TMPDIR', 'LANG']) {
    const value = process.env[name]
    if (value !== undefined) env[name] = value
  }
  return env
}

/** A git for `dir`; with `token`, its requests carry the auth header (in its environment). */
export function openGit(dir: string, options: { token?: string; identity?: GitIdentity } = {}): SimpleGit {
  const env = baseEnv(options.identity ?? WORKER_IDENTITY)
  if (options.token !== undefined) {
    env['GIT_CONFIG_COUNT'] = '1'
    env['GIT_CONFIG_KEY_0'] = 'http.extraheader'
    env['GIT_CONFIG_VALUE_0'] = authHeader(options.token)
  }
  return simpleGit({
    baseDir: dir,
    allowEnvironment: ALLOWED_ENV,
    // Our own fixed values only: hooks and fsmonitor switched off, the auth header through GIT_CONFIG_*.
    unsafe: {
      allowUnsafeHooksPath: true,
      allowUnsafeFsMonitor: true,
      allowUnsafeConfigEnvCount: true,
      allowUnsafeConfigPaths: true,
    },
  }).env(env)
}

/** Runs git with hooks and fsmonitor off, whatever the repository's config says. */
export function safeRaw(git: SimpleGit, args: string[]): Promise<string> {
  return git.raw(['-c', 'core.hooksPath=/dev/null', '-c', 'core.fsmonitor=false', ...args])
}

/**
 * Removes the credentials a checkout may have stored in the workspace's config (actions/checkout
 * keeps an auth header there unless `persist-credentials: false`), so the agent's commands cannot
 * read the token from `.git/config`. Answers how many entries it removed.
 */
export async function removeStoredCredentials(workspace: string): Promise<number> {
  const git = openGit(workspace)
  let listed: string
  try {
    listed = await safeRaw(git, [
      'config',
      '--local',
      '--name-only',
      '--get-regexp',
      '^(http\\..*extraheader|includeif\\..*)$',
    ])
  } catch {
    // git config answers 1 when nothing matches.
    return 0
  }
  const names = [
    ...new Set(
      listed
        .split('\n')
        .map((line) => line.trim())
        .filter(Boolean),
    ),
  ]
  for (const name of names) await safeRaw(git, ['config', '--local', '--unset-all', name])
  return names.length
}

/** Fetches `refs/heads/<branch>` from the server into the local ref `into`; answers its sha. */
export async function fetchBranch(
  dir: string,
  remote: GitRemote,
  branch: string,
  into: string,
): Promise<string> {
  const git = openGit(dir, { token: remote.token })
  await safeRaw(git, ['fetch', '--no-tags', '--quiet', remote.url, `+refs/heads/${branch}:${into}`])
  return (await safeRaw(git, ['rev-parse', '--verify', `${into}^{commit}`])).trim()
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
  const git = openGit(workspace)
  await safeRaw(git, ['checkout', '--quiet', '--force', '-B', options.branch, sha])
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
    await safeRaw(openGit(workspace), ['checkout', '--quiet', '--force', local.get(first.number)!])
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
 * Reads a workspace file without following a symlink, checking after the open that it is a regular
 * file inside the workspace: a process the agent left behind cannot swap it for a link to a secret.
 */
async function readRegularFile(workspace: string, file: string): Promise<Buffer | undefined> {
  let handle
  try {
    handle = await open(file, constants.O_RDONLY | constants.O_NOFOLLOW)
  } catch {
    return undefined
  }
  try {
    if (!(await handle.stat()).isFile()) return undefined
    const parent = await realpath(path.dirname(file))
    const root = await realpath(workspace)
    if (parent !== root && !parent.startsWith(`${root}${path.sep}`)) return undefined
    return await handle.readFile()
  } finally {
    await handle.close()
  }
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
  const git = openGit(dir)
  await safeRaw(git, ['init', '--quiet', dir])
  await fetchBranch(dir, options.remote, options.source, 'refs/remotes/gastown/base')
  await safeRaw(git, ['checkout', '--quiet', '-B', options.branch, options.baseSha])
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
    const target = path.join(dir, relative)
    const source = path.join(options.workspace, relative)
    let stats
    try {
      stats = await lstat(source)
    } catch {
      stats = undefined
    }
    await rm(target, { force: true, recursive: false }).catch(() => undefined)
    if (stats === undefined) continue
    await mkdir(path.dirname(target), { recursive: true })
    if (stats.isSymbolicLink()) {
      await symlink(await readlink(source), target)
    } else if (stats.isFile()) {
      const content = await readRegularFile(options.workspace, source)
      if (content === undefined) {
        refused.push(
          `${JSON.stringify(relative)}: it changed into something other than a file while being read`,
        )
        continue
      }
      await writeFile(target, content)
      await chmod(target, stats.mode & 0o111 ? 0o755 : 0o644)
    } else {
      refused.push(`${JSON.stringify(relative)}: not a file or symlink`)
    }
  }
  await safeRaw(git, ['add', '--all'])
  const status = await safeRaw(git, [
    '-c',
    'core.quotePath=false',
    'diff',
    '--cached',
    '--name-status',
    '--no-renames',
    '-z',
  ])
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
  const git = openGit(dir, { identity })
  await safeRaw(git, ['commit', '--quiet', '--no-verify', '--no-gpg-sign', '-m', message])
  return (await safeRaw(git, ['rev-parse', 'HEAD'])).trim()
}

/** Pushes the clone's HEAD to `branch` on the server, never forcing. */
export async function pushBranch(dir: string, remote: GitRemote, branch: string): Promise<void> {
  await safeRaw(openGit(dir, { token: remote.token }), [
    'push',
    '--quiet',
    '--no-verify',
    remote.url,
    `HEAD:refs/heads/${branch}`,
  ])
}

/** Removes the trusted clone. */
export async function removeClone(dir: string): Promise<void> {
  await rm(dir, { recursive: true, force: true })
}
