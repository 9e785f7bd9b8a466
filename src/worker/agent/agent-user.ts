/**
 * The separate, unprivileged user the agent's commands run as when the worker can act as root (it is
 * root, or `sudo -n` works, as for the `runner` user of GitHub-hosted runners). Another uid cannot read
 * the worker's `/proc/<pid>/environ` nor its files. The workspace is handed to that user for each command
 * and back after it, `.git` excepted, so trusted code owns everything again when it reads the work.
 */
import { execFile } from 'node:child_process'
import { mkdtemp, stat, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'

/** How the worker acts as root: it is root, or it asks `sudo -n` (never a password prompt). */
export type Privilege = 'root' | 'sudo'

/** The user's name: one per machine, made on first use and reused (runs on one machine share it). */
export const AGENT_USER = 'gastown-agent'

/** The agent's user and group ids. */
export interface AgentUser {
  name: string
  uid: number
  gid: number
}

/** The command line that runs `argv` as root under a privilege. */
export function privilegedArgv(privilege: Privilege, argv: readonly string[]): string[] {
  // -n: fail at once rather than wait for a password nobody will type.
  return privilege === 'root' ? [...argv] : ['sudo', '-n', '--', ...argv]
}

/** Runs a command; answers stdout, or throws with its stderr. */
export function exec(
  argv: readonly string[],
  options: { env?: NodeJS.ProcessEnv; timeoutMs?: number } = {},
): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(
      argv[0]!,
      argv.slice(1),
      { timeout: options.timeoutMs ?? 60_000, env: options.env ?? process.env, maxBuffer: 1024 * 1024 },
      (error, stdout, stderr) => {
        if (error === null) resolve(stdout)
        else {
          const detail = (String(stderr).trim() || error.message).split('\n')[0]
          reject(new Error(`${argv[0]}: ${detail}`, { cause: error }))
        }
      },
    )
  })
}

/** Runs `argv` as root. */
export function runPrivileged(
  privilege: Privilege,
  argv: readonly string[],
  env?: NodeJS.ProcessEnv,
): Promise<string> {
  return exec(privilegedArgv(privilege, argv), env === undefined ? {} : { env })
}

async function lookUp(name: string, env?: NodeJS.ProcessEnv): Promise<AgentUser | null> {
  try {
    const options = env === undefined ? {} : { env }
    const uid = Number((await exec(['id', '-u', name], options)).trim())
    const gid = Number((await exec(['id', '-g', name], options)).trim())
    return { name, uid, gid }
  } catch {
    return null
  }
}

/**
 * The agent's user, made when missing: a system user with its own group, no home, no login shell and
 * no password. Runs in parallel may race to make it; the loser finds the winner's.
 */
export async function ensureAgentUser(
  privilege: Privilege,
  env?: NodeJS.ProcessEnv,
  name: string = AGENT_USER,
): Promise<AgentUser> {
  const found = await lookUp(name, env)
  if (found !== null) return found
  const argv = ['useradd', '--system', '--user-group', '--no-create-home']
  argv.push('--home-dir', '/nonexistent', '--shell', '/usr/sbin/nologin', name)
  try {
    await runPrivileged(privilege, argv, env)
  } catch (error) {
    const raced = await lookUp(name, env)
    if (raced !== null) return raced
    throw error
  }
  const made = await lookUp(name, env)
  if (made === null) throw new Error(`useradd made no user ${name}`)
  if (made.uid === 0 || made.gid === 0) throw new Error(`the user ${name} has uid or gid 0; remove it`)
  return made
}

/** The worker's own ids: who gets the workspace back. */
export function workerIds(): { uid: number; gid: number } {
  return { uid: process.getuid?.() ?? 0, gid: process.getgid?.() ?? 0 }
}

/**
 * The script that hands the workspace to the agent: each entry but `.git` becomes the agent's; the
 * workspace directory stays the worker's, writable by the agent's group and sticky, so the agent may
 * add files next to `.git` but never rename or replace it; `.git` stays the worker's and read-only.
 */
