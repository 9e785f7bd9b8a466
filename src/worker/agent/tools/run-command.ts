/** The run_command tool: a shell command in the workspace, with a scrubbed environment and a timeout. */
import { z } from 'zod'
import { findDeniedPattern } from '../command-policy.js'
import { runCommand } from '../run-command.js'
import { defineTool, fail } from './tool.js'

const OUTPUT_TAIL_CHARS = 2_000

/** Arguments of run_command. */
export const RunCommandArgsSchema = z.strictObject({
  command: z.string().min(1).describe('A bash command, run from the repository root'),
  timeout_seconds: z
    .number()
    .int()
    .min(1)
    .max(3_600)
    .optional()
    .describe('Stop the command after this many seconds'),
})

/** run_command: `bash -c` in the workspace; the answer has the exit code and the (capped) output. */
export const runCommandTool = defineTool({
  name: 'run_command',
  description:
    'Run a bash command from the repository root (build, test, lint, git status...). Stdin is closed, so interactive ' +
    'commands fail; anything left running in the background is stopped when the command ends. Long output keeps its start and end.',
  schema: RunCommandArgsSchema,
  async run(args, context) {
    const denied = findDeniedPattern(args.command, context.commandDeny)
    if (denied !== undefined) {
      return fail(
        `the command policy refuses this command (it matches ${denied}); do it another way or leave it to a person`,
      )
    }
    const timeoutMs = Math.min(context.commandTimeoutMs(), (args.timeout_seconds ?? Infinity) * 1000)
    const started = context.now()
    const result = await runCommand({
      command: args.command,
      cwd: context.workspace,
      env: context.commandEnv,
      isolation: context.commandIsolation ?? null,
      timeoutMs,
      maxOutputBytes: context.maxCommandOutputBytes,
      ...(context.signal === undefined ? {} : { signal: context.signal }),
    })
    const ms = Math.max(0, context.now() - started)
    const status = result.timedOut
      ? `timed out after ${Math.round(timeoutMs / 1000)} s and was stopped (${result.signal ?? `exit code ${result.exitCode}`})`
      : result.signal !== null
        ? `killed by ${result.signal}`
        : `exit code ${result.exitCode}`
    const output = result.output.length === 0 ? '(no output)' : result.output
    return {
      ok: !result.timedOut && result.exitCode === 0,
      output: `${status}\n${output}`,
      summary: status,
      effect: {
        kind: 'command',
        record: {
          command: args.command,
          exitCode: result.exitCode,
          signal: result.signal,
          timedOut: result.timedOut,
          ms,
          outputTail: result.output.slice(-OUTPUT_TAIL_CHARS),
        },
      },
    }
  },
})
