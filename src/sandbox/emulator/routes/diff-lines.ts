/** Which lines of a unified-diff patch a review comment may be anchored to, as GitHub checks it. */

/** A line of a patch: its position (1-based, counted from the first hunk header) and numbers per side. */
export interface PatchLine {
  position: number
  left: number | null
  right: number | null
  text: string
}

/** Parses a GitHub `patch` (hunks only) into its lines. */
export function patchLines(patch: string): PatchLine[] {
  const lines: PatchLine[] = []
  let left = 0
  let right = 0
  let position = 0
  for (const text of patch.split('\n')) {
    const header = /^@@ -(\d+)(?:,\d+)? \+(\d+)(?:,\d+)? @@/.exec(text)
    if (header) {
      left = Number(header[1])
      right = Number(header[2])
      // GitHub counts the first hunk header as position 0 and later headers as positions.
      if (position > 0 || lines.length > 0) position += 1
      continue
    }
    if (text.startsWith('\\')) continue
    position += 1
    if (text.startsWith('+')) lines.push({ position, left: null, right: right++, text })
    else if (text.startsWith('-')) lines.push({ position, left: left++, right: null, text })
    else lines.push({ position, left: left++, right: right++, text })
  }
  return lines
}

/** The patch line a comment on `line` of `side` refers to, or undefined when the line is not in the diff. */
export function findDiffLine(patch: string, line: number, side: 'LEFT' | 'RIGHT'): PatchLine | undefined {
  return patchLines(patch).find((l) => (side === 'LEFT' ? l.left : l.right) === line)
}

/** The hunk text from its header down to `position`, GitHub's `diff_hunk` of a review comment. */
export function diffHunk(patch: string, position: number): string {
  const out: string[] = []
  let current = 0
  let started = false
  for (const text of patch.split('\n')) {
    if (text.startsWith('@@')) {
      if (started) current += 1
      out.length = 0
      out.push(text)
      started = true
      continue
    }
    current += 1
    out.push(text)
    if (current >= position) break
  }
  return out.join('\n')
}
