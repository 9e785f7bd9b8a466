/** The `gastown` command: picks the subcommand and hands it the rest of the arguments. */
import { sandboxCommand, type SandboxCommandDeps } from './sandbox-command.js'

/** The usage text of `gastown`. */
export const USAGE = `Usage: gastown <command> [options]

Commands:
  sandbox [goal]   run the whole town offline: GitHub emulator, Mayor and workers (see gastown sandbox --help)
  help             this text`

/** Runs the command line; answers the exit code. */
export async function runCli(argv: readonly string[], deps: SandboxCommandDeps): Promise<number> {
  const [command, ...rest] = argv
  switch (command) {
    case 'sandbox':
      return sandboxCommand(rest, deps)
    case undefined:
    case 'help':
    case '--help':
    case '-h':
      deps.stdout(`${USAGE}\n`)
      return command === undefined ? 2 : 0
    default:
      deps.stderr(`gastown: unknown command "${command}".\n\n${USAGE}\n`)
      return 2
  }
}
