/**
 * Path globs for protected paths (`.github/workflows/**`): `**` spans directories, `*` and `?` stay
 * within one segment, `{a,b}` picks an alternative. Matching ignores case, because a case-insensitive
 * checkout (macOS, Windows) would treat `.GitHub/Workflows/ci.yml` as the protected file.
 */

/** Compiles a glob to a regular expression anchored at both ends, matching paths with `/` separators. */
export function globToRegExp(glob: string): RegExp {
  let source = ''
  let i = 0
  let braceDepth = 0
  while (i < glob.length) {
    const char = glob[i] as string
    if (char === '*') {
      if (glob[i + 1] === '*') {
        const atSegmentStart = i === 0 || glob[i - 1] === '/'
        const atSegmentEnd = i + 2 === glob.length || glob[i + 2] === '/'
        if (atSegmentStart && atSegmentEnd) {
          if (i + 2 === glob.length) {
            // A trailing `/**` also covers the directory itself, so `a/**` protects `a`.
            if (source.endsWith('/')) source = `${source.slice(0, -1)}(?:/.*)?`
            else source += '.*'
            i += 2
          } else {
            source += '(?:[^/]*/)*'
            i += 3
          }
          continue
        }
        source += '[^/]*'
        i += 2
        continue
      }
      source += '[^/]*'
    } else if (char === '?') {
      source += '[^/]'
    } else if (char === '{') {
      braceDepth += 1
      source += '(?:'
    } else if (char === '}' && braceDepth > 0) {
      braceDepth -= 1
      source += ')'
    } else if (char === ',' && braceDepth > 0) {
      source += '|'
    } else {
      source += char.replace(/[.+^$()|[\]\\]/g, '\\$&')
    }
    i += 1
  }
  return new RegExp(`^${source}$`, 'i')
}

/**
 * True when `path` (relative, `/`-separated) or one of its parent directories matches a glob, so a
 * pattern naming a directory (`secrets`) protects everything inside it.
 */
export function matchesAnyGlob(path: string, globs: readonly string[]): string | undefined {
  const segments = path.split('/').filter((segment) => segment.length > 0)
  const candidates = segments.map((_, index) => segments.slice(0, index + 1).join('/'))
  for (const glob of globs) {
    const pattern = globToRegExp(glob.replace(/^\.?\/+/, ''))
    if (candidates.some((candidate) => pattern.test(candidate))) return glob
  }
  return undefined
}
