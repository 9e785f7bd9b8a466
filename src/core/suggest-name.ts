/** "Did you mean": the known name closest to a mistyped one, for error messages. */

/** Edit distance between two strings (insertions, deletions, substitutions, adjacent swaps). */
export function editDistance(a: string, b: string): number {
  const rows = a.length + 1
  const cols = b.length + 1
  const d: number[][] = Array.from({ length: rows }, (_, i) =>
    Array.from({ length: cols }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)),
  )
  const at = (i: number, j: number) => d[i]?.[j] ?? Number.POSITIVE_INFINITY
  for (let i = 1; i < rows; i++) {
    for (let j = 1; j < cols; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1
      let best = Math.min(at(i - 1, j) + 1, at(i, j - 1) + 1, at(i - 1, j - 1) + cost)
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1])
        best = Math.min(best, at(i - 2, j - 2) + 1)
      d[i]![j] = best
    }
  }
  return at(a.length, b.length)
}

/**
 * The known name a person most likely meant, or undefined when none is close: within a third of the
 * name's length (at least 1, at most 3 edits), comparing without case and with `-`/`_` alike.
 */
export function suggestName(name: string, known: Iterable<string>): string | undefined {
  const normal = (text: string) => text.toLowerCase().replace(/-/g, '_')
  const wanted = normal(name)
  let best: { name: string; distance: number } | undefined
  for (const candidate of known) {
    const distance = editDistance(wanted, normal(candidate))
    if (best === undefined || distance < best.distance) best = { name: candidate, distance }
  }
  const limit = Math.min(3, Math.max(1, Math.floor(wanted.length / 3)))
  return best !== undefined && best.distance <= limit ? best.name : undefined
}

/** ` Did you mean "x"?` for a message, or '' when nothing is close. */
export function didYouMean(name: string, known: Iterable<string>): string {
  const suggestion = suggestName(name, known)
  return suggestion === undefined ? '' : ` Did you mean "${suggestion}"?`
}
