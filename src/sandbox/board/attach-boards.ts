/**
 * Wires the live boards to a feed for `gastown sandbox`: the terminal board on stdout, the web board on
 * a local port, or both; `close` stops them (and leaves the feed to its owner).
 */
import type { BoardFeed } from './board-feed.js'
import { startTerminalBoard, type TerminalOut } from './terminal-board.js'
import { startWebBoard, type BoardLogger } from './web-board.js'

/** Options of `attachBoards`. */
export interface AttachBoardsOptions {
  feed: BoardFeed
  /** Draw the terminal board. */
  terminal: boolean
  /** Serve the web board. */
  web: boolean
  /** Where the terminal board writes; process.stdout when absent. */
  out?: TerminalOut
  /** Port of the web board; a free one when absent. */
  port?: number
  logger?: BoardLogger
}

/** The attached boards. */
export interface AttachedBoards {
  /** The web board's address, when it is served. */
  url: string | undefined
  /** Draws the terminal board's last frame, closes the web board's sockets and server. */
  close(): Promise<void>
}

/** Starts the boards asked for. */
export async function attachBoards(options: AttachBoardsOptions): Promise<AttachedBoards> {
  const web = options.web
    ? await startWebBoard({
        feed: options.feed,
        ...(options.port !== undefined ? { port: options.port } : {}),
        ...(options.logger ? { logger: options.logger } : {}),
      })
    : undefined
  const terminal = options.terminal
    ? startTerminalBoard({ feed: options.feed, out: options.out ?? process.stdout })
    : undefined
  return {
    url: web?.url,
    async close() {
      terminal?.close()
      await web?.close()
    },
  }
}
