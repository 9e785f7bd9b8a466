/**
 * The environment of the agent's commands, built from an allow-list so that no secret of the worker
 * (GitHub token, model key, action inputs, runner tokens) ever reaches a command the model wrote.
 */

/** Variables passed through by exact name. */
const ALLOWED_NAMES = new Set([
  'PATH',
  'HOME',
  'LANG',
  'LANGUAGE',
  'TERM',
  'TMPDIR',
  'TMP',
  'TEMP',
  'TZ',
  'USER',
  'LOGNAME',
  'SHELL',
  'CI',
])

/** Variables passed through by prefix: locales and Node's own settings. */
const ALLOWED_PREFIXES = ['LC_', 'NODE_']

/**
 * Never passed, even when allowed above or given as an extra. NODE_OPTIONS is dropped because it
 * injects code into every `node` the agent starts (test runners set it for their own workers).
 */
const DENIED_PATTERNS: readonly RegExp[] = [
  /^NODE_OPTIONS$/i,
  /^GITHUB_TOKEN$/i,
  /^GH_TOKEN$/i,
  /^INPUT_/i,
  /^ACTIONS_/i,
  /^OPENAI_/i,
  /^ANTHROPIC_/i,
  /^OPENROUTER_/i,
  /TOKEN/i,
  /_KEY$/i,
  /^KEY$/i,
  /SECRET/i,
  /PASSWORD/i,
  /PASSWD/i,
  /CREDENTIAL/i,
  /_AUTH/i,
]

/** True when a variable name may never reach the agent's commands. */
export function isDeniedEnvName(name: string): boolean {
  return DENIED_PATTERNS.some((pattern) => pattern.test(name))
}

/**
 * The scrubbed environment: the allow-listed variables of `base`, plus `extras`, minus every denied
 * name. An extra with a denied name is a configuration mistake and throws rather than leaking.
 */
export function buildCommandEnv(
  base: NodeJS.ProcessEnv,
  extras: Readonly<Record<string, string>> = {},
): Record<string, string> {
  const env: Record<string, string> = {}
  for (const [name, value] of Object.entries(base)) {
    if (value === undefined) continue
    const allowed = ALLOWED_NAMES.has(name) || ALLOWED_PREFIXES.some((prefix) => name.startsWith(prefix))
    if (allowed && !isDeniedEnvName(name)) env[name] = value
  }
  for (const [name, value] of Object.entries(extras)) {
    if (isDeniedEnvName(name)) {
      throw new Error(
        `refusing to pass ${name} to the agent's commands: its name looks like a secret; rename it or leave it out`,
      )
    }
    env[name] = value
  }
  return env
}
