/**
 * Runs one command of the agent: `bash -c` in its own process group with stdin closed, a timeout that
 * kills the whole group (SIGTERM, then SIGKILL after a grace), and output capped to its head and tail.
 */
import { spawn } from 'node:child_process'
import { readdirSync, readFileSync } from 'node:fs'
import type { CommandIsolation } from './command-isolation.js'

/** How to run a command; `env` must already be scrubbed (see command-env.ts). */
export interface RunCommandOptions {
  command: string
  cwd: string
  env: Record<string, string>
  timeoutMs: number
  /** Time between SIGTERM and SIGKILL. */
  graceMs?: number
  /** Bytes of output kept: half from the start, half from the end. */
  maxOutputBytes?: number
  signal?: AbortSignal
  /** How the command runs isolated (see command-isolation.ts); none runs it as is. */
  isolation?: CommandIsolation | null
}

/** What a command did; `output` interleaves stdout and stderr as they arrived. */
export interface CommandResult {
  exitCode: number | null
  signal: NodeJS.Signals | null
  timedOut: boolean
  output: string
  /** Bytes of output dropped from the middle. */
  elidedBytes: number
  totalBytes: number
}

const DEFAULT_GRACE_MS = 2_000
const DEFAULT_MAX_OUTPUT_BYTES = 64 * 1024
/** How long to wait for pipes held open by a process that left the group before giving up on them. */
const PIPE_DRAIN_MS = 1_000
const GROUP_POLL_MS = 50

/**
 * Runs `bash -c command` and resolves when it has ended and its process group is gone. Background
 * processes the command left behind are ended with it, so nothing outlives the call.
 */
export async function runCommand(options: RunCommandOptions): Promise<CommandResult> {
  const graceMs = options.graceMs ?? DEFAULT_GRACE_MS
  const output = new CappedOutput(options.maxOutputBytes ?? DEFAULT_MAX_OUTPUT_BYTES)
  const isolation = options.isolation ?? null
  if (isolation === null) return spawnCommand(options, graceMs, output, null)
  // The workspace is the command's only while it runs: trusted code owns it again before it reads it.
  await isolation.enter(options.cwd)
  try {
    return await spawnCommand(options, graceMs, output, isolation)
  } finally {
    await isolation.leave(options.cwd)
  }
}

async function spawnCommand(
  options: RunCommandOptions,
  graceMs: number,
  output: CappedOutput,
  isolation: CommandIsolation | null,
): Promise<CommandResult> {
  const plan =
    isolation === null
      ? { argv: ['bash', '-c', options.command], env: options.env }
      : isolation.plan(options.command, options.cwd, options.env)
  const signal = (pgid: number, name: NodeJS.Signals): Promise<void> =>
    isolation === null ? Promise.resolve(signalGroup(pgid, name)) : isolation.signal(pgid, name)
  const child = spawn(plan.argv[0]!, plan.argv.slice(1), {
    cwd: options.cwd,
    env: plan.env,
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  child.stdout.on('data', (chunk: Buffer) => output.push(chunk))
  child.stderr.on('data', (chunk: Buffer) => output.push(chunk))
  const closed = new Promise<void>((resolve) => child.once('close', () => resolve()))
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve, reject) => {
    child.once('exit', (code, signal) => resolve({ code, signal }))
    child.once('error', (error) =>
      reject(new Error(`could not start bash for the command: ${error.message}`, { cause: error })),
    )
  })

  const pid = child.pid
  let timedOut = false
  let terminating: Promise<void> | undefined
  const terminate = (): Promise<void> => (terminating ??= terminateGroup(pid, graceMs, signal))
  const onTimeout = (): void => {
    timedOut = true
    void terminate()
  }
  const timer = setTimeout(onTimeout, options.timeoutMs)
  if (options.signal?.aborted) onTimeout()
  else options.signal?.addEventListener('abort', onTimeout, { once: true })

  try {
    const exit = await exited
    clearTimeout(timer)
    // Children left in the group would keep the pipes open and run on after the call: end them.
    if (groupAlive(pid)) await terminate()
    else if (terminating !== undefined) await terminating
    // A process that left the group (setsid) may still hold the pipes; do not wait for it forever.
    let drainTimer: NodeJS.Timeout | undefined
    await Promise.race([
      closed,
      new Promise<void>((resolve) => (drainTimer = setTimeout(resolve, PIPE_DRAIN_MS))),
    ])
    clearTimeout(drainTimer)
    child.stdout.destroy()
    child.stderr.destroy()
    return {
      exitCode: exit.code,
      signal: exit.signal,
      timedOut,
      output: output.text(),
      elidedBytes: output.elidedBytes(),
      totalBytes: output.totalBytes,
    }
  } finally {
    clearTimeout(timer)
    options.signal?.removeEventListener('abort', onTimeout)
  }
}

