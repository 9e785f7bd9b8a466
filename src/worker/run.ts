/**
 * The action's runner: inputs in, outputs out, and the only place that fails the step (an `::error::`
 * annotation and exit code 1). Everything else is `connect` (dependencies) and `main` (the work).
 */
import { chmod, mkdir } from 'node:fs/promises'
import { redactSecrets } from '../core/sanitize.js'
import { connect, startLogging } from './action/connect.js'
import { probeCommandIsolation } from './agent/isolation-probe.js'
import { InputError, parseInputs } from './action/inputs.js'
import {
  errorAnnotation,
  getInput,
  setOutputs,
  warningAnnotation,
  type RunnerIo,
} from './action/runner-io.js'
import { main, type WorkerDeps, type WorkerOutcome } from './main.js'
import type { ActionInputs, RunnerContext } from './action/inputs.js'
import type { ActionLogger } from './action/action-logger.js'

/** What run() may be given instead of the real process: tests inject the exit and the deps. */
export interface RunOptions {
  env?: Readonly<Record<string, string | undefined>>
  writeLine?: (line: string) => void
  exit?: (code: number) => void
  now?: () => number
  /** Builds the dependencies; `connect` when absent. */
  connect?: (inputs: ActionInputs, context: RunnerContext, io: RunnerIo, logger: ActionLogger) => WorkerDeps
}

/** The outputs of action.yml for an outcome. */
export function outputsFor(outcome: WorkerOutcome): Record<string, string> {
  return {
    'pr-number': outcome.prNumber === undefined ? '' : String(outcome.prNumber),
    status: outcome.status,
    tokens: String(outcome.tokens),
    cost: outcome.costUsd.toFixed(6),
  }
}

/** The error's message, with its causes, for the annotation. */
export function explain(error: unknown): string {
  if (!(error instanceof Error)) return String(error)
  const cause =
    error.cause instanceof Error && !error.message.includes(error.cause.message)
      ? ` (${error.cause.message})`
      : ''
  return `${error.message}${cause}`
}

/**
 * The worker's temporary files (trusted clones) and the runner's temporary directory are for the
 * worker alone: the runner writes each `run:` step there as a script with its expressions expanded,
 * secrets included, readable by every user. Later steps run as the worker's user and still reach it.
 */
async function keepRunnerFilesPrivate(
  tmpRoot: string,
  runnerTemp: string | undefined,
): Promise<string | undefined> {
  await mkdir(tmpRoot, { recursive: true, mode: 0o700 })
  await chmod(tmpRoot, 0o700)
  if (runnerTemp === undefined || runnerTemp === '') return undefined
  try {
    await chmod(runnerTemp, 0o700)
    return undefined
  } catch (error) {
    return `could not make RUNNER_TEMP private (${(error as Error).message}): the agent's commands may read the runner's step scripts there`
  }
}

/** Runs the action; answers the exit code it ended with. */
export async function run(options: RunOptions = {}): Promise<number> {
  const env = options.env ?? process.env
  const io: RunnerIo = {
    env,
    writeLine: options.writeLine ?? ((line) => void process.stdout.write(`${line}\n`)),
  }
  const exit = options.exit ?? ((code: number) => process.exit(code))
  const now = options.now ?? Date.now
  // Masked before anything can print them, even when the other inputs are wrong.
  const secrets = [getInput(env, 'github-token'), getInput(env, 'api-key')].filter((secret) => secret !== '')
  const logger = startLogging(io, secrets, now, env['RUNNER_DEBUG'] === '1')
  let code = 0
  try {
    const { inputs, context } = parseInputs(env)
    const deps = (options.connect ?? connect)(inputs, context, io, logger)
    const exposed = await keepRunnerFilesPrivate(deps.tmpRoot, env['RUNNER_TEMP'])
    if (exposed !== undefined) {
      logger.warn({}, exposed)
      warningAnnotation(io, exposed)
    }
    if (deps.commandIsolation === undefined) {
      const probe = await probeCommandIsolation({ workspace: deps.workspace })
      deps.commandIsolation = probe.isolation
      deps.isolationTried = probe.tried
      if (probe.isolation === null)
        logger.warn({ tried: probe.tried }, "no way to isolate the agent's commands")
      else logger.info({ tried: probe.tried }, `the agent's commands run in ${probe.isolation.description}`)
    }
    const outcome = await main(inputs, deps).finally(() =>
      deps.commandIsolation
        ?.close()
        .catch((error: unknown) =>
          logger.warn({ error }, "could not remove the agent's private directories"),
        ),
    )
    await setOutputs(io, outputsFor(outcome))
    if (outcome.status === 'failed') {
      errorAnnotation(io, redactSecrets(`Bead #${inputs.bead} failed: ${outcome.message}`, secrets))
      code = 1
    }
  } catch (error) {
    logger.error({ error }, 'the worker could not run')
    const message =
      error instanceof InputError ? error.message : `The worker could not run: ${explain(error)}`
    errorAnnotation(io, redactSecrets(message, secrets))
    code = 1
  }
  exit(code)
  return code
}
