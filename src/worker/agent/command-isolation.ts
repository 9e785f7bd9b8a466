/**
 * Isolation of the agent's commands from the worker's own processes and files. Scrubbing a command's
 * environment is not enough: a command can read `/proc/<worker pid>/environ`, where the runner put the
 * token and the key. Three ways, each proven by a probe before use (see isolation-probe.ts):
 * - `pid-namespace`: the worker is root (or has `sudo -n`): a PID namespace with its own /proc, and the
 *   command dropped to the separate agent user with no capabilities, so it cannot `umount /proc`.
 * - `user-namespace`: an unprivileged worker: a user, PID and mount namespace; `.git` is bound
 *   read-only and every capability dropped before the command runs, so it cannot undo either.
 * - `separate-user`: root or `sudo -n` but no namespace (GitHub's ubuntu-24.04 refuses them): the
 *   command runs as the separate agent user, which cannot read another uid's environ or files.
 * Every way gives the command a private HOME and TMPDIR.
 */
import {
  grantTraversal,
  handBackArgv,
  handOverArgv,
  makePrivateDirs,
  exec,
  privilegedArgv,
  removePrivateDirs,
  runPrivileged,
  workerIds,
  type AgentUser,
  type PrivateDirs,
  type Privilege,
} from './agent-user.js'
import { stat } from 'node:fs/promises'
import path from 'node:path'

/** How the agent's commands are isolated; `none` only when the repository opted out. */
export type IsolationKind = 'pid-namespace' | 'user-namespace' | 'separate-user' | 'none'

/** What to spawn for one command. */
export interface SpawnPlan {
  argv: string[]
  env: Record<string, string>
}

/** How the agent's commands run isolated for one worker run. */
export interface CommandIsolation {
  readonly kind: IsolationKind
  /** One line for logs, the progress comment and the job summary. */
  readonly description: string
  readonly dirs: PrivateDirs
  /** The command line and environment of `bash -c command` in the workspace. */
  plan(command: string, workspace: string, env: Record<string, string>): SpawnPlan
  /** Before a command: the workspace becomes writable by the command (`.git` never). */
  enter(workspace: string): Promise<void>
  /** After a command: the worker owns the whole workspace again. */
  leave(workspace: string): Promise<void>
  /** Signals the command's process group, even when it runs as another user. */
  signal(pgid: number, signal: NodeJS.Signals): Promise<void>
  /** Removes the private directories. */
  close(): Promise<void>
}

/** setpriv: become the agent's user with no groups, no capabilities, and no way to gain any. */
export function dropTo(user: AgentUser): string[] {
  return [
    'setpriv',
    `--reuid=${user.uid}`,
    `--regid=${user.gid}`,
    '--clear-groups',
    '--inh-caps=-all',
    '--bounding-set=-all',
    '--no-new-privs',
    '--',
  ]
}

const PID_NAMESPACE = ['unshare', '--pid', '--fork', '--mount-proc', '--kill-child']
const USER_NAMESPACE = [
  'unshare',
  '--user',
  '--map-root-user',
  '--pid',
  '--fork',
  '--mount-proc',
  '--kill-child',
]
// Inside the user namespace, as its root: bind .git read-only, then drop every capability, so the
// command can neither write .git nor undo the bind or /proc.
const READ_ONLY_GIT =
  'mount --bind "$1" "$1" && mount -o remount,bind,ro "$1" && shift && exec setpriv --bounding-set=-all --inh-caps=-all --no-new-privs -- "$@"'

/** The private HOME and TMPDIR replace the runner's in a command's environment. */
function withPrivateDirs(env: Record<string, string>, dirs: PrivateDirs): Record<string, string> {
  return { ...env, HOME: dirs.home, TMPDIR: dirs.tmp, TMP: dirs.tmp, TEMP: dirs.tmp }
}

/**
 * As root the environment goes with the spawn; through sudo, which resets it, it is set again by
 * `env -i` on the command line (it holds no secret: it is the scrubbed command environment).
 */
function asRoot(privilege: Privilege, argv: string[], env: Record<string, string>): SpawnPlan {
  if (privilege === 'root') return { argv, env }
  const assignments = Object.entries(env).map(([name, value]) => `${name}=${value}`)
  return {
    argv: privilegedArgv('sudo', ['env', '-i', ...assignments, ...argv]),
    env: { PATH: env['PATH'] ?? '/usr/bin:/bin' },
  }
}

