/**
 * What the agent is told besides its bead, read from trusted sources: the goal issue, the dependency
 * beads and the trusted config through the API (GraphQL, src/github/bead-context-query.ts), and the
 * repository's conventions from the checkout of the default branch before the agent runs.
 */
import { parseConfig, formatConfigErrors, defaultConfig, type Config } from '../../core/config.js'
import { constants } from 'node:fs'
import { lstat, open, realpath } from 'node:fs/promises'
import path from 'node:path'
import type { Bead } from '../../core/bead.js'
import { readBeadIssues, type GoalText } from '../../github/bead-context-query.js'
import type { GitHubApi, RepoRef } from '../../github/client.js'
import type { IssueData } from '../../github/issues.js'
import { beadFromIssue, type LoadedBead } from './bead-issue.js'
import type { DependencyInfo } from './task-message.js'

/** The config could not be read: the message is the list a person fixes the file with. */
export class ConfigFileError extends Error {
  override readonly name = 'ConfigFileError'
}

/**
 * The config from its text on the default branch, as the API read it (readBeadStart): the copy the agent
 * cannot change, unlike the working tree. No file (null) means every default.
 */
export function trustedConfig(text: string | null): Config {
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

/** A bead's goal and the beads it depends on, for its task message. */
export interface GoalAndDependencies {
  goal: GoalText
  dependencies: { loaded: LoadedBead[]; problems: string[] }
}

/**
 * The goal of `bead` (`known` when the first read found it as the bead's parent) and the beads it
 * depends on, in one request, or none when the goal is known and every dependency is among `siblings`
 * (the issues the first read found beside the bead). A dependency that is no issue, that holds no bead
 * or that `author` (the Mayor) did not open is skipped with its error; a goal that is no issue stops
 * the run.
 */
export async function loadGoalAndDependencies(
  api: GitHubApi,
  repo: RepoRef,
  bead: Bead,
  author: string,
  known: GoalText | undefined,
  siblings: readonly IssueData[] = [],
): Promise<GoalAndDependencies> {
  const found = new Map<number, IssueData | null>(siblings.map((issue) => [issue.number, issue]))
  const missing = bead.dependencies.filter((number) => !found.has(number))
  const read = await readBeadIssues(api, repo, {
    ...(known === undefined ? { goal: bead.goal } : {}),
    numbers: missing,
  })
  read.issues.forEach((issue, index) => found.set(missing[index]!, issue))
  const goal = known ?? read.goal
  if (!goal) {
    throw new Error(
      `${repo.owner}/${repo.repo} has no issue #${bead.goal}, the goal of bead #${bead.number ?? bead.id}: it was deleted or transferred`,
    )
  }
  const loaded: LoadedBead[] = []
  const problems: string[] = []
  bead.dependencies.forEach((number) => {
    const issue = found.get(number) ?? null
    if (issue === null) {
      problems.push(
        `#${number}: no such issue in ${repo.owner}/${repo.repo} (deleted, transferred, or a pull request)`,
      )
      return
    }
    try {
      loaded.push(beadFromIssue(issue, author))
    } catch (error) {
      problems.push(`#${number}: ${(error as Error).message}`)
    }
  })
  return { goal, dependencies: { loaded, problems } }
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
