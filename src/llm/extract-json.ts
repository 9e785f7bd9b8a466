/**
 * Finds the JSON value in a model's answer: the whole answer, else a fenced ```json block, else the first
 * balanced {...} or [...] that parses. Models wrap JSON in prose and fences even when told not to.
 */

/** The JSON found, or why none was. */
export type ExtractedJson = { ok: true; value: unknown } | { ok: false; reason: string }

/** Extracts the first JSON value from `text`. */
export function extractJson(text: string): ExtractedJson {
  const trimmed = text.trim()
  if (trimmed === '') return { ok: false, reason: 'the answer was empty' }
  const whole = tryParse(trimmed)
  if (whole.ok) return whole
  for (const match of trimmed.matchAll(/```[ \t]*([A-Za-z0-9_-]*)[^\n]*\n([\s\S]*?)```/g)) {
    const lang = match[1]?.toLowerCase() ?? ''
    if (lang !== '' && lang !== 'json' && lang !== 'jsonc' && lang !== 'json5') continue
    const fenced = tryParse(match[2]!.trim())
    if (fenced.ok) return fenced
  }
  for (let start = 0; start < trimmed.length; start++) {
    const char = trimmed[start]
    if (char !== '{' && char !== '[') continue
    const end = balancedEnd(trimmed, start)
    if (end === undefined) continue
    const candidate = tryParse(trimmed.slice(start, end + 1))
    if (candidate.ok) return candidate
  }
  return { ok: false, reason: 'the answer contained no JSON object or array' }
}

function tryParse(text: string): ExtractedJson {
  try {
    return { ok: true, value: JSON.parse(text) as unknown }
  } catch (error) {
    return { ok: false, reason: error instanceof Error ? error.message : String(error) }
  }
}

/** The index of the bracket closing the one at `start`, skipping brackets inside strings. */
function balancedEnd(text: string, start: number): number | undefined {
  const closers: string[] = []
  let inString = false
  for (let i = start; i < text.length; i++) {
    const char = text[i]
    if (inString) {
      if (char === '\\') i++
      else if (char === '"') inString = false
      continue
    }
    if (char === '"') inString = true
    else if (char === '{') closers.push('}')
    else if (char === '[') closers.push(']')
    else if (char === '}' || char === ']') {
      if (closers.pop() !== char) return undefined
      if (closers.length === 0) return i
    }
  }
  return undefined
}
