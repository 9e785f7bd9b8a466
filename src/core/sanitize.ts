/**
 * The trust boundary for text: what goes from issues and PRs into a prompt, and what goes from the
 * model to GitHub, passes through here (DESIGN.md, "Trust boundaries").
 */

/** Options for text on its way into a prompt. */
export interface PromptTextOptions {
  /** Longest text kept; the rest is cut with a note saying how much. */
  maxChars: number
  /** Secret values to redact, should a person have pasted one into an issue. */
  secrets?: readonly string[]
}

/** Options for text on its way to GitHub. */
export interface GitHubTextOptions {
  maxChars: number
  /** Secret values known to the caller (tokens, keys) to redact wherever they appear. */
  secrets?: readonly string[]
}

/** What replaces a redacted secret. */
export const REDACTED = '[REDACTED]'

// Zero-width and joiner characters, bidi embeddings, overrides and isolates, the word joiner family,
// the byte-order mark, soft hyphen, Mongolian vowel separator, Unicode tag characters and the
// variation selectors supplement (both used to hide ASCII from readers), and C0/C1 controls other
// than tab, newline and carriage return.
/* eslint-disable no-control-regex -- control characters are exactly what this removes */
const INVISIBLE =
  /[\u00AD\u180E\u200B-\u200F\u202A-\u202E\u2060-\u2064\u2066-\u206F\uFEFF\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F]|\uDB40[\uDC00-\uDC7F\uDD00-\uDDEF]/g
/* eslint-enable no-control-regex */
// One variation selector styles an emoji; a run of them after one character is data in disguise.
const SELECTOR_RUN = /([\uFE00-\uFE0F])[\uFE00-\uFE0F]+/g

/** Removes characters a person cannot see but a model reads: zero-width, bidi controls, tag characters. */
export function stripInvisible(text: string): string {
  return text.replace(INVISIBLE, '').replace(SELECTOR_RUN, '$1')
}

/**
 * Removes HTML comments, including an unterminated one that runs to the end. Repeats until none is
 * left, because removing one comment can join the halves of another (`<!<!-- -->-- x -->`).
 */
export function stripHtmlComments(text: string): string {
  let current = text
  for (;;) {
    const next = current.replace(/<!--[\s\S]*?(?:--!?>|$)/g, '')
    if (next === current) return next
    current = next
  }
}

/** Cuts a text to `maxChars` characters with a note of how many were cut, never inside a surrogate pair. */
export function capLength(text: string, maxChars: number): string {
  if (text.length <= maxChars) return text
  let end = Math.max(0, maxChars)
  const last = text.charCodeAt(end - 1)
  if (end > 0 && last >= 0xd800 && last <= 0xdbff) end -= 1
  return `${text.slice(0, end)}\n[truncated ${text.length - end} chars]`
}

