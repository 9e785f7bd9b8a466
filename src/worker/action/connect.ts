/**
 * Builds the worker's dependencies from the inputs and the runner's context: the GitHub client at
 * GITHUB_API_URL, the git remote at GITHUB_SERVER_URL, the logger, the clock, and the model factory.
 * The token and key are masked in the log before anything else is written.
 */
import { tmpdir } from 'node:os'
import path from 'node:path'
import type { Config } from '../../core/config.js'
import { createGitHubClient, parseRepoName } from '../../github/client.js'
import type { ChatModel } from '../../llm/chat-model.js'
import { createChatModel, ModelSelectionError } from '../../llm/create-chat-model.js'
import { createActionLogger, type ActionLogger } from './action-logger.js'
import type { WorkerDeps } from './bead-run.js'
import type { ActionInputs, RunnerContext } from './inputs.js'
import { addMask, appendJobSummary, type RunnerIo } from './runner-io.js'

/** The run's page on GitHub. */
export function runUrl(
  context: Pick<RunnerContext, 'GITHUB_SERVER_URL' | 'GITHUB_REPOSITORY' | 'GITHUB_RUN_ID'>,
): string {
  return `${context.GITHUB_SERVER_URL.replace(/\/+$/, '')}/${context.GITHUB_REPOSITORY}/actions/runs/${context.GITHUB_RUN_ID}`
}

/** Masks the secrets and builds the logger; the first thing a run does. */
export function startLogging(
  io: RunnerIo,
  secrets: readonly string[],
  now: () => number,
  debug: boolean,
): ActionLogger {
  for (const secret of secrets) addMask(io, secret)
  return createActionLogger({ writeLine: io.writeLine, now, secrets, debug })
}

/** Model settings from the inputs, falling back to the trusted config. */
export function modelFactory(
  inputs: ActionInputs,
  env: Readonly<Record<string, string | undefined>>,
  logger: ActionLogger,
  cwd: string,
): (config: Config) => Promise<ChatModel> {
  return (config) =>
    chooseModel({
      // The scenario and key come from inputs only: a variable left in the job's env must not choose.
      env: { PATH: env['PATH'] },
      logger,
      cwd,
      config: {
        model: inputs.model || config.model.name,
        ...(inputs['base-url'] !== ''
          ? { baseUrl: inputs['base-url'] }
          : config.model.base_url
            ? { baseUrl: config.model.base_url }
            : {}),
        ...(inputs['api-key'] !== '' ? { apiKey: inputs['api-key'] } : {}),
        apiKeyEnv: 'api-key input',
        ...(inputs.scenario !== '' ? { scenario: inputs.scenario } : {}),
        timeoutMs: config.model.timeout_seconds * 1000,
        maxRetries: config.model.max_retries,
        prices: config.model.prices,
      },
    })
}

/** createChatModel, with its errors told in the action's terms: inputs, not variables. */
async function chooseModel(input: Parameters<typeof createChatModel>[0]): Promise<ChatModel> {
  try {
    return await createChatModel(input)
  } catch (error) {
    if (!(error instanceof ModelSelectionError)) throw error
    const model = input.config?.model ?? 'the model'
    throw new ModelSelectionError(
      input.config?.apiKey === undefined && input.config?.scenario === undefined
        ? `No API key for ${model}: set the \`api-key\` input of the worker step (e.g. api-key: \${{ secrets.OPENAI_API_KEY }}). ` +
            'To run without a model, set the `scenario` input to a scenario file; that replays a scripted test double.'
        : error.message,
      { cause: error },
    )
  }
}

/** The dependencies of a run in GitHub Actions. */
export function connect(
  inputs: ActionInputs,
  context: RunnerContext,
  io: RunnerIo,
  logger: ActionLogger,
  now: () => number = Date.now,
): WorkerDeps {
  const token = inputs['github-token']
  const secrets = [token, inputs['api-key']].filter((secret) => secret !== '')
  const repo = parseRepoName(context.GITHUB_REPOSITORY)
  const api = createGitHubClient({
    token,
    baseUrl: context.GITHUB_API_URL.replace(/\/+$/, ''),
    userAgent: 'gastown-worker',
    ...(inputs['write-spacing-ms'] !== undefined ? { writeSpacingMs: inputs['write-spacing-ms'] } : {}),
    log: { warn: (message) => logger.warn({}, message) },
  })
  return {
    api,
    repo,
    remote: { url: `${context.GITHUB_SERVER_URL.replace(/\/+$/, '')}/${repo.owner}/${repo.repo}.git`, token },
    workspace: context.GITHUB_WORKSPACE,
    tmpRoot: path.join(context.RUNNER_TEMP ?? tmpdir(), 'gastown'),
    ...(context.RUNNER_TEMP === undefined ? {} : { runnerTemp: context.RUNNER_TEMP }),
    runId: context.GITHUB_RUN_ID,
    ...(context.GITHUB_REF !== undefined && context.GITHUB_SHA !== undefined
      ? { dispatchedAt: { ref: context.GITHUB_REF, sha: context.GITHUB_SHA } }
      : {}),
    dispatcher: context.GITHUB_ACTOR,
    runUrl: runUrl(context),
    clock: { now },
    logger,
    secrets,
    createModel: modelFactory(inputs, io.env, logger, context.GITHUB_WORKSPACE),
    agentEnv: io.env as NodeJS.ProcessEnv,
    writeSummary: async (markdown) => {
      await appendJobSummary(io, markdown)
    },
  }
}
