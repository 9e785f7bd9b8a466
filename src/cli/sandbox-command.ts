/**
 * `gastown sandbox`: starts the town, prints its events (or hands them to a live board), writes the
 * report, and tears everything down on the end, on an error, or on Ctrl-C.
 */
import path from 'node:path'
import { formatEvent, summaryLines } from '../sandbox/plain-lines.js'
import { writeReport } from '../sandbox/report/write-report.js'
import { TownEvents, type TownSummary } from '../sandbox/town-events.js'
import { startTown, type Town } from '../sandbox/town.js'
import { parseSandboxArgs, SANDBOX_USAGE, UsageError, type SandboxArgs } from './sandbox-args.js'

/** A live board that follows the town (the terminal or web board); it must not write to stdout under --json. */
export interface BoardHandle {
  /** Under `--keep`: stops drawing in the terminal, keeps the web board up, answers its address. */
  keep?(): Promise<string | undefined>
  close(): Promise<void> | void
}

/** What the command uses from outside, so tests and boards can stand in. */
export interface SandboxCommandDeps {
  env: Readonly<Record<string, string | undefined>>
  cwd: string
  stdout: (text: string) => void
  stderr: (text: string) => void
  /** Registers a handler for SIGINT and SIGTERM; answers a function that removes it. */
  onSignal: (handler: (signal: string) => void) => () => void
  /**
   * Attaches a live board to the town's events; when absent (or it answers null), one plain line per
   * event is printed instead. `json` says stdout is reserved for the summary.
   */
  attachBoard?: (town: Town, options: { json: boolean; args: SandboxArgs }) => BoardHandle | null
}

/** Exit codes: 0 done, 1 the town did not finish, 2 a usage error, 130 interrupted. */
export const EXIT = { done: 0, unfinished: 1, usage: 2, interrupted: 130 } as const

/** Runs `gastown sandbox` with the arguments after the command name; answers the exit code. */
export async function sandboxCommand(argv: readonly string[], deps: SandboxCommandDeps): Promise<number> {
  let args: SandboxArgs
  try {
    args = parseSandboxArgs(argv)
  } catch (error) {
    if (!(error instanceof UsageError)) throw error
    deps.stderr(`${error.message}\n`)
    return EXIT.usage
  }
  if (args.help) {
    deps.stdout(`${SANDBOX_USAGE}\n`)
    return EXIT.done
  }
  // Progress goes to stderr under --json, so stdout holds the summary alone.
  const say = args.json ? deps.stderr : deps.stdout
  const events = new TownEvents((error) => deps.stderr(`a board failed: ${(error as Error).message}\n`))
  const start = Date.now()
  let plain: (() => void) | undefined
  const printPlain = () => {
    plain ??= events.onAny((event) => {
      if (event.type === 'finished') return
      const line = formatEvent(event, start)
      if (line !== null) say(`${line}\n`)
    })
  }
  // Lines until a board takes over, so nothing said during start-up is lost.
  printPlain()

  let interrupted = false
  let town: Town | undefined
  let signals = 0
  let wake: () => void = () => undefined
  const removeSignals = deps.onSignal((signal) => {
    signals += 1
    interrupted = true
    if (signals > 1) {
      deps.stderr(`${signal} again: stopping now\n`)
    } else {
      deps.stderr(`${signal}: stopping the town (runner children, servers, temporary files)...\n`)
    }
    town?.stop('interrupted')
    wake()
  })

  let board: BoardHandle | null = null
  try {
    town = await startTown({
      ...(args.goal === undefined ? {} : { goal: args.goal }),
      workers: args.workers,
      ...(args.scenario === undefined ? {} : { scenario: args.scenario }),
      merge: args.merge,
      ...(args.port === undefined ? {} : { port: args.port }),
      env: deps.env,
      events,
      seed: args.seed,
      refuseUnshare: args.hostedRunner,
      timeoutMs: args.timeoutMinutes * 60_000,
      cwd: deps.cwd,
    })
    if (interrupted) town.stop('interrupted')
    board = deps.attachBoard?.(town, { json: args.json, args }) ?? null
    if (board !== null) {
      plain?.()
      plain = undefined
    }

    const summary: TownSummary = await town.finished
    const keeping = args.keep && !interrupted
    // Under --keep the web board stays up with the town's last state, beside the emulator's pages.
    const boardUrl = keeping ? await board?.keep?.() : undefined
    if (boardUrl === undefined) {
      await board?.close()
      board = null
    }
    const reportDir = path.resolve(deps.cwd, args.reportDir)
    const written = await writeReport(summary, reportDir)
    summary.reportDir = reportDir
    for (const line of summaryLines(summary)) say(`${line}\n`)
    say(`report: ${written.map((file) => path.relative(deps.cwd, file) || file).join(', ')}\n`)
    if (args.json) deps.stdout(`${JSON.stringify(summary, null, 2)}\n`)

    if (keeping) {
      const { emulator, maintainer, started } = town
      say(
        [
          'The emulator stays up (--keep); Ctrl-C ends it.',
          ...(boardUrl === undefined ? [] : [`  board:      ${boardUrl}`]),
          `  web:        ${started.urls.repository}  (issues, pull requests, reviews and diffs)`,
          `  REST API:   ${emulator.apiUrl}`,
          `  GraphQL:    ${emulator.graphqlUrl}`,
          `  clone:      git clone ${emulator.gitUrl.replace('://', `://x-access-token:${maintainer.token}@`)}/${started.repo}.git`,
          `  maintainer: ${maintainer.login}, token ${maintainer.token}`,
          `  try:        curl -H "authorization: token ${maintainer.token}" ${emulator.apiUrl}/repos/${started.repo}/pulls?state=all`,
          '',
        ].join('\n'),
      )
      await new Promise<void>((resolve) => (wake = resolve))
    }
    if (interrupted) return EXIT.interrupted
    return summary.ok ? EXIT.done : EXIT.unfinished
  } catch (error) {
    deps.stderr(`gastown sandbox failed: ${(error as Error).message}\n`)
    return interrupted ? EXIT.interrupted : EXIT.unfinished
  } finally {
    await board?.close()
    plain?.()
    await town?.close()
    removeSignals()
  }
}
