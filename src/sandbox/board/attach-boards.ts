/**
 * Wires the live boards to a feed for `gastown sandbox`: the terminal board on stdout, the web board on
 * a local port, or both; `close` stops them (and leaves the feed to its owner).
 */
import type { TownEvents } from '../town-events.js'
import type { BoardFeed } from './board-feed.js'
import { feedFromTownEvents } from './feed-from-town-events.js'
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
  /** Draws the terminal board's last frame and stops drawing; the web board stays up. */
  closeTerminal(): void
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
    ? startTerminalBoard({
        feed: options.feed,
        out: options.out ?? process.stdout,
        ...(web ? { webUrl: web.url } : {}),
      })
    : undefined
  let terminalOpen = terminal !== undefined
  const closeTerminal = (): void => {
    if (terminalOpen) terminal?.close()
    terminalOpen = false
  }
  return {
    url: web?.url,
    closeTerminal,
    async close() {
      closeTerminal()
      await web?.close()
    },
  }
}

/** Boards attached at once, for a caller that cannot wait: `ready` resolves once the web board listens. */
export interface PendingBoards {
  /** The attached boards, with the web board's address; rejects when the web board cannot listen. */
  ready: Promise<AttachedBoards>
  /** Stops the terminal board and keeps the web board up (for `--keep`); answers its address. */
  keep(): Promise<string | undefined>
  /** Closes the boards once they are up, then the feed. */
  close(): Promise<void>
}

/**
 * The boards for the sandbox town's event stream (town-events.ts), attached without awaiting, for a
 * synchronous hook such as the sandbox command's `attachBoard`. The feed is made here and closed by `close`.
 */
export function attachTownBoards(
  events: TownEvents,
  options: Omit<AttachBoardsOptions, 'feed'> & { clock?: () => number },
): PendingBoards {
  const feed = feedFromTownEvents(events, options.clock ? { clock: options.clock } : {})
  const { clock: _clock, ...rest } = options
  const ready = attachBoards({ ...rest, feed })
  // A failure to listen is the caller's to report through `ready`; `close` must still work.
  ready.catch(() => undefined)
  return {
    ready,
    async keep() {
      try {
        const boards = await ready
        boards.closeTerminal()
        return boards.url
      } catch {
        return undefined
      }
    },
    async close() {
      try {
        await (await ready).close()
      } catch {
        // The boards never came up: nothing of theirs to close.
      } finally {
        feed.close()
      }
    },
  }
}
