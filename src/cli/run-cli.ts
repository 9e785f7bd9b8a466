/** The `gastown` command: picks the subcommand and hands it the rest of the arguments. */
import { runInit } from './init.js'
import { runPlan } from './plan.js'
import { sandboxCommand, type SandboxCommandDeps } from './sandbox-command.js'
import { runStatus } from './status.js'

/** The usage text of `gastown`. */
export const USAGE = `Usage: gastown <command> [options]

Commands:
  sandbox [goal]   run the whole town offline: GitHub emulator, Mayor and workers (see gastown sandbox --help)
  init             set Gas Town up in this repository: worker workflow, config, labels (gastown init --help)
  plan "goal"      plan a goal for this repository without creating anything: a dry run (gastown plan --help)
  status <goal>    a goal's state read from GitHub, e.g. gastown status octo/app#12 (gastown status --help)
  help             this text`

/** Runs the command line; answers the exit code. */
export async function runCli(argv: readonly string[], deps: SandboxCommandDeps): Promise<number> {
  const [command, ...rest] = argv
  switch (command) {
    case 'sandbox':
      return sandboxCommand(rest, deps)
    case 'init':
      return runInit(rest, deps)
    case 'plan':
      return runPlan(rest, deps)
    case 'status':
      return runStatus(rest, deps)
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