function signalDirectly(pgid: number, signal: NodeJS.Signals): Promise<void> {
  try {
    process.kill(-pgid, signal)
  } catch {
    // ESRCH: the group is already gone.
  }
  return Promise.resolve()
}

/** What a separate-user isolation holds. */
interface UserParts {
  privilege: Privilege
  user: AgentUser
  dirs: PrivateDirs
  granted: { dir: string; mode: number }[]
  env?: NodeJS.ProcessEnv
}

/** Runs commands as the agent's user, in a PID namespace when `namespace` is set. */
export function agentUserIsolation(parts: UserParts, namespace: boolean): CommandIsolation {
  const { privilege, user, dirs, env } = parts
  const worker = workerIds()
  const modes = new Map<string, number>()
  const how = privilege === 'root' ? 'as root' : 'through sudo'
  return {
    kind: namespace ? 'pid-namespace' : 'separate-user',
    description: namespace
      ? `a PID namespace of their own (${how}), as the unprivileged user ${user.name}`
      : `the separate unprivileged user ${user.name} (${how}; no PID namespace on this machine)`,
    dirs,
    plan(command, _workspace, commandEnv) {
      const argv = [...(namespace ? PID_NAMESPACE : []), ...dropTo(user), 'bash', '-c', command]
      return asRoot(privilege, argv, withPrivateDirs(commandEnv, dirs))
    },
    async enter(workspace) {
      if (!modes.has(workspace)) modes.set(workspace, (await stat(workspace)).mode)
      await runPrivileged(privilege, handOverArgv(workspace, worker, user), env)
    },
    async leave(workspace) {
      const mode = modes.get(workspace) ?? 0o755
      await runPrivileged(privilege, handBackArgv(workspace, worker, mode), env)
    },
    async signal(pgid, signal) {
      if (privilege === 'root') return signalDirectly(pgid, signal)
      try {
        await runPrivileged(privilege, ['kill', '-s', signal, '--', `-${pgid}`], env)
      } catch {
        // The group is already gone.
      }
    },
    async close() {
      await removePrivateDirs(dirs, privilege, env)
    },
  }
}

/** Runs commands in a user, PID and mount namespace with `.git` read-only and no capabilities. */
export function userNamespaceIsolation(dirs: PrivateDirs): CommandIsolation {
  return {
    kind: 'user-namespace',
    description: 'a user and PID namespace of their own, with .git read-only and no capabilities',
    dirs,
    plan(command, workspace, env) {
      const git = path.join(workspace, '.git')
      const argv = [...USER_NAMESPACE, 'sh', '-c', READ_ONLY_GIT, 'sh', git, 'bash', '-c', command]
      return { argv, env: withPrivateDirs(env, dirs) }
    },
    enter: async () => {},
    leave: async () => {},
    signal: signalDirectly,
    close: () => removePrivateDirs(dirs, undefined),
  }
}

/** No isolation, for a repository that opted out with `isolation: none`: only private HOME and TMPDIR. */
export async function unisolated(): Promise<CommandIsolation> {
  const dirs = await makePrivateDirs()
  return {
    kind: 'none',
    description: 'NO isolation (isolation: none in .github/gastown.yml)',
    dirs,
    plan: (command, _workspace, env) => ({ argv: ['bash', '-c', command], env: withPrivateDirs(env, dirs) }),
    enter: async () => {},
    leave: async () => {},
    signal: signalDirectly,
    close: () => removePrivateDirs(dirs, undefined),
  }
}

/** Builds the agent-user isolation: the user, its private directories, a way to the workspace. */
export async function buildAgentUserIsolation(
  privilege: Privilege,
  user: AgentUser,
  workspace: string,
  namespace: boolean,
  env?: NodeJS.ProcessEnv,
): Promise<CommandIsolation> {
  const granted = await grantTraversal(privilege, workspace, env)
  const dirs = await makePrivateDirs({ privilege, owner: user, ...(env === undefined ? {} : { env }) })
  return agentUserIsolation(
    { privilege, user, dirs, granted, ...(env === undefined ? {} : { env }) },
    namespace,
  )
}

/** True when `sudo -n` runs a command without asking for a password. */
export async function sudoWorks(env?: NodeJS.ProcessEnv): Promise<string | null> {
  try {
    await exec(['sudo', '-n', 'true'], env === undefined ? {} : { env })
    return null
  } catch (error) {
    return (error as Error).message
  }
}
