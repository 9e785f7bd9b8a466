/**
 * What the agent is told besides its bead, read from trusted sources: the goal issue, the dependency
 * beads and the trusted config through the API, and the repository's conventions from the checkout of
 * the default branch before the agent runs.
 */
import {
  parseConfig,
  formatConfigErrors,
  defaultConfig,
  CONFIG_PATH,
  type Config,
} from '../../core/config.js'
import { constants } from 'node:fs'
import { lstat, open, realpath } from 'node:fs/promises'
import path from 'node:path'
import type { Bead } from '../../core/bead.js'
import type { GitHubApi, RepoRef } from '../../github/client.js'
import { getIssue } from '../../github/issues.js'
import { getFileText } from '../../github/repository.js'
import { loadBead, type LoadedBead } from './bead-issue.js'
import type { DependencyInfo } from './task-message.js'

/** The config could not be read: the message is the list a person fixes the file with. */
export class ConfigFileError extends Error {
  override readonly name = 'ConfigFileError'
}

/**
 * The config from the default branch through the API: the copy the agent cannot change, unlike the
 * working tree. No file means every default.
 */
export async function loadTrustedConfig(
  api: GitHubApi,
  repo: RepoRef,
  defaultBranch: string,
): Promise<Config> {
  const text = await getFileText(api, repo, CONFIG_PATH, defaultBranch)
  if (text === null) return defaultConfig()
  const parsed = parseConfig(text)
  if (!parsed.ok) throw new ConfigFileError(formatConfigErrors(parsed.errors, parsed.file))
  return parsed.config
}

/** Files that tell how the repository works, read in this order when present. */
export const CONVENTION_FILES = [
  'README.md',
  'CONTRIBUTING.md',
  '.github/CONTRIBUTING.md',
  'AGENTS.md',
] as const

/** The most of a conventions file read: the prompt keeps far less (PROMPT_LIMITS.convention). */
const CONVENTION_READ_BYTES = 64 * 1024

/**
 * The conventions files present in the checkout (the default branch the run was dispatched at), read
 * before the agent runs, instead of one API request each. Only regular files inside the workspace
 * count: a symbolic link (say, to the runner's `/proc/self/environ`) is skipped, whatever it points at.
 */
export async function readConventions(workspace: string): Promise<{ path: string; text: string }[]> {
  const root = await realpath(workspace)
  const found = await Promise.all(
    CONVENTION_FILES.map(async (name) => ({ path: name as string, text: await readPlainFile(root, name) })),
  )
  return found.flatMap((file) =>
    file.text === null || file.text.trim() === '' ? [] : [{ path: file.path, text: file.text }],
  )
}

/** The start of `name` under `root` when it is a regular file whose real path stays inside; else null. */
async function readPlainFile(root: string, name: string): Promise<string | null> {
  const file = path.join(root, name)
  try {
    const stat = await lstat(file)
    if (!stat.isFile()) return null
    // A directory on the way (`.github`) may itself be a link out of the workspace.
    const real = await realpath(file)
    if (real !== file) return null
    const handle = await open(real, constants.O_RDONLY | constants.O_NOFOLLOW)
    try {
      const buffer = Buffer.alloc(Math.min(stat.size, CONVENTION_READ_BYTES))
      const { bytesRead } = await handle.read(buffer, 0, buffer.length, 0)
      return buffer.subarray(0, bytesRead).toString('utf8')
    } finally {
      await handle.close()
    }
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null
    throw error
  }
}

/** The goal issue's title and body. */
export async function loadGoal(
  api: GitHubApi,
  repo: RepoRef,
  goal: number,
): Promise<{ number: number; title: string; body: string }> {
  const issue = await getIssue(api, repo, goal)
  return { number: goal, title: issue.title, body: issue.body }
}

/**
 * The beads a bead depends on, as loaded beads; an unreadable one, or one `author` (the Mayor) did not
 * open, is skipped with its error.
 */
export async function loadDependencies(
  api: GitHubApi,
  repo: RepoRef,
  bead: Bead,
  author: string,
): Promise<{ loaded: LoadedBead[]; problems: string[] }> {
  const results = await Promise.allSettled(bead.dependencies.map((dep) => loadBead(api, repo, dep, author)))
  const loaded: LoadedBead[] = []
  const problems: string[] = []
  results.forEach((result, index) => {
    if (result.status === 'fulfilled') loaded.push(result.value)
    else problems.push(`#${bead.dependencies[index]}: ${(result.reason as Error).message}`)
  })
  return { loaded, problems }
}

/** A dependency as the task message tells of it. */
export function dependencyInfo(loaded: LoadedBead): DependencyInfo {
  const { bead } = loaded
  return {
    number: bead.number ?? 0,
    title: bead.title,
    role: bead.role,
    status: bead.status,
    ...(bead.result === undefined ? {} : { result: bead.result }),
    ...(bead.pr === undefined ? {} : { pr: bead.pr }),
  }
}
