/**
 * The lines of a pull request's diff that GitHub accepts inline comments on: for each file, the
 * new-file lines (RIGHT: added and context) and old-file lines (LEFT: removed and context) inside its
 * patch's hunks.
 */

/** Commentable lines of one file. */
export interface CommentableLines {
  RIGHT: Set<number>
  LEFT: Set<number>
}

const HUNK = /^@@ -(\d+)(?:,(\d+))? \+(\d+)(?:,(\d+))? @@/

/** The commentable lines of a unified-diff patch as GitHub gives it (hunks only, no file headers). */
export function commentableLines(patch: string): CommentableLines {
  const lines: CommentableLines = { RIGHT: new Set(), LEFT: new Set() }
  let oldLine = 0
  let newLine = 0
  let inHunk = false
  for (const line of patch.split('\n')) {
    const hunk = HUNK.exec(line)
    if (hunk) {
      oldLine = Number(hunk[1])
      newLine = Number(hunk[3])
      inHunk = true
      continue
    }
    if (!inHunk || line.startsWith('\\')) continue
    if (line.startsWith('+')) {
      lines.RIGHT.add(newLine++)
    } else if (line.startsWith('-')) {
      lines.LEFT.add(oldLine++)
    } else if (line.startsWith(' ') || line === '') {
      // A context line may be commented on from either side.
      lines.RIGHT.add(newLine++)
      lines.LEFT.add(oldLine++)
    }
  }
  return lines
}

/** An inline comment as the agent proposed it. */
export interface ProposedComment {
  path: string
  line: number
  side?: 'LEFT' | 'RIGHT' | undefined
  body: string
}

/**
 * Splits proposed comments into those GitHub will accept (on a line of the file's diff) and those it
 * would refuse, with the reason, so the caller can move the latter into the review's body.
 */
export function partitionComments<T extends ProposedComment>(
  comments: readonly T[],
  files: readonly { filename: string; patch?: string }[],
): { valid: T[]; invalid: { comment: T; reason: string }[] } {
  const byFile = new Map(files.map((file) => [file.filename, file.patch]))
  const cache = new Map<string, CommentableLines>()
  const valid: T[] = []
  const invalid: { comment: T; reason: string }[] = []
  for (const comment of comments) {
    if (!byFile.has(comment.path)) {
      invalid.push({ comment, reason: 'the file is not changed by this pull request' })
      continue
    }
    const patch = byFile.get(comment.path)
    if (patch === undefined) {
      invalid.push({ comment, reason: 'the file has no textual diff' })
      continue
    }
    let lines = cache.get(comment.path)
    if (lines === undefined) {
      lines = commentableLines(patch)
      cache.set(comment.path, lines)
    }
    const side = comment.side ?? 'RIGHT'
    if (lines[side].has(comment.line)) valid.push(comment)
    else invalid.push({ comment, reason: `line ${comment.line} (${side}) is not in the diff` })
  }
  return { valid, invalid }
}
