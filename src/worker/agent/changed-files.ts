/**
 * The files a run changed, with their size and kind: listed by trusted git against the index of the
 * base commit (workspace-git.ts), never through the workspace's own `.git`, which the agent may have
 * rewritten. A file the agent committed, staged or left alone counts the same: what differs from the
 * base commit is a change.
 */
import { chmod, lstat } from 'node:fs/promises'
import path from 'node:path'
import type { ChangedFile } from './effects.js'
import type { WorkspaceGit } from './workspace-git.js'

/** A changed path and how it changed, before its size and kind are looked up. */
export interface PathChange {
  path: string
  status: ChangedFile['status']
}

/**
 * Every path that differs from the base commit: modified, deleted, and new files (ignored files left
 * out). Renames count as a deletion and an addition, which is how a commit of the tree records them.
 */
export async function collectChangedFiles(git: WorkspaceGit): Promise<ChangedFile[]> {
  const args = ['ls-files', '-z', '-t', '--modified', '--deleted', '--others', '--exclude-standard']
  let result = await git.run(args)
  // git skips, with a warning only, a directory it cannot open: its files would silently be lost.
  const unreadable = unreadableDirectories(result.stderr)
  if (unreadable.length > 0) {
    const stuck = await restoreOwnerAccess(git.workspace, unreadable)
    if (stuck.length > 0) {
      throw new Error(
        `the agent left directories the worker cannot read: ${stuck.join(', ')}; their changes cannot be saved (make them readable or remove them)`,
      )
    }
    result = await git.run(args)
  }
  if (result.code !== 0) {
    throw new Error(
      `git ls-files failed in ${git.workspace}: ${result.stderr.trim()}; is the workspace a git checkout?`,
    )
  }
  // -t tags each path: `?` new, `C` modified, `R` removed (a removed file is listed as modified too).
  const changes = new Map<string, PathChange>()
  for (const entry of result.stdout.toString('utf8').split('\0')) {
    if (entry.length < 3) continue
    const tag = entry[0]
    const file = entry.slice(2).replace(/\/$/, '')
    if (tag === 'R') changes.set(file, { path: file, status: 'deleted' })
    else if (tag === '?') changes.set(file, { path: file, status: 'added' })
    else if (!changes.has(file)) changes.set(file, { path: file, status: 'modified' })
  }
  return describeChanges(git.workspace, [...changes.values()])
}

function unreadableDirectories(stderr: string): string[] {
  return [...stderr.matchAll(/could not open directory '([^']+)': Permission denied/g)].map((match) =>
    match[1]!.replace(/\/$/, ''),
  )
}

/**
 * Gives back to their owner read and search permission on directories the agent locked (chmod 000),
 * when the worker is that owner; answers those it could not restore.
 */
async function restoreOwnerAccess(workspace: string, relatives: readonly string[]): Promise<string[]> {
  const stuck: string[] = []
  for (const relative of relatives) {
    const dir = path.join(workspace, relative)
    try {
      const stats = await lstat(dir)
      if (!stats.isDirectory() || stats.uid !== process.getuid?.()) throw new Error('not ours')
      await chmod(dir, (stats.mode & 0o777) | 0o700)
    } catch {
      stuck.push(relative)
    }
  }
  return stuck
}

/** Adds each change's size and kind, read from `dir` without following symlinks. */
export async function describeChanges(dir: string, changes: readonly PathChange[]): Promise<ChangedFile[]> {
  const files: ChangedFile[] = []
  for (const change of changes) {
    if (change.status === 'deleted') {
      files.push({ ...change, bytes: null, kind: 'missing' })
      continue
    }
    try {
      const stats = await lstat(path.join(dir, change.path))
      const kind = stats.isSymbolicLink() ? 'symlink' : stats.isDirectory() ? 'directory' : 'file'
      files.push({ ...change, bytes: kind === 'directory' ? 0 : stats.size, kind })
    } catch {
      files.push({ ...change, bytes: null, kind: 'missing' })
    }
  }
  return files.sort((a, b) => a.path.localeCompare(b.path))
}
