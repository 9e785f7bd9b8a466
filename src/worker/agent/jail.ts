/**
 * The jail of the file tools: every path the model names is resolved against the workspace through
 * real paths (symlinks followed by hand, so dangling links and symlinked parents are caught too) and
 * refused when it leaves the workspace, touches `.git`, or writes a protected path.
 */
import { lstat, readlink } from 'node:fs/promises'
import path from 'node:path'
import { matchesAnyGlob } from './path-glob.js'

/**
 * The protected paths when the configuration names none: everything under .github (workflows run with
 * secrets; actions, CODEOWNERS and the gastown config steer CI and review) and .gitattributes (filters
 * and merge drivers for whoever checks the branch out).
 */
export const DEFAULT_PROTECTED_PATHS: readonly string[] = ['.github/**', '.gitattributes']

/** A path the jail refused; the message is shown to the model as the tool's error. */
export class JailError extends Error {
  override name = 'JailError'
}

/** Reading is refused only outside the workspace and in `.git`; writing also in protected paths. */
export type PathAccess = 'read' | 'write'

/** What the jail needs: the workspace as a real path, and the globs that may not be written. */
export interface JailOptions {
  workspace: string
  protectedPaths: readonly string[]
}

/** A path inside the workspace: `absolute` has every symlink resolved, `relative` uses `/`. */
export interface JailedPath {
  absolute: string
  relative: string
}

const MAX_SYMLINK_HOPS = 40

/**
 * Resolves `requested` (relative to the workspace, or absolute inside it) for `access`, or throws a
 * JailError that says why and what to do. Tools must then use `absolute`, never the requested path,
 * so they act on exactly what was checked.
 */
export async function resolveJailedPath(
  requested: string,
  access: PathAccess,
  options: JailOptions,
): Promise<JailedPath> {
  const { workspace } = options
  if (requested.includes('\0')) {
    throw new JailError(`refused: the path ${JSON.stringify(requested)} contains a NUL byte`)
  }
  const lexical = path.resolve(workspace, requested === '' ? '.' : requested)
  const lexicalRelative = relativeInside(workspace, lexical)
  if (lexicalRelative === undefined) {
    throw new JailError(
      `refused: ${JSON.stringify(requested)} is outside the workspace; use a path relative to the repository root`,
    )
  }
  checkAllowed(requested, lexicalRelative, access, options)

  const real = await resolveRealPath(lexical)
  const realRelative = relativeInside(workspace, real)
  if (realRelative === undefined) {
    throw new JailError(
      `refused: ${JSON.stringify(requested)} resolves through a symlink to ${real}, outside the workspace`,
    )
  }
  checkAllowed(requested, realRelative, access, options)
  return { absolute: real, relative: realRelative === '' ? '.' : realRelative }
}

/** True when a relative path has a `.git` segment in any case (`.GIT/config`, `sub/.git/HEAD`). */
export function isInsideGitDir(relative: string): boolean {
  return (
    relative
      .split(/[\\/]/)
      // Trailing dots and spaces vanish on Windows file systems, so `.git.` would be `.git` there.
      .some((segment) => segment.replace(/[. ]+$/, '').toLowerCase() === '.git')
  )
}

function checkAllowed(requested: string, relative: string, access: PathAccess, options: JailOptions): void {
  if (isInsideGitDir(relative)) {
    throw new JailError(
      `refused: ${JSON.stringify(requested)} is inside .git; the repository's metadata is not for the tools`,
    )
  }
  if (access === 'write') {
    const glob = matchesAnyGlob(relative, options.protectedPaths)
    if (glob !== undefined) {
      throw new JailError(
        `refused: ${JSON.stringify(requested)} is a protected path (${glob}); changes there need a person, leave it unchanged`,
      )
    }
  }
}

function relativeInside(root: string, target: string): string | undefined {
  const relative = path.relative(root, target)
  if (relative === '') return ''
  if (path.isAbsolute(relative) || relative === '..' || relative.startsWith(`..${path.sep}`)) return undefined
  return relative.split(path.sep).join('/')
}

/**
 * The real path of `absolute`, following every symlink by hand; the part that does not exist yet is
 * appended as written. Unlike fs.realpath this also resolves a dangling symlink, whose target a write
 * would create.
 */
export async function resolveRealPath(absolute: string): Promise<string> {
  const pending = absolute.split(path.sep).filter((segment) => segment.length > 0)
  let current = path.parse(absolute).root
  let hops = 0
  let missing = false
  while (pending.length > 0) {
    const segment = pending.shift() as string
    if (segment === '.') continue
    if (segment === '..') {
      current = path.dirname(current)
      continue
    }
    const next = path.join(current, segment)
    if (missing) {
      current = next
      continue
    }
    let stats
    try {
      stats = await lstat(next)
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code
      if (code === 'ENOENT' || code === 'ENOTDIR') {
        missing = true
        current = next
        continue
      }
      throw error
    }
    if (!stats.isSymbolicLink()) {
      current = next
      continue
    }
    hops += 1
    if (hops > MAX_SYMLINK_HOPS) {
      throw new JailError(`refused: too many symlinks while resolving ${absolute}`)
    }
    const target = await readlink(next)
    const targetSegments = target.split(path.sep).filter((part) => part.length > 0)
    if (path.isAbsolute(target)) current = path.parse(target).root
    pending.unshift(...targetSegments)
  }
  return current
}
