/**
 * Text from outside (bead titles, reasons, model words, logins) made inert before it is echoed into a
 * comment the town writes on GitHub: no HTML, so no hidden comment and so no marker or record a reader
 * would take for the Mayor's own; no @mention that pings someone; and, in a table, no cell boundary.
 * The one home of markdown escaping (issue #18 found five copies of table-cell escaping).
 */

import { neutralizeMentions } from './sanitize.js'

/**
 * Untrusted text as inert markdown: `&`, `<` and `>` as entities (so `<!-- ... -->` stays visible
 * text), and @mentions in backticks (sanitize.ts's `neutralizeMentions`) so they do not ping. With
 * `multiline`, line breaks are kept; otherwise they are joined into one line, for a list item or a cell.
 */
export function inertText(text: string, options: { multiline?: boolean } = {}): string {
  const lines = options.multiline ? text : text.replace(/\s*[\r\n]+\s*/g, ' ').trim()
  return neutralizeMentions(lines.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;'))
}

/**
 * Text for one cell of a GitHub markdown table: one line, pipes escaped. Untrusted text (the default) is
 * made inert first; `trusted` text (the project's own, e.g. generated docs with code spans, where entities
 * would show literally) only has its pipes and line breaks handled.
 */
export function tableCell(text: string, options: { trusted?: boolean } = {}): string {
  const line = options.trusted ? text.replace(/\s*[\r\n]+\s*/g, ' ').trim() : inertText(text)
  return line.replace(/\|/g, '\\|')
}