export function handOverScript(): string {
  return [
    'set -e',
    'cd -- "$1"',
    'chown "$2:$4" .',
    'chmod 1775 .',
    'if [ -e .git ]; then chmod -R go-w .git; fi',
    'find . -mindepth 1 -maxdepth 1 ! -name .git -exec chown -Rh "$3:$4" {} +',
  ].join('\n')
}

/** The script that gives the workspace back: the worker owns all of it, nobody else may write it. */
export function handBackScript(): string {
  return [
    'set -e',
    'cd -- "$1"',
    'chown -Rh "$2:$3" .',
    // Symbolic links are skipped by chmod -R: a link the agent made cannot point it elsewhere.
    'chmod -R u+rwX,go-w .',
    'chmod "$4" .',
  ].join('\n')
}

/** The argv that hands a workspace over (`sh -c script sh ws workerUid agentUid agentGid`). */
export function handOverArgv(workspace: string, worker: { uid: number }, agent: AgentUser): string[] {
  const ids = [String(worker.uid), String(agent.uid), String(agent.gid)]
  return ['sh', '-c', handOverScript(), 'sh', workspace, ...ids]
}

/** The argv that hands a workspace back, restoring its directory's mode. */
export function handBackArgv(
  workspace: string,
  worker: { uid: number; gid: number },
  mode: number,
): string[] {
  const ids = [String(worker.uid), String(worker.gid)]
  return ['sh', '-c', handBackScript(), 'sh', workspace, ...ids, (mode & 0o7777).toString(8)]
}

/**
 * Lets the agent's user reach the workspace: each parent directory that others cannot traverse gets
 * `o+x` (traverse, not list), and keeps it: runs on one machine share the parents, and taking it back
 * when one run ends would cut off another run's agent. Answers what was granted.
 */
export async function grantTraversal(
  privilege: Privilege,
  workspace: string,
  env?: NodeJS.ProcessEnv,
): Promise<{ dir: string; mode: number }[]> {
  const granted: { dir: string; mode: number }[] = []
  let dir = path.dirname(path.resolve(workspace))
  const chain: string[] = []
  while (dir !== path.dirname(dir)) {
    chain.push(dir)
    dir = path.dirname(dir)
  }
  for (const parent of chain.reverse()) {
    const { mode } = await stat(parent)
    if ((mode & 0o001) !== 0) continue
    await runPrivileged(privilege, ['chmod', 'o+x', parent], env)
    granted.push({ dir: parent, mode: mode & 0o7777 })
  }
  return granted
}

/** The agent's private HOME and TMPDIR, under a directory the agent may traverse but not list. */
export interface PrivateDirs {
  root: string
  home: string
  tmp: string
}

/**
 * Makes the private HOME and TMPDIR, owned by `owner` when given (the agent's user). The HOME's
 * .gitconfig lets the agent's git read a workspace another user owns (git's safe.directory).
 */
export async function makePrivateDirs(
  options: { privilege?: Privilege; owner?: AgentUser; env?: NodeJS.ProcessEnv } = {},
): Promise<PrivateDirs> {
  const root = await mkdtemp(path.join(tmpdir(), 'gastown-agent-'))
  const home = path.join(root, 'home')
  const tmp = path.join(root, 'tmp')
  await exec(['mkdir', '-m', '700', home, tmp])
  await writeFile(path.join(home, '.gitconfig'), '[safe]\n\tdirectory = *\n')
  if (options.owner !== undefined && options.privilege !== undefined) {
    const ids = `${options.owner.uid}:${options.owner.gid}`
    await runPrivileged(options.privilege, ['chown', '-R', ids, home, tmp], options.env)
    await runPrivileged(options.privilege, ['chmod', '711', root], options.env)
  }
  return { root, home, tmp }
}

/** Removes the private directories, whoever owns what is in them now. */
export async function removePrivateDirs(
  dirs: PrivateDirs,
  privilege: Privilege | undefined,
  env?: NodeJS.ProcessEnv,
): Promise<void> {
  const argv = ['rm', '-rf', '--', dirs.root]
  await (privilege === undefined ? exec(argv) : runPrivileged(privilege, argv, env))
}
