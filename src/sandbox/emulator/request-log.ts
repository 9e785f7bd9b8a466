/** The emulator's request log: one JSON line per answered request, and counters per route. */
import { createWriteStream, type WriteStream } from 'node:fs'

/** One answered request. */
export interface RequestLogEntry {
  time: string
  requestId: string
  actor: string | null
  method: string
  /** The OpenAPI path template, or the raw path when no template matched. */
  route: string
  status: number
  ms: number
  fault?: string
  /** A GraphQL request that held a mutation (GitHub counts it as content-creating). */
  mutation?: true
  /** What a GraphQL request cost against GraphQL's primary budget, in points. */
  points?: number
}

/** Counters of one route (`METHOD template`). */
export interface RouteStats {
  count: number
  statuses: Record<string, number>
  totalMs: number
}

/** Records requests and counts them. */
export interface RequestLog {
  record(entry: RequestLogEntry): void
  entries(): RequestLogEntry[]
  stats(): Record<string, RouteStats>
  /** Flushes and closes the log file, if any. */
  close(): Promise<void>
}

/** Creates a log, appending JSON lines to `file` when one is given. */
export function createRequestLog(file?: string): RequestLog {
  const entries: RequestLogEntry[] = []
  const stats: Record<string, RouteStats> = {}
  const stream: WriteStream | undefined = file ? createWriteStream(file, { flags: 'a' }) : undefined
  return {
    record(entry) {
      entries.push(entry)
      const key = `${entry.method} ${entry.route}`
      const counter = (stats[key] ??= { count: 0, statuses: {}, totalMs: 0 })
      counter.count += 1
      counter.statuses[entry.status] = (counter.statuses[entry.status] ?? 0) + 1
      counter.totalMs += entry.ms
      stream?.write(`${JSON.stringify(entry)}\n`)
    },
    entries: () => [...entries],
    stats: () => structuredClone(stats),
    close: () =>
      new Promise<void>((resolve, reject) => {
        if (!stream) return resolve()
        stream.end((error?: Error | null) => (error ? reject(error) : resolve()))
      }),
  }
}
