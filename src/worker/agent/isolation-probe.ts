/**
 * Finds how this machine can isolate the agent's commands: each way in order, and the first whose
 * probe really tries the escapes and is refused every time. The probe runs as a command would, in a
 * scratch workspace: it hunts a canary in a process of the worker's user, reads the worker's
 * /proc/<pid>/environ, tries `umount /proc` and hunts again, and tries to write `.git`.
 */
import { spawn } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { mkdir, mkdtemp, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { ensureAgentUser, makePrivateDirs, type Privilege } from './agent-user.js'
import {
  buildAgentUserIsolation,
  sudoWorks,
  userNamespaceIsolation,
  type CommandIsolation,
} from './command-isolation.js'
import { runCommand } from './run-command.js'

/** The isolation found, or null, with what was tried and why each failed. */
export interface IsolationProbe {
  isolation: CommandIsolation | null
  tried: string[]
}

/** Where and as whom to probe; tests change the PATH (a refusing `unshare`) and the root flag. */
export interface ProbeOptions {
  isRoot?: boolean
  /** The environment whose PATH finds unshare, setpriv and sudo; process.env by default. */
  env?: NodeJS.ProcessEnv
  /** The workspace the agent's user must reach. */
  workspace?: string
}

const PASSED = 'isolation-probe-passed'

/** The probe's command: each escape it tries prints what worked; a clean run prints PASSED. */
const PROBE_SCRIPT = `
fail=
hunt() { for f in /proc/[0-9]*/environ; do tr '\\0' '\\n' < "$f" 2>/dev/null | grep -q "^GASTOWN_PROBE_CANARY=$CANARY" && fail="$fail read-a-worker-process($1)"; done; }
tr '\\0' '\\n' < /proc/$WORKER_PID/environ 2>/dev/null | grep -q . && fail="$fail read-/proc/$WORKER_PID/environ"
hunt before-umount
umount /proc 2>/dev/null && fail="$fail unmounted-/proc"
hunt after-umount
touch .git/probe 2>/dev/null && fail="$fail wrote-.git"
mv .git .git-moved 2>/dev/null && fail="$fail moved-.git"
echo probe > probe-file 2>/dev/null || fail="$fail could-not-write-the-workspace"
touch "$HOME/probe" "$TMPDIR/probe" 2>/dev/null || fail="$fail no-private-home-or-tmp"
if [ -z "$fail" ]; then echo ${PASSED}; else echo "escaped:$fail"; fi
`

/** A process of the worker's user holding a canary in its environment, as the worker holds its token. */
function startBait(canary: string): { pid: number; stop(): void } {
  const child = spawn('sleep', ['600'], {
    env: { PATH: process.env['PATH'] ?? '/usr/bin:/bin', GASTOWN_PROBE_CANARY: canary },
    stdio: 'ignore',
  })
  return { pid: child.pid ?? -1, stop: () => void child.kill('SIGKILL') }
}

/** Runs the probe through an isolation; answers null when it held, else what escaped. */
export async function tryIsolation(
  isolation: CommandIsolation,
  env: NodeJS.ProcessEnv,
): Promise<string | null> {
  const scratch = await mkdtemp(path.join(tmpdir(), 'gastown-probe-'))
  const canary = randomBytes(12).toString('hex')
  const bait = startBait(canary)
  try {
    await mkdir(path.join(scratch, '.git'))
    const commandEnv: Record<string, string> = { PATH: env['PATH'] ?? '/usr/bin:/bin' }
    commandEnv['CANARY'] = canary
    commandEnv['WORKER_PID'] = String(process.pid)
    const result = await runCommand({
      command: PROBE_SCRIPT,
      cwd: scratch,
      env: commandEnv,
      timeoutMs: 30_000,
      isolation,
    })
    const output = result.output.trim()
    if (result.exitCode !== 0 || !output.endsWith(PASSED)) {
      const last = output.split('\n').slice(-2).join(' ').slice(0, 300)
      return last === '' ? `exit code ${result.exitCode}` : last
    }
    // Trusted code must read what the command wrote, once the workspace is handed back.
    if ((await readFile(path.join(scratch, 'probe-file'), 'utf8')).trim() !== 'probe') {
      return 'the worker could not read what the command wrote'
    }
    return null
  } catch (error) {
    return (error as Error).message.split('\n')[0] ?? String(error)
  } finally {
    bait.stop()
    await rm(scratch, { recursive: true, force: true }).catch(() => {})
  }
}

type Candidate = { name: string; build: () => Promise<CommandIsolation> }

/** The ways to try, in order, for a worker that is root or not. */
async function candidates(isRoot: boolean, env: NodeJS.ProcessEnv, workspace: string, tried: string[]) {
  const agentUser = (privilege: Privilege, namespace: boolean) => async () =>
    buildAgentUserIsolation(privilege, await ensureAgentUser(privilege, env), workspace, namespace, env)
  if (isRoot) {
    return [
      { name: 'PID namespace as root, as a separate user', build: agentUser('root', true) },
      { name: 'separate user as root', build: agentUser('root', false) },
    ]
  }
  const list: Candidate[] = [
    {
      name: 'PID namespace with a user namespace',
      build: async () => userNamespaceIsolation(await makePrivateDirs()),
    },
  ]
  const sudo = await sudoWorks(env)
  if (sudo === null) {
    list.push({ name: 'PID namespace through sudo, as a separate user', build: agentUser('sudo', true) })
    list.push({ name: 'separate user through sudo', build: agentUser('sudo', false) })
  } else {
    tried.push(`separate user through sudo: \`sudo -n true\` failed (${sudo})`)
  }
  return list
}

/** Probes each way in order and answers the first that holds, or null and what was tried. */
export async function probeCommandIsolation(options: ProbeOptions = {}): Promise<IsolationProbe> {
  const env = options.env ?? process.env
  const isRoot = options.isRoot ?? process.getuid?.() === 0
  const workspace = options.workspace ?? process.cwd()
  const tried: string[] = []
  const pending: string[] = []
  for (const candidate of await candidates(isRoot, env, workspace, pending)) {
    let isolation: CommandIsolation
    try {
      isolation = await candidate.build()
    } catch (error) {
      tried.push(`${candidate.name}: ${(error as Error).message}`)
      continue
    }
    const escaped = await tryIsolation(isolation, env)
    if (escaped === null) return { isolation, tried }
    tried.push(`${candidate.name}: ${escaped}`)
    await isolation.close().catch(() => {})
  }
  return { isolation: null, tried: [...tried, ...pending] }
}

/** The error of a run that cannot isolate its commands and did not opt out. */
export function isolationError(tried: readonly string[]): string {
  return [
    "the agent's commands cannot be isolated on this runner, so they could read this worker's GitHub token and model key; no agent work was done.",
    `Tried: ${tried.length === 0 ? 'nothing' : tried.join('; ')}.`,
    'To fix it, run the worker where one way works: a runner whose user has passwordless sudo (GitHub-hosted ubuntu runners do; the worker then runs commands as a separate user),',
    'a container job (`container:` in the workflow; the job runs as root), or a machine that allows unprivileged user namespaces.',
    'To accept the risk instead, set `isolation: none` in .github/gastown.yml.',
  ].join(' ')
}
