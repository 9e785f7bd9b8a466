/** The `gastown` command's entry: real process, real signals; everything else is run-cli.ts. */
import { runCli } from './run-cli.js'

const code = await runCli(process.argv.slice(2), {
  env: process.env,
  cwd: process.cwd(),
  stdout: (text) => void process.stdout.write(text),
  stderr: (text) => void process.stderr.write(text),
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
