/** The `gastown` command's entry: real process, real signals; everything else is run-cli.ts. */
import { attachTownBoards } from '../sandbox/board/attach-boards.js'
import { runCli } from './run-cli.js'

const code = await runCli(process.argv.slice(2), {
  env: process.env,
  cwd: process.cwd(),
  stdout: (text) => void process.stdout.write(text),
  stderr: (text) => void process.stderr.write(text),
  // The live boards: in place on a terminal, one line per change otherwise; with --json, stdout is the summary's.
  attachBoard: (town, { json }) =>
    attachTownBoards(town.events, { terminal: true, web: true, out: json ? process.stderr : process.stdout }),
  onSignal: (handler) => {
    const listener = (signal: NodeJS.Signals) => handler(signal)
    process.on('SIGINT', listener)
    process.on('SIGTERM', listener)
    return () => {
      process.off('SIGINT', listener)
      process.off('SIGTERM', listener)
    }
  },
})
// Exit now: a socket or timer someone left behind must not keep a stopped town's process alive.
process.exit(code)
