/**
 * Path globs (protected paths from the config; the glob of the list_files and search tools), matched
 * by picomatch: `**`, `*`, `?`, `[Dd]ockerfile`, `{a,b}`, extglobs such as `!(x)`, POSIX classes.
 * Matching ignores case, because a case-insensitive checkout (macOS, Windows) would treat
 * `.GitHub/Workflows/ci.yml` as the protected file, and dotfiles match like any other name.
 *
 * picomatch compiles to a backtracking regular expression: `*a*a*a*a*a*a*b` takes minutes on a
 * 40-character name. So a glob is checked before it is compiled: at most MAX_STARS_PER_SEGMENT `*` in
 * one path segment, at most MAX_WILDCARDS wildcards in all, no repeating extglob (`*(a|aa)` is the
 * textbook exponential regex), no wildcard inside an extglob, and no
 * leading `!` (a negated protected path would protect everything else); a glob beyond that is refused
 * with a GlobError that says what to write instead, never matched slowly or silently matching nothing.
 */
import picomatch from 'picomatch'
import { globProblem } from '../../core/glob-limits.js'

export { globProblem }

/** A glob that is refused; the message says why and what to write. */
export class GlobError extends Error {
  override name = 'GlobError'
}

/** A compiled glob: a test over `/`-separated relative paths. */
export type GlobMatcher = (path: string) => boolean

/** Compiles a glob (a leading `./` or `/` is dropped), or throws a GlobError naming the problem. */
export function compileGlob(glob: string): GlobMatcher {
  const normalised = glob.replace(/^\.?\/+/, '')
  const problem = globProblem(normalised)
  if (problem !== undefined) throw new GlobError(`the glob ${JSON.stringify(glob)} is refused: ${problem}`)
  const matcher = picomatch(normalised, { nocase: true, dot: true, strictSlashes: false })
  return (path) => matcher(path)
}

/**
 * The glob that `path` (relative, `/`-separated) or one of its parent directories matches, so a
 * pattern naming a directory (`secrets`) protects everything inside it; undefined when none does.
 * Throws a GlobError for a glob that is refused.
 */
export function matchesAnyGlob(path: string, globs: readonly string[]): string | undefined {
  const segments = path.split('/').filter((segment) => segment.length > 0)
  const candidates = segments.map((_, index) => segments.slice(0, index + 1).join('/'))
  for (const glob of globs) {
    const matches = compileGlob(glob)
    if (candidates.some((candidate) => matches(candidate))) return glob
  }
  return undefined
}
