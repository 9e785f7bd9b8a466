/**
 * Runs git for the tools (listing, searching, status) without a shell, with the scrubbed environment,
 * and with the repository's fsmonitor and hooks switched off: the agent's commands can edit
 * `.git/config`, and nothing it writes there may run when our own code calls git.
 */
import { spawn } from 'node:child_process'

/** What git printed; `truncated` is set when the output cap stopped it early. */
export interface GitResult {
  code: number | null
  stdout: Buffer
  stderr: string
  truncated: boolean
}

const SAFE_CONFIG = [
  '-c',
  'core.fsmonitor=false',
  '-c',
  'core.hooksPath=/dev/null',
  '-c',
  'core.quotePath=false',
]

/**
 * Runs `git args` in `cwd`. Stops git once stdout passes `maxBytes` (its output is then cut), so a
 * search over a huge tree costs no more than the caller will read.
 */
export function runGit(
  cwd: string,
  args: readonly string[],
  env: Record<string, string>,
  maxBytes = 16 * 1024 * 1024,
): Promise<GitResult> {
  return new Promise((resolve, reject) => {
    const child = spawn('git', [...SAFE_CONFIG, ...args], {
      cwd,
      env: { ...env, GIT_TERMINAL_PROMPT: '0', GIT_OPTIONAL_LOCKS: '0' },
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    const chunks: Buffer[] = []
    let bytes = 0
    let truncated = false
    let stderr = ''
    child.stdout.on('data', (chunk: Buffer) => {
      if (truncated) return
      chunks.push(chunk)
      bytes += chunk.length
      if (bytes > maxBytes) {
        truncated = true
        child.kill('SIGKILL')
      }
    })
    child.stderr.on('data', (chunk: Buffer) => {
      if (stderr.length < 8192) stderr += chunk.toString('utf8')
    })
    child.on('error', (error) =>
      reject(new Error(`could not run git ${args[0] ?? ''}: ${error.message}`, { cause: error })),
    )
    child.on('close', (code) => {
      const stdout = Buffer.concat(chunks)
      resolve({ code, stdout: truncated ? stdout.subarray(0, maxBytes) : stdout, stderr, truncated })
    })
  })
}
