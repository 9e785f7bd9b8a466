/**
 * The files a run changed, with their size and kind: listed by trusted git against the index of the
 * base commit (workspace-git.ts), never through the workspace's own `.git`, which the agent may have
 * rewritten. A file the agent committed, staged or left alone counts the same: what differs from the
 * base commit is a change.
 */
import { lstat } from 'node:fs/promises'
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
  const result = await git.run([
    'ls-files',
    '-z',
    '-t',
    '--modified',
    '--deleted',
    '--others',
    '--exclude-standard',
  ])
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