// Shapes of credentials that must never reach GitHub, whoever wrote them.
const SECRET_PATTERNS: ReadonlyArray<[RegExp, string]> = [
  [/-----BEGIN [A-Z ]*PRIVATE KEY-----[\s\S]*?(?:-----END [A-Z ]*PRIVATE KEY-----|$)/g, REDACTED],
  [/\bgh[pousr]_[A-Za-z0-9]{20,255}\b/g, REDACTED],
  [/\bgithub_pat_[A-Za-z0-9_]{20,255}\b/g, REDACTED],
  [/\bsk-[A-Za-z0-9_-]{16,}/g, REDACTED],
  [/\b(?:AKIA|ASIA|AGPA|AIDA|AROA|ANPA)[0-9A-Z]{16}\b/g, REDACTED],
  [
    /\b(aws_secret_access_key|aws_session_token)(["']?\s*[:=]\s*["']?)[A-Za-z0-9/+=]{16,}/gi,
    `$1$2${REDACTED}`,
  ],
  [/\b(Bearer)(\s+)[A-Za-z0-9._~+/=-]{12,}/gi, `$1$2${REDACTED}`],
  [/\b(Authorization:\s*(?:token|Basic)\s+)[A-Za-z0-9._~+/=-]{8,}/gi, `$1${REDACTED}`],
  [/\b(x-access-token|oauth2):[^@\s]+@/g, `$1:${REDACTED}@`],
]

// A value this short would redact ordinary words; such a "secret" is not one worth hunting.
const MIN_SECRET_LENGTH = 6

/** Replaces the given secret values and anything shaped like a token or key with `[REDACTED]`. */
export function redactSecrets(text: string, secrets: readonly string[] = []): string {
  let result = text
  const known = [...new Set(secrets.filter((secret) => secret.length >= MIN_SECRET_LENGTH))]
  // Longest first, so a secret that contains another is removed whole.
  for (const secret of known.sort((a, b) => b.length - a.length)) result = result.split(secret).join(REDACTED)
  for (const [pattern, replacement] of SECRET_PATTERNS) result = result.replace(pattern, replacement)
  return result
}

const MENTION = /(^|[^A-Za-z0-9_/@.+-])@([A-Za-z0-9](?:[A-Za-z0-9_./@-]*[A-Za-z0-9_/@-])?)/g
const CODE_SPAN = /(`+)[\s\S]*?\1/g

/**
 * Wraps `@user` and `@org/team` (with anything glued to them, such as `@a@b`) in backticks so they show but do not notify anyone. Code blocks and
 * code spans are left alone: GitHub does not notify from them.
 */
export function neutralizeMentions(text: string): string {
  const lines = text.split('\n')
  let fence: string | undefined
  return lines
    .map((line) => {
      const opener = /^ {0,3}(`{3,}|~{3,})/.exec(line)?.[1]
      if (fence !== undefined) {
        if (opener !== undefined && opener[0] === fence[0] && opener.length >= fence.length) fence = undefined
        return line
      }
      if (opener !== undefined) {
        fence = opener
        return line
      }
      return outsideCodeSpans(line, (part) =>
        part.replace(MENTION, (_, before: string, name: string) => `${before}\`@${name}\``),
      )
    })
    .join('\n')
}

function outsideCodeSpans(line: string, change: (part: string) => string): string {
  let result = ''
  let last = 0
  for (const span of line.matchAll(CODE_SPAN)) {
    result += change(line.slice(last, span.index)) + span[0]
    last = span.index + span[0].length
  }
  return result + change(line.slice(last))
}

// GitHub closes an issue when a PR description or a commit that reaches the default branch says
// KEYWORD #n, KEYWORD owner/repo#n or KEYWORD <issue URL>, with an optional colon, in any case:
// https://docs.github.com/en/issues/tracking-your-work-with-issues/using-issues/linking-a-pull-request-to-an-issue#linking-a-pull-request-to-an-issue-using-a-keyword
const CLOSING_KEYWORD =
  /\b(close[sd]?|fix(?:e[sd])?|resolve[sd]?)\b(\s*:?\s*)(?=(?:[\w.-]+\/[\w.-]+)?#\d|https?:\/\/[^\s/]+\/[^\s/]+\/[^\s/]+\/(?:issues|pull)\/\d)/gi

/**
 * Breaks every closing keyword followed by an issue reference (`fixes #3`, `Resolves: o/r#1`, `closed
 * https://github.com/o/r/issues/2`) by putting the word "issue" between them: the reference still
 * shows, and merging closes nothing. Works in plain text (commit messages) as in Markdown.
 */
export function neutralizeClosingKeywords(text: string): string {
  return text.replace(CLOSING_KEYWORD, (_, keyword: string, separator: string) => {
    const colon = separator.includes(':') ? ':' : ''
    return `${keyword}${colon} issue `
  })
}

/**
 * Text from issues and PRs made safe for a prompt: hidden characters and HTML comments (where
 * instructions hide from people) removed, known secrets redacted, length capped.
 */
export function sanitizeForPrompt(text: string, options: PromptTextOptions): string {
  const visible = stripHtmlComments(stripInvisible(text))
  const redacted = options.secrets ? redactSecrets(visible, options.secrets) : visible
  return capLength(redacted, options.maxChars)
}

/**
 * Model text made safe for GitHub: hidden characters and HTML comments removed (so it can never forge
 * a gastown marker), secrets redacted, mentions made silent, closing keywords broken (only the
 * worker's own `Closes #bead`, added outside this, may close an issue), length capped.
 */
export function sanitizeForGitHub(text: string, options: GitHubTextOptions): string {
  const visible = stripHtmlComments(stripInvisible(text))
  const silent = neutralizeClosingKeywords(neutralizeMentions(redactSecrets(visible, options.secrets)))
  return capLength(silent, options.maxChars)
}
