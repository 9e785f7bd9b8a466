/** The repository's `.github/gastown.yml`, read from the default branch and validated. */
import { CONFIG_PATH, defaultConfig, parseConfig, type ConfigError, type Config } from '../core/config.js'
import type { GitHubApi, RepoRef } from '../github/client.js'
import { getFileText } from '../github/repository.js'

/** The config, or the errors that name each bad field and its line. */
export type LoadedConfig = { ok: true; config: Config } | { ok: false; errors: ConfigError[] }

/** Reads and validates the config; a repository without the file gets the defaults. */
export async function loadConfig(api: GitHubApi, repo: RepoRef, ref?: string): Promise<LoadedConfig> {
  const text = await getFileText(api, repo, CONFIG_PATH, ref)
  if (text === null) return { ok: true, config: defaultConfig() }
  const parsed = parseConfig(text, CONFIG_PATH)
  return parsed.ok ? { ok: true, config: parsed.config } : { ok: false, errors: parsed.errors }
}
