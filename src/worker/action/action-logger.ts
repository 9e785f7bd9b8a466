/**
 * The worker's structured logger: one JSON object per line (pino's shape: level, time, msg, fields),
 * with the known secrets redacted before a line is written, in case a field ever carries one.
 */
import { redactSecrets } from '../../core/sanitize.js'
import type { Logger } from '../../llm/logger.js'

/** The pino-style logger the worker passes around; `child` adds fields to every line. */
export interface ActionLogger extends Logger {
  error(fields: Record<string, unknown>, message: string): void
  child(fields: Record<string, unknown>): ActionLogger
}

/** What the logger needs: where lines go, the clock, and the secrets to keep out. */
export interface ActionLoggerOptions {
  writeLine(line: string): void
  now: () => number
  secrets: readonly string[]
  debug?: boolean
}

/** A logger writing JSON lines; `debug` lines only when asked for (RUNNER_DEBUG). */
export function createActionLogger(
  options: ActionLoggerOptions,
  bound: Record<string, unknown> = {},
): ActionLogger {
  const write = (level: string, fields: Record<string, unknown>, message: string): void => {
    const record = { level, time: options.now(), msg: message, ...bound, ...fields }
    let line: string
    try {
      line = JSON.stringify(record, (_key, value: unknown) =>
        value instanceof Error ? { name: value.name, message: value.message } : value,
      )
    } catch {
      line = JSON.stringify({ level, time: record.time, msg: message })
    }
    options.writeLine(redactSecrets(line, options.secrets))
  }
  return {
    debug: (fields, message) => {
      if (options.debug) write('debug', fields, message)
    },
    info: (fields, message) => write('info', fields, message),
    warn: (fields, message) => write('warn', fields, message),
    error: (fields, message) => write('error', fields, message),
    child: (fields) => createActionLogger(options, { ...bound, ...fields }),
  }
}
