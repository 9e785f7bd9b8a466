/** The structured logger the model layer writes to: the subset of pino's interface it uses. */

/** A pino-style logger: a fields object first, then the message. */
export interface Logger {
  debug(fields: Record<string, unknown>, message: string): void
  info(fields: Record<string, unknown>, message: string): void
  warn(fields: Record<string, unknown>, message: string): void
}

/** A logger that drops everything, for callers that have none. */
export const silentLogger: Logger = Object.freeze({
  debug: () => {},
  info: () => {},
  warn: () => {},
})
