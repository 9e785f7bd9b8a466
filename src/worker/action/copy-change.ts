/**
 * Copies one changed path from the workspace into the trusted clone, or says why it may not be: what
 * the agent left is hostile data. A symlink is copied by its target only when that target stays inside
 * the repository and outside `.git` (a pushed `rootlink -> /` would point every checkout at the root);
 * a file is read without following a symlink swapped in after the check; a file or directory the agent
 * made unreadable is made readable again when the worker owns it, and refused with the reason otherwise,
 * never taken for a deletion.
 */
import { constants, type Stats } from 'node:fs'
import { chmod, lstat, mkdir, open, readlink, realpath, rm, symlink, writeFile } from 'node:fs/promises'
import path from 'node:path'
import { isInsideGitDir } from '../agent/jail.js'

/** Why a symlink at `relative` pointing to `target` may not be pushed, or undefined when it may. */
export function symlinkProblem(relative: string, target: string): string | undefined {
  if (target === '' || target.includes('\0')) return 'a symlink with an empty or NUL target'
  if (path.posix.isAbsolute(target) || /^[a-zA-Z]:[\\/]/.test(target) || target.startsWith('\\')) {
    return `a symlink to the absolute path ${JSON.stringify(target)}, outside the repository`
  }
  const resolved = path.posix.normalize(path.posix.join(path.posix.dirname(relative), target))
  if (resolved === '..' || resolved.startsWith('../')) {
    return `a symlink to ${JSON.stringify(target)}, which leaves the repository`
  }
  if (isInsideGitDir(resolved)) return `a symlink to ${JSON.stringify(target)}, inside .git`
  return undefined
}

/** What `lstat` says, or why it could not: ENOENT is "gone", anything else a problem to report. */
async function inspect(file: string): Promise<{ stats?: Stats; problem?: string }> {
  try {
    return { stats: await lstat(file) }
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code
    if (code === 'ENOENT' || code === 'ENOTDIR') return {}
    return {
      problem: `the worker cannot look at it (${code ?? 'error'}); a parent directory may be unreadable`,
    }
  }
}

/**
 * Reads a workspace file without following a symlink, checking after the open that it is a regular
 * file inside the workspace. A file the worker owns but cannot read (the agent ran chmod 000) is made
 * readable by its owner first.
 */
async function readWorkspaceFile(workspace: string, file: string, stats: Stats): Promise<Buffer | string> {
  let handle
  try {
    handle = await open(file, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK)
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code
    if (code !== 'EACCES') return `it could not be opened (${code ?? 'error'})`
    if (stats.uid !== process.getuid?.()) {
      return `it is not readable by the worker (owner uid ${stats.uid}, mode ${(stats.mode & 0o777).toString(8)}); make it readable or remove it`
    }
    await chmod(file, (stats.mode & 0o777) | 0o600)
    try {
      handle = await open(file, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK)
    } catch {
      return 'it stayed unreadable after the worker restored its owner read permission'
    }
  }
  try {
    if (!(await handle.stat()).isFile()) return 'it changed into something other than a file while being read'
    const parent = await realpath(path.dirname(file))
    const root = await realpath(workspace)
    if (parent !== root && !parent.startsWith(`${root}${path.sep}`)) return 'it moved out of the workspace'
    return await handle.readFile()
  } finally {
    await handle.close()
  }
}

/** Copies `relative` from `workspace` into `clone` (or deletes it there); answers a refusal reason. */
export async function copyChange(
  workspace: string,
  clone: string,
  relative: string,
): Promise<string | undefined> {
  const source = path.join(workspace, relative)
  const target = path.join(clone, relative)
  const { stats, problem } = await inspect(source)
  if (problem !== undefined) return problem
  if (stats !== undefined && stats.isSymbolicLink()) {
    const linkTarget = await readlink(source)
    const linkProblem = symlinkProblem(relative, linkTarget)
    if (linkProblem !== undefined) return linkProblem
    await rm(target, { force: true })
    await mkdir(path.dirname(target), { recursive: true })
    await symlink(linkTarget, target)
    return undefined
  }
  if (stats !== undefined && !stats.isFile()) return 'not a file or symlink'
  await rm(target, { force: true })
  if (stats === undefined) return undefined
  const content = await readWorkspaceFile(workspace, source, stats)
  if (typeof content === 'string') return content
  await mkdir(path.dirname(target), { recursive: true })
  await writeFile(target, content)
  await chmod(target, stats.mode & 0o111 ? 0o755 : 0o644)
  return undefined
}
