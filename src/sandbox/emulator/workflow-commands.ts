/**
 * GitHub's workflow commands as the runner reads them: `::name key=value::message` lines on a step's
 * output, and the environment files (GITHUB_OUTPUT, GITHUB_ENV, GITHUB_STATE) with their `name=value` and
 * `name<<DELIMITER` forms.
 */

/** One `::command::` line. */
export interface WorkflowCommand {
  command: string
  properties: Record<string, string>
  message: string
}

function unescapeData(text: string): string {
  return text.replace(/%0D/gi, '\r').replace(/%0A/gi, '\n').replace(/%25/g, '%')
}

function unescapeProperty(text: string): string {
  return unescapeData(text).replace(/%3A/gi, ':').replace(/%2C/gi, ',')
}

/** Reads a line as a workflow command, or answers null when it is ordinary output. */
export function parseWorkflowCommand(line: string): WorkflowCommand | null {
  const match = /^::([A-Za-z][A-Za-z0-9-]*)(?: ([^]*?))?::([^]*)$/.exec(line.trimStart())
  if (!match) return null
  const properties: Record<string, string> = {}
  for (const pair of (match[2] ?? '').split(',')) {
    const equals = pair.indexOf('=')
    if (equals <= 0) continue
    properties[pair.slice(0, equals).trim()] = unescapeProperty(pair.slice(equals + 1))
  }
  return { command: (match[1] ?? '').toLowerCase(), properties, message: unescapeData(match[3] ?? '') }
}

/** An environment file that breaks GitHub's format, with the line at fault. */
export class EnvironmentFileError extends Error {
  constructor(message: string) {
    super(message)
    this.name = 'EnvironmentFileError'
  }
}

/**
 * Parses an environment file (GITHUB_OUTPUT, GITHUB_ENV, GITHUB_STATE): `name=value` lines and
 * `name<<DELIMITER` blocks ending at a line holding only the delimiter. Later values win.
 */
export function parseEnvironmentFile(text: string, file = 'environment file'): Record<string, string> {
  const values: Record<string, string> = {}
  const lines = text.split(/\r?\n/)
  let index = 0
  while (index < lines.length) {
    const line = lines[index] ?? ''
    index += 1
    if (line === '') continue
    const heredoc = line.indexOf('<<')
    const equals = line.indexOf('=')
    if (heredoc > 0 && (equals < 0 || heredoc < equals)) {
      const name = line.slice(0, heredoc)
      const delimiter = line.slice(heredoc + 2)
      if (delimiter === '')
        throw new EnvironmentFileError(`${file}: line ${index} has "${name}<<" without a delimiter`)
      const body: string[] = []
      let closed = false
      while (index < lines.length) {
        const next = lines[index] ?? ''
        index += 1
        if (next === delimiter) {
          closed = true
          break
        }
        body.push(next)
      }
      if (!closed)
        throw new EnvironmentFileError(`${file}: matching delimiter not found '${delimiter}' for "${name}"`)
      values[name] = body.join('\n')
      continue
    }
    if (equals <= 0)
      throw new EnvironmentFileError(`${file}: line ${index} is neither "name=value" nor "name<<DELIMITER"`)
    values[line.slice(0, equals)] = line.slice(equals + 1)
  }
  return values
}

/** Replaces every masked value in a text with `***`, longest first so overlapping values stay hidden. */
export function maskText(text: string, masks: Iterable<string>): string {
  const sorted = [...new Set(masks)].filter((mask) => mask.length > 0).sort((a, b) => b.length - a.length)
  let out = text
  for (const mask of sorted) out = out.split(mask).join('***')
  return out
}
