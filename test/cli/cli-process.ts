/** Helpers for tests that start the real `gastown` CLI as a child process and watch what it leaves. */
import { spawn, type ChildProcess } from 'node:child_process'
import { readdirSync, readFileSync } from 'node:fs'
import { connect } from 'node:net'
import { fileURLToPath } from 'node:url'

/** The project root, where `node --import tsx src/cli/index.ts` runs. */
export const ROOT = fileURLToPath(new URL('../../', import.meta.url))

/** A running CLI with its output so far. */
export interface CliProcess {
  child: ChildProcess
  stdout: () => string
  stderr: () => string
  /** Resolves with the exit code (or the signal) once the process ended. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>
  /** Resolves with the first stdout line that matches. */
  line(pattern: RegExp): Promise<RegExpMatchArray>
}

/** Starts `node --import tsx src/cli/index.ts ...args` with a clean environment (no model key). */
export function startCli(args: string[], env: Record<string, string> = {}): CliProcess {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli/index.ts', ...args], {
    cwd: ROOT,
    env: { PATH: process.env['PATH'] ?? '', HOME: process.env['HOME'] ?? '/tmp', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let out = ''
  let err = ''
  const waiters: { pattern: RegExp; resolve: (m: RegExpMatchArray) => void }[] = []
  child.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
    out += chunk
    for (const waiter of [...waiters]) {
      const match = out.match(waiter.pattern)
      if (match) {
        waiters.splice(waiters.indexOf(waiter), 1)
        waiter.resolve(match)
      }
    }
  })
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => (err += chunk))
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.on('exit', (code, signal) => resolve({ code, signal })),
  )
  return {
    child,
    stdout: () => out,
    stderr: () => err,
    exited,
    line: (pattern) =>
      new Promise((resolve, reject) => {
        const match = out.match(pattern)
        if (match) return resolve(match)
        waiters.push({ pattern, resolve })
        void exited.then(() =>
          reject(new Error(`the CLI exited before printing ${pattern}:\n${out}\n${err}`)),
        )
      }),
  }
}

/** Every process descending from `pid` now, read from /proc (Linux). */
export function descendants(pid: number): number[] {
  const parents = new Map<number, number>()
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8')
      // The command name is in parentheses and may hold spaces: the fields after its last ")" are fixed.
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
      parents.set(Number(entry), Number(fields[1]))
    } catch {
      // The process ended while we looked.
    }
  }
  const found: number[] = []
  const frontier = [pid]
  while (frontier.length > 0) {
    const parent = frontier.pop()!
    for (const [child, ppid] of parents) {
      if (ppid === parent && !found.includes(child)) {
        found.push(child)
        frontier.push(child)
      }
    }
  }
  return found
}

/** Whether a process still exists (a zombie waiting for its parent counts as gone). */
export function alive(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[0] !== 'Z'
  } catch {
    return false
  }
}

/** Whether something accepts connections on a local port. */
export function listening(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port })
    socket.once('connect', () => {
      socket.destroy()
      resolve(true)
    })
    socket.once('error', () => resolve(false))
  })
}
