/**
 * The worker's own git, which must never run anything the agent wrote. The agent's commands can write
 * the workspace's `.git` (config with `filter.*.clean`, `core.fsmonitor`, `include.path`, hooks,
 * `info/attributes`), files under `$HOME` (`.gitconfig`), and a fake `git` into a directory on `PATH`
 * (`~/.local/bin` is on PATH on hosted images). So trusted git:
 * - is one absolute binary, found when the worker starts, before any agent ran (`resolveGitBinary`);
 * - runs with a fixed environment: a fixed `PATH`, a private `HOME`, no system or global config, no
 *   system attributes, no prompt, no optional locks; nothing of the caller's environment;
 * - always gets `-c` values that switch off hooks, fsmonitor and the attributes and excludes files;
 * - reads the workspace's files only through a git directory the agent never had (workspace-git.ts).
 * Filters and diff drivers exist only when config defines them: with no config the agent wrote, a
 * `.gitattributes` in the work tree naming `filter=x` names nothing.
 */
import { spawn } from 'node:child_process'
import { constants } from 'node:fs'
import { access, mkdtemp, realpath } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'

/** What git printed; `truncated` is set when the output cap stopped it early. */
export interface GitResult {
  code: number | null
  stdout: Buffer
  stderr: string
  truncated: boolean
}

/** The `-c` values every trusted git gets, whatever the repository's config says. */
export const TRUSTED_GIT_CONFIG: readonly string[] = [
  '-c',
  'core.hooksPath=/dev/null',
  '-c',
  'core.fsmonitor=false',
  '-c',
  'core.attributesFile=/dev/null',
  '-c',
  'core.excludesFile=/dev/null',
  '-c',
  'core.quotePath=false',
]

/** Where trusted git looks for other programs it may start (its own helpers come from its exec path). */
const FIXED_PATH = '/usr/local/bin:/usr/bin:/bin'

/** The git binary and the private home directory the worker found at start. */
export interface GitBinary {
  /** Absolute real path of git. */
  path: string
  /** An empty directory of the worker's own, given to git as HOME. */
  home: string
}

let resolved: Promise<GitBinary> | undefined

/**
 * Finds git on `searchPath` (the worker's PATH at start) and makes a private HOME for it, once per
 * process: later calls answer the same binary, so a `git` the agent puts on PATH later is never run.
 * Throws, saying what to install, when there is no git.
 */
export function resolveGitBinary(searchPath = process.env['PATH'] ?? FIXED_PATH): Promise<GitBinary> {
  resolved ??= findGit(searchPath).catch((error: unknown) => {
    resolved = undefined
    throw error
  })
  return resolved
}

async function findGit(searchPath: string): Promise<GitBinary> {
  for (const dir of searchPath.split(':')) {
    if (dir === '' || !path.isAbsolute(dir)) continue
    const candidate = path.join(dir, 'git')
    try {
      await access(candidate, constants.X_OK)
    } catch {
      continue
    }
    const home = await mkdtemp(path.join(tmpdir(), 'gastown-git-home-'))
    return { path: await realpath(candidate), home }
  }
  throw new Error(`git is not on PATH (${searchPath}); install git on the runner before the worker step`)
}

/** The whole environment of a trusted git: fixed values and `extra` (the auth header's variables). */
export function trustedGitEnv(binary: GitBinary, extra: Record<string, string> = {}): Record<string, string> {
  return {
    PATH: `${path.dirname(binary.path)}:${FIXED_PATH}`,
    HOME: binary.home,
    LANG: 'C',
    GIT_CONFIG_NOSYSTEM: '1',
    GIT_CONFIG_GLOBAL: '/dev/null',
    GIT_ATTR_NOSYSTEM: '1',
    GIT_TERMINAL_PROMPT: '0',
    GIT_OPTIONAL_LOCKS: '0',
    ...extra,
  }
}

/** Options of one trusted git call. */
export interface TrustedGitOptions {
  /** Stop git once stdout passes this many bytes (its output is then cut); default 16 MiB. */
  maxBytes?: number
  /** Variables added to the fixed environment (GIT_INDEX_FILE, GIT_CONFIG_* for the auth header). */
  env?: Record<string, string>
}

/**
 * Runs trusted git `args` in `cwd`, without a shell. Stops git once stdout passes `maxBytes`, so a
 * search over a huge tree costs no more than the caller will read.
 */
export async function runTrustedGit(
  cwd: string,
  args: readonly string[],
  options: TrustedGitOptions = {},
): Promise<GitResult> {
  const binary = await resolveGitBinary()
  const maxBytes = options.maxBytes ?? 16 * 1024 * 1024
  return new Promise((resolve, reject) => {
    const child = spawn(binary.path, [...TRUSTED_GIT_CONFIG, ...args], {
      cwd,
      env: trustedGitEnv(binary, options.env),
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
