/**
 * Choosing the chat model: a real one behind an OpenAI-compatible endpoint when a key is there, the
 * scripted test double only when a scenario is asked for by name or path. A real model asked for without
 * a key is an error naming the variable to set, never a silent switch to the scripted model.
 */
import { access } from 'node:fs/promises'
import path from 'node:path'
import type { ChatModel } from './chat-model.js'
import type { MaxTokensField } from './chat-completions-wire.js'
import type { Logger } from './logger.js'
import { OPENAI_DEFAULT_BASE_URL, OpenAICompatibleModel } from './openai-model.js'
import type { PriceTable } from './pricing.js'
import { loadScenario } from './scenario.js'
import { ScriptedModel } from './scripted-model.js'
import type { Sleep } from './sleep.js'

/** The environment variable naming a scenario, which asks for the scripted model. */
export const SCENARIO_ENV = 'GASTOWN_SCENARIO'
/** The environment variables naming the model, in order of preference. */
export const MODEL_ENVS = ['GASTOWN_MODEL', 'OPENAI_MODEL'] as const
/** The environment variable holding the API key, unless settings name another. */
export const DEFAULT_API_KEY_ENV = 'OPENAI_API_KEY'

/** Model settings from configuration; each falls back to its environment variable. */
export interface ModelSettings {
  /** Model name as the endpoint knows it; else GASTOWN_MODEL, else OPENAI_MODEL. */
  model?: string
  /** API root; else OPENAI_BASE_URL, else OpenAI's. */
  baseUrl?: string
  /** The key itself, e.g. from an action input; else read from `apiKeyEnv`. */
  apiKey?: string
  /** Which environment variable holds the key (e.g. OPENROUTER_API_KEY); default OPENAI_API_KEY. */
  apiKeyEnv?: string
  /** A scenario file path, or a name looked up in `scenarioDirs`; else GASTOWN_SCENARIO. Asks for the scripted model. */
  scenario?: string
  timeoutMs?: number
  maxRetries?: number
  prices?: PriceTable
  maxTokensField?: MaxTokensField
  defaultHeaders?: Record<string, string>
}

/** What createChatModel reads and uses. */
export interface CreateChatModelInput {
  env: Readonly<Record<string, string | undefined>>
  config?: ModelSettings
  /** Receives the announcement of a scripted model and which real model was chosen; never a key. */
  logger: Logger
  /** Folders where a bare scenario name is looked up as <name>.yaml or <name>.yml. */
  scenarioDirs?: string[]
  /** Resolves relative scenario paths; default the process's working directory. */
  cwd?: string
  sleep?: Sleep
  random?: () => number
  now?: () => number
}

/** A model could not be chosen; the message says what to set. */
export class ModelSelectionError extends Error {
  override readonly name = 'ModelSelectionError'
}

/** The chat model the settings and environment ask for. */
export async function createChatModel(input: CreateChatModelInput): Promise<ChatModel> {
  const { env, logger } = input
  const config = input.config ?? {}
  const apiKeyEnv = config.apiKeyEnv ?? DEFAULT_API_KEY_ENV
  const apiKey = nonEmpty(config.apiKey) ?? nonEmpty(env[apiKeyEnv])

  const scenario = nonEmpty(config.scenario) ?? nonEmpty(env[SCENARIO_ENV])
  if (scenario !== undefined) {
    const file = await resolveScenario(scenario, input.scenarioDirs ?? [], input.cwd ?? process.cwd())
    if (apiKey !== undefined) {
      logger.warn(
        { scenario, apiKeyEnv },
        `a scenario was asked for, so the scripted model is used and the key in ${apiKeyEnv} is not`,
      )
    }
    return new ScriptedModel(await loadScenario(file), {
      logger,
      ...(input.sleep === undefined ? {} : { sleep: input.sleep }),
    })
  }

  const model = nonEmpty(config.model) ?? MODEL_ENVS.map((name) => nonEmpty(env[name])).find(Boolean)
  const baseUrl = nonEmpty(config.baseUrl) ?? nonEmpty(env['OPENAI_BASE_URL']) ?? OPENAI_DEFAULT_BASE_URL
  if (apiKey === undefined) {
    throw new ModelSelectionError(
      `No API key for the model${model === undefined ? '' : ` "${model}"`} at ${baseUrl}: set ${apiKeyEnv}` +
        `${env[apiKeyEnv] === undefined ? '' : ' (it is set but empty)'}. ` +
        `To run without a model, ask for the scripted test double explicitly with ${SCENARIO_ENV}=<scenario file>.`,
    )
  }
  if (model === undefined) {
    throw new ModelSelectionError(
      `No model name for ${baseUrl}: set \`model\` in .github/gastown.yml or ${MODEL_ENVS.join(' or ')} ` +
        '(e.g. gpt-4o-mini on OpenAI, openai/gpt-4o-mini on OpenRouter, llama3.1 on Ollama).',
    )
  }
  const chosen = new OpenAICompatibleModel({
    apiKey,
    apiKeyEnv,
    model,
    baseUrl,
    logger,
    ...definedOnly({
      timeoutMs: config.timeoutMs,
      prices: config.prices,
      maxTokensField: config.maxTokensField,
      defaultHeaders: config.defaultHeaders,
      retry: config.maxRetries === undefined ? undefined : { maxRetries: config.maxRetries },
      sleep: input.sleep,
      random: input.random,
      now: input.now,
    }),
  })
  logger.info({ model, endpoint: chosen.endpoint, apiKeyEnv }, `model: ${model} at ${chosen.endpoint}`)
  return chosen
}

/** A scenario path as given, or a bare name found in one of `dirs`. */
async function resolveScenario(scenario: string, dirs: string[], cwd: string): Promise<string> {
  const looksLikePath = /[\\/]/.test(scenario) || /\.ya?ml$/i.test(scenario)
  if (looksLikePath) return path.resolve(cwd, scenario)
  const candidates = dirs.flatMap((dir) =>
    [`${scenario}.yaml`, `${scenario}.yml`].map((f) => path.join(dir, f)),
  )
  for (const candidate of candidates) {
    if (await exists(candidate)) return candidate
  }
  throw new ModelSelectionError(
    `No scenario named "${scenario}"` +
      (dirs.length > 0 ? ` in ${dirs.join(', ')}` : ' (no scenario folders given)') +
      `. Give a path to a scenario file in ${SCENARIO_ENV}, or one of the built-in names.`,
  )
}

async function exists(file: string): Promise<boolean> {
  try {
    await access(file)
    return true
  } catch {
    return false
  }
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value.trim() === '' ? undefined : value.trim()
}

function definedOnly<T extends Record<string, unknown>>(values: T): Partial<T> {
  return Object.fromEntries(Object.entries(values).filter(([, v]) => v !== undefined)) as Partial<T>
}
