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

/** Cuts `text` to `width` characters, ending with `…` when cut. */
export function fit(text: string, width: number): string {
  if (width <= 0) return ''
  const chars = [...text]
  return chars.length <= width ? text : `${chars.slice(0, width - 1).join('')}…`
}

/** Pads or cuts `text` to exactly `width` characters. */
export function column(text: string, width: number): string {
  const cut = fit(text, width)
  return cut + ' '.repeat(Math.max(0, width - [...cut].length))
}
