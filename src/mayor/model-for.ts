/** The planner's model from the repository's config and the Mayor's environment. */
import type { Config } from '../core/config.js'
import type { ChatModel } from '../llm/chat-model.js'
import { createChatModel } from '../llm/create-chat-model.js'
import type { Logger } from '../llm/logger.js'

/**
 * A factory for the planner's model: the config's model and endpoint, the key from the variable the config
 * names (OPENAI_API_KEY by default); the scripted model only when GASTOWN_SCENARIO asks for it, announced.
 */
export function modelFromConfig(
  env: Readonly<Record<string, string | undefined>>,
  logger: Logger,
  scenarioDirs: string[] = [],
): (config: Config) => Promise<ChatModel> {
  return (config) =>
    createChatModel({
      env,
      logger,
      scenarioDirs,
      config: {
        model: env['GASTOWN_MODEL'] || config.model.name,
        ...(config.model.base_url ? { baseUrl: config.model.base_url } : {}),
        apiKeyEnv: config.model.api_key_env,
        timeoutMs: config.model.timeout_seconds * 1000,
        maxRetries: config.model.max_retries,
        prices: config.model.prices,
      },
    })
}
