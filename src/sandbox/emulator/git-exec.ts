/**
 * Runs the git binary with argument arrays (never a shell) and an environment that ignores the machine's
 * global and system git configuration, so the emulator behaves the same on every computer.
 */
import { spawn } from 'node:child_process'

/** What one git invocation produced. */
export interface GitResult {
  stdout: Buffer
  stderr: string
  code: number
}

/** Options of one git invocation. */
export interface GitRunOptions {
  /** Working directory (a repository, or anywhere when `--git-dir` is passed). */
  cwd?: string
  /** Variables added to the isolated base environment. */
  env?: Record<string, string>
  /** Bytes written to git's standard input. */
  input?: Buffer | string
}

/** An environment that carries PATH and nothing of the user's git configuration. */
export function isolatedGitEnv(extra: Record<string, string> = {}): Record<string, string> {
  return {
    PATH: process.env.PATH ?? '/usr/local/bin:/usr/bin:/bin',
    LANG: 'C',
    GIT_CONFIG_NOSYSTEM: '1',
    GIT_CONFIG_GLOBAL: '/dev/null',
    GIT_TERMINAL_PROMPT: '0',
    ...extra,
  }
}

/** Runs git and answers its exit code and output, whatever the code. */
export function runGit(args: string[], options: GitRunOptions = {}): Promise<GitResult> {
  return new Promise((resolve, reject) => {
    const child = spawn('git', args, {
      cwd: options.cwd,
      env: isolatedGitEnv(options.env),
      stdio: ['pipe', 'pipe', 'pipe'],
    })
    const out: Buffer[] = []
    const err: Buffer[] = []
    child.stdout.on('data', (chunk: Buffer) => out.push(chunk))
    child.stderr.on('data', (chunk: Buffer) => err.push(chunk))
    child.on('error', (error) =>
      reject(new Error(`could not start git ${args[0] ?? ''}: ${error.message}`, { cause: error })),
    )
    child.on('close', (code) =>
      resolve({ stdout: Buffer.concat(out), stderr: Buffer.concat(err).toString('utf8'), code: code ?? 1 }),
    )
    // git may exit before reading all of its input (e.g. on a bad argument); that is not our error.
    child.stdin.on('error', () => undefined)
    child.stdin.end(options.input ?? '')
  })
}

/** Runs git and answers its standard output as text; throws with git's message when it fails. */
export async function git(args: string[], options: GitRunOptions = {}): Promise<string> {
  const result = await runGit(args, options)
  if (result.code !== 0) {
    throw new Error(`git ${args.join(' ')} failed (exit ${result.code}): ${result.stderr.trim()}`)
  }
  return result.stdout.toString('utf8')
}