/** Sends SIGTERM to the group, and SIGKILL to whatever is left of it after the grace. */
async function terminateGroup(
  pid: number | undefined,
  graceMs: number,
  signal: (pgid: number, name: NodeJS.Signals) => Promise<void>,
): Promise<void> {
  if (pid === undefined) return
  await signal(pid, 'SIGTERM')
  // There is no event for the end of a process group that is not our child, so it is polled.
  for (let waited = 0; waited < graceMs && groupAlive(pid); waited += GROUP_POLL_MS) {
    await new Promise((resolve) => setTimeout(resolve, GROUP_POLL_MS))
  }
  if (groupAlive(pid)) await signal(pid, 'SIGKILL')
}

function signalGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal)
  } catch {
    // ESRCH: the group is already gone.
  }
}

/**
 * True while a live (not zombie) process is in the group. Orphans that died wait as zombies until
 * PID 1 reaps them, which in a container may be never, so Linux's /proc is read where it exists.
 */
function groupAlive(pid: number | undefined): boolean {
  if (pid === undefined) return false
  try {
    process.kill(-pid, 0)
  } catch (error) {
    // EPERM: the group lives but runs as another user (the agent's); /proc tells the rest.
    if ((error as NodeJS.ErrnoException).code !== 'EPERM') return false
  }
  let entries: string[]
  try {
    entries = readdirSync('/proc')
  } catch {
    return true
  }
  for (const entry of entries) {
    if (!/^\d+$/.test(entry)) continue
    let stat: string
    try {
      stat = readFileSync(`/proc/${entry}/stat`, 'utf8')
    } catch {
      continue
    }
    // The command name is in parentheses and may hold spaces: the fields start after the last `)`.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
    if (fields[2] === String(pid) && fields[0] !== 'Z' && fields[0] !== 'X') return true
  }
  return false
}

/** Keeps the first and last half of a byte budget and counts what fell in between. */
class CappedOutput {
  private readonly head: Buffer[] = []
  private headBytes = 0
  private tail: Buffer[] = []
  private tailBytes = 0
  totalBytes = 0

  constructor(private readonly maxBytes: number) {}

  push(chunk: Buffer): void {
    this.totalBytes += chunk.length
    const headRoom = Math.ceil(this.maxBytes / 2) - this.headBytes
    let rest = chunk
    if (headRoom > 0) {
      const taken = rest.subarray(0, headRoom)
      this.head.push(taken)
      this.headBytes += taken.length
      rest = rest.subarray(taken.length)
    }
    if (rest.length === 0) return
    this.tail.push(rest)
    this.tailBytes += rest.length
    const tailMax = Math.floor(this.maxBytes / 2)
    while (this.tailBytes > tailMax && this.tail.length > 0) {
      const first = this.tail[0] as Buffer
      const excess = this.tailBytes - tailMax
      if (first.length <= excess) {
        this.tail.shift()
        this.tailBytes -= first.length
      } else {
        this.tail[0] = first.subarray(excess)
        this.tailBytes -= excess
      }
    }
  }

  elidedBytes(): number {
    return this.totalBytes - this.headBytes - this.tailBytes
  }

  text(): string {
    const head = Buffer.concat(this.head).toString('utf8')
    const tail = Buffer.concat(this.tail).toString('utf8')
    const elided = this.elidedBytes()
    if (elided === 0) return head + tail
    return `${head}\n[... ${elided} bytes elided ...]\n${tail}`
  }
}
