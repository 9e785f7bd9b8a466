/** The files a run changed, read from `git status` in the workspace, with their size and kind. */
import { lstat } from 'node:fs/promises'
import path from 'node:path'
import type { ChangedFile } from './effects.js'
import { runGit } from './run-git.js'

/**
 * Every path that differs from HEAD (staged or not, untracked included, ignored files left out).
 * Renames count as a deletion and an addition, which is how a commit of the tree records them anyway.
 */
export async function collectChangedFiles(
  workspace: string,
  env: Record<string, string>,
): Promise<ChangedFile[]> {
  const result = await runGit(
    workspace,
    ['status', '--porcelain=v1', '-z', '--untracked-files=all', '--no-renames', '--ignore-submodules=none'],
    env,
  )
  if (result.code !== 0) {
    throw new Error(
      `git status failed in ${workspace}: ${result.stderr.trim()}; is the workspace a git checkout?`,
    )
  }
  const files: ChangedFile[] = []
  for (const entry of result.stdout.toString('utf8').split('\0')) {
    if (entry.length < 4) continue
    const code = entry.slice(0, 2)
    const file = entry.slice(3).replace(/\/$/, '')
    if (code.includes('D')) {
      files.push({ path: file, status: 'deleted', bytes: null, kind: 'missing' })
      continue
    }
    const status = code === '??' || code.includes('A') ? 'added' : 'modified'
    try {
      const stats = await lstat(path.join(workspace, file))
      const kind = stats.isSymbolicLink() ? 'symlink' : stats.isDirectory() ? 'directory' : 'file'
      files.push({ path: file, status, bytes: kind === 'directory' ? 0 : stats.size, kind })
    } catch {
      files.push({ path: file, status, bytes: null, kind: 'missing' })
    }
  }
  return files.sort((a, b) => a.path.localeCompare(b.path))
}
