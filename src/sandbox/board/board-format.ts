/** Small text formats the boards share: durations, clock times, token counts, money, safe text. */

/** A duration as people read it: `45s`, `1m02s`, `1h03m`. */
export function formatDuration(ms: number): string {
  const seconds = Math.max(0, Math.floor(ms / 1000))
  if (seconds < 60) return `${seconds}s`
  const minutes = Math.floor(seconds / 60)
  if (minutes < 60) return `${minutes}m${String(seconds % 60).padStart(2, '0')}s`
  return `${Math.floor(minutes / 60)}h${String(minutes % 60).padStart(2, '0')}m`
}

/** Elapsed time as a stopwatch shows it: `02:13`, `1:02:13`. */
export function formatClock(ms: number): string {
  const seconds = Math.max(0, Math.floor(ms / 1000))
  const two = (n: number): string => String(n).padStart(2, '0')
  const hours = Math.floor(seconds / 3600)
  const rest = `${two(Math.floor((seconds % 3600) / 60))}:${two(seconds % 60)}`
  return hours > 0 ? `${hours}:${rest}` : rest
}

/** A token count, short: `950`, `12.3k`, `1.20M`. */
export function formatTokens(tokens: number): string {
  if (tokens < 1000) return String(Math.round(tokens))
  if (tokens < 1_000_000) return `${(tokens / 1000).toFixed(1)}k`
  return `${(tokens / 1_000_000).toFixed(2)}M`
}

/** Money in US dollars: four decimals below a dollar, where model costs live, two above. */
export function formatCost(usd: number): string {
  return usd < 1 ? `$${usd.toFixed(4)}` : `$${usd.toFixed(2)}`
}

// C0 and C1 control characters, escape sequences included, and the bidirectional overrides.
// eslint-disable-next-line no-control-regex
const UNSAFE = /\u001b\[[0-?]*[ -/]*[@-~]|[\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/g

/**
 * Text from issues and the model made safe to print on a terminal: no escape sequences that could move
 * the cursor or retitle the window, no line breaks that would break a row.
 */
export function safeText(text: string): string {
  return text.replace(UNSAFE, (match) => (match === '\n' || match === '\t' ? ' ' : ''))
}

/** How many terminal columns a character takes: two for wide East Asian text and emoji, none for marks. */
export function charWidth(char: string): number {
  const code = char.codePointAt(0) ?? 0
  if (code === 0x200d || (code >= 0x300 && code <= 0x36f) || (code >= 0xfe00 && code <= 0xfe0f)) return 0
  const wide =
    (code >= 0x1100 && code <= 0x115f) ||
    (code >= 0x2e80 && code <= 0xa4cf) ||
    (code >= 0xac00 && code <= 0xd7a3) ||
    (code >= 0xf900 && code <= 0xfaff) ||
    (code >= 0xfe30 && code <= 0xfe4f) ||
    (code >= 0xff00 && code <= 0xff60) ||
    (code >= 0xffe0 && code <= 0xffe6) ||
    (code >= 0x1f300 && code <= 0x1faff) ||
    (code >= 0x20000 && code <= 0x3fffd)
  return wide ? 2 : 1
}

/** How many terminal columns `text` takes. */
export function displayWidth(text: string): number {
  let width = 0
  for (const char of text) width += charWidth(char)
  return width
}

/**
 * Cuts `text` to `width` terminal columns, ending with `…` when cut. Counting columns, not characters,
 * keeps a line with emoji or CJK from wrapping, which would throw the in-place redraw off by a line.
 */
export function fit(text: string, width: number): string {
  if (width <= 0) return ''
  if (displayWidth(text) <= width) return text
  let kept = ''
  let used = 0
  for (const char of text) {
    const w = charWidth(char)
    if (used + w > width - 1) break
    kept += char
    used += w
  }
  return `${kept}…`
}

/** Pads or cuts `text` to exactly `width` terminal columns. */
export function column(text: string, width: number): string {
  const cut = fit(text, width)
  return cut + ' '.repeat(Math.max(0, width - displayWidth(cut)))
}
