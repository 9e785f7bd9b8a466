/** The flags of `gastown sandbox`, parsed and checked; every error names the flag and what it takes. */
import { parseArgs } from 'node:util'

/** What `gastown sandbox` was asked to do. */
export interface SandboxArgs {
  goal?: string
  workers: number
  scenario?: string
  reportDir: string
  json: boolean
  keep: boolean
  port?: number
  merge: 'auto' | 'manual'
  seed: number
  timeoutMinutes: number
  /** Play GitHub's ubuntu-24.04 runners: `unshare` refused, workers fall back to a separate user. */
  hostedRunner: boolean
  help: boolean
}

/** The usage text of `gastown sandbox`. */
export const SANDBOX_USAGE = `Usage: gastown sandbox [goal] [options]

Runs the whole town on this machine: a GitHub emulator with a sample repository (octo/todo-api), the
Mayor (the real Probot app), and workers (the real bundled action, started by the emulator's Actions
runner). Without OPENAI_API_KEY it replays a built-in scenario with the scripted model, a test double.

Options:
  --workers N          workers (runners and max_workers), default 3
  --scenario NAME      replay a scenario: todo-api, wide, deep, collide, or a path to a scenario file
  --merge auto|manual  auto (default): the Mayor merges reviewed PRs; manual: the sandbox's maintainer merges them, as a person would
  --report-dir DIR     where report.json, report.md and report.html go, default ./gastown-report
  --json               print the summary as JSON on stdout and nothing else (progress goes to stderr)
  --keep               leave the emulator up at the end and print its URLs and tokens (Ctrl-C ends)
  --port N             the emulator's port, default a free one
  --seed N             seeds the emulator and the Mayor's retry jitter, default 1
  --timeout-minutes N  stop after this long, default 30
  --hosted-runner      play GitHub's ubuntu-24.04 runners, where unshare is refused: workers isolate the
                       agent's commands with a separate user instead of a PID namespace
  -h, --help           this text

Environment: OPENAI_API_KEY (a real model), GASTOWN_MODEL or OPENAI_MODEL (its name, default
gpt-4o-mini), OPENAI_BASE_URL (any OpenAI-compatible endpoint).`

/** A command line that cannot be run; the message says which flag and what it takes. */
export class UsageError extends Error {
  override readonly name = 'UsageError'
}

function whole(flag: string, text: string | undefined, min: number, max: number): number | undefined {
  if (text === undefined) return undefined
  const value = Number(text)
  if (!/^\d+$/.test(text) || value < min || value > max) {
    throw new UsageError(`--${flag} takes a whole number from ${min} to ${max}, not "${text}".`)
  }
  return value
}

/** Parses the arguments after `gastown sandbox`. */
export function parseSandboxArgs(argv: readonly string[]): SandboxArgs {
  let parsed
  try {
    parsed = parseArgs({
      args: [...argv],
      allowPositionals: true,
      strict: true,
      options: {
        workers: { type: 'string' },
        scenario: { type: 'string' },
        'report-dir': { type: 'string' },
        json: { type: 'boolean', default: false },
        keep: { type: 'boolean', default: false },
        port: { type: 'string' },
        merge: { type: 'string' },
        seed: { type: 'string' },
        'timeout-minutes': { type: 'string' },
        'hosted-runner': { type: 'boolean', default: false },
        help: { type: 'boolean', short: 'h', default: false },
      },
    })
  } catch (error) {
    throw new UsageError(`${(error as Error).message}. Run \`gastown sandbox --help\` for the options.`, {
      cause: error,
    })
  }
  const { values, positionals } = parsed
  const merge = values.merge ?? 'auto'
  if (merge !== 'auto' && merge !== 'manual') {
    throw new UsageError(`--merge takes auto or manual, not "${merge}".`)
  }
  const goal = positionals.join(' ').trim()
  const port = whole('port', values.port, 1, 65_535)
  return {
    ...(goal === '' ? {} : { goal }),
    workers: whole('workers', values.workers, 1, 64) ?? 3,
    ...(values.scenario === undefined ? {} : { scenario: values.scenario }),
    reportDir: values['report-dir'] ?? 'gastown-report',
    json: values.json ?? false,
    keep: values.keep ?? false,
    ...(port === undefined ? {} : { port }),
    merge,
    seed: whole('seed', values.seed, 0, 2 ** 31 - 1) ?? 1,
    timeoutMinutes: whole('timeout-minutes', values['timeout-minutes'], 1, 24 * 60) ?? 30,
    hostedRunner: values['hosted-runner'] ?? false,
    help: values.help ?? false,
  }
}
