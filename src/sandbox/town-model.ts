/**
 * Which model the sandbox town runs: a real one when a key is set and no scenario was asked for, else
 * the scripted test double replaying a scenario, always announced as such.
 */

/** The town's model choice. */
export type TownModelChoice =
  | { kind: 'real'; name: string; baseUrl?: string; apiKey: string; apiKeyEnv: string }
  | { kind: 'scripted'; scenario: string; why: string }

/** The model name used when a key is set but no name is. */
export const DEFAULT_REAL_MODEL = 'gpt-4o-mini'

/**
 * Chooses the model: `--scenario` always means the scripted model; otherwise OPENAI_API_KEY (or the
 * variable `apiKeyEnv` names) means the real model named by GASTOWN_MODEL or OPENAI_MODEL at
 * OPENAI_BASE_URL; otherwise the default scenario.
 */
export function chooseTownModel(
  env: Readonly<Record<string, string | undefined>>,
  options: { scenario?: string; defaultScenario: string; apiKeyEnv?: string },
): TownModelChoice {
  const apiKeyEnv = options.apiKeyEnv ?? 'OPENAI_API_KEY'
  if (options.scenario !== undefined && options.scenario !== '') {
    return { kind: 'scripted', scenario: options.scenario, why: 'a scenario was asked for' }
  }
  const apiKey = env[apiKeyEnv]?.trim()
  if (apiKey === undefined || apiKey === '') {
    return { kind: 'scripted', scenario: options.defaultScenario, why: `${apiKeyEnv} is not set` }
  }
  const name =
    [env['GASTOWN_MODEL'], env['OPENAI_MODEL']].map((v) => v?.trim()).find((v) => v) ?? DEFAULT_REAL_MODEL
  const baseUrl = env['OPENAI_BASE_URL']?.trim()
  return { kind: 'real', name, apiKey, apiKeyEnv, ...(baseUrl ? { baseUrl } : {}) }
}

/** The line that announces a scripted model, so it is never mistaken for an LLM. */
export function scriptedAnnouncement(scenario: string, why: string): string {
  return `scripted model: replaying scenario ${scenario} — a test double, not an LLM (${why}; set OPENAI_API_KEY for a real model)`
}
