/**
 * The configuration file `.github/gastown.yml`: one zod schema with a default and a description for
 * every field (the source of the config type, its docs and its JSON Schema), and a parser whose errors
 * name the field (config-issues.ts) and the line (yaml-positions.ts) and say what is accepted.
 */
import { globProblem } from './glob-limits.js'
import yaml from 'js-yaml'
import { z } from 'zod'
import { explainIssue, formatPath, show } from './config-issues.js'
import {
  BUILT_IN_ROLE_NAMES,
  ROLE_NAME_PATTERN,
  isBuiltInRole,
  roleConfigProblems,
  roleConfigSchema,
} from './roles.js'
import { didYouMean } from './suggest-name.js'
import { YamlTree } from './yaml-positions.js'

/** Where the config lives in the target repository. */
export const CONFIG_PATH = '.github/gastown.yml'

const whole = (min: number, max: number) => z.int().min(min).max(max)

const priceSchema = z.strictObject({
  input_per_mtok: z.number().min(0).describe('US dollars per million prompt tokens.'),
  output_per_mtok: z.number().min(0).describe('US dollars per million completion tokens.'),
})

/** Built-in prices (US dollars per million tokens), used when the config names none. */
export const DEFAULT_PRICES: Record<string, z.infer<typeof priceSchema>> = {
  'gpt-4o-mini': { input_per_mtok: 0.15, output_per_mtok: 0.6 },
  'gpt-4o': { input_per_mtok: 2.5, output_per_mtok: 10 },
}

const modelSchema = z
  .strictObject({
    name: z
      .string()
      .min(1)
      .default('gpt-4o-mini')
      .describe('Model name as the endpoint knows it, e.g. "gpt-4o-mini" or "anthropic/claude-3.5-sonnet".'),
    base_url: z
      .url({ protocol: /^https?$/, error: 'an http(s) URL such as https://openrouter.ai/api/v1' })
      .nullable()
      .default(null)
      .describe(
        'Base URL of an OpenAI-compatible endpoint (OpenRouter, Ollama, vLLM); null for OpenAI itself.',
      ),
    api_key_env: z
      .string()
      .regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'an environment variable name such as OPENAI_API_KEY')
      .default('OPENAI_API_KEY')
      .describe('Name of the environment variable (a repository secret) that holds the API key.'),
    context_window: whole(1024, 10_000_000)
      .default(128_000)
      .describe('Tokens the model accepts in one request; older turns are summarised to fit.'),
    timeout_seconds: whole(1, 3600).default(120).describe('Seconds to wait for one model response.'),
    max_retries: whole(0, 10)
      .default(4)
      .describe('Retries of a model call after a rate limit (429) or server error (5xx), with backoff.'),
    prices: z
      .record(z.string().min(1), priceSchema)
      .default(() => structuredClone(DEFAULT_PRICES))
      .describe('Prices by model name, for cost budgets and reports; replaces the built-in table when set.'),
  })
  .prefault({})
  .describe('The language model the workers and the planner use.')

const roleName = z
  .string()
  .regex(ROLE_NAME_PATTERN, 'a role name: a lowercase letter, then up to 36 of a-z, 0-9 and -')

/** Commands the agent may not run, by default: pushing, and privilege escalation. */
export const DEFAULT_DENY = ['^\\s*git\\s+push\\b', '\\bsudo\\b']

/** The schema of `.github/gastown.yml`. */
export const configSchema = z
  .strictObject({
    model: modelSchema,
    max_workers: whole(1, 256).default(4).describe('Workers that may run at once, over all roles.'),
    role_limits: z
      .record(roleName, whole(1, 256))
      .default(() => ({}))
      .describe(
        'Workers that may run at once for a role, e.g. { reviewer: 1 }; roles not named share max_workers.',
      ),
    max_beads: whole(1, 200).default(30).describe('Most beads a plan may have.'),
    max_attempts: whole(1, 20)
      .default(3)
      .describe('Attempts per bead before it is labelled gastown:needs-human.'),
    retry: z
      .strictObject({
        base_delay_seconds: whole(0, 86_400)
          .default(30)
          .describe('Delay before the first retry; it doubles with each.'),
        max_delay_seconds: whole(0, 86_400).default(900).describe('Longest delay between retries.'),
      })
      .prefault({})
      .describe('Backoff between attempts of a failed bead.'),
    review_rounds: whole(0, 20)
      .default(2)
      .describe('Times a reviewer may request changes on a bead before it goes to a person.'),
    lease_minutes: whole(1, 1440)
      .default(60)
      .describe('Minutes a worker holds a bead without news before the Mayor dispatches it again.'),
    roles: z
      .record(z.string(), roleConfigSchema)
      .default(() => ({}))
      .describe(
        'Changes to built-in roles (architect, developer, tester, reviewer, debugger, documenter, devops) and custom roles, by name.',
      ),
    budgets: z
      .strictObject({
        iterations: whole(1, 1000).default(30).describe('Most model turns in one worker run.'),
        tokens: whole(1000, 100_000_000)
          .default(400_000)
          .describe('Most tokens (prompt and completion) in one worker run.'),
        wall_time_minutes: whole(1, 360).default(30).describe('Most minutes of one worker run.'),
        cost_usd: z
          .number()
          .min(0)
          .max(1000)
          .default(2)
          .describe('Most US dollars of model calls in one worker run.'),
      })
      .prefault({})
      .describe('Limits of one worker run; the work so far is pushed when one runs out.'),
    merge: z
      .enum(['manual', 'auto'])
      .default('manual')
      .describe(
        'manual: people merge worker PRs; auto: the Mayor merges a PR once its checks and reviews pass.',
      ),
    dependency_links: z
      .boolean()
      .default(false)
      .describe(
        "Also link each bead to the beads it waits on as GitHub issue dependencies (blocked by): one content-creating request per dependency. The bead's Depends on task list shows them either way.",
      ),
    project: z
      .strictObject({
        owner: z
          .string()
          .min(1)
          .describe(
            'The organisation that owns the project (GitHub Apps cannot use projects owned by a user).',
          ),
        number: whole(1, 1_000_000_000).describe('The project number, as in its URL.'),
        status_field: z
          .string()
          .min(1)
          .default('Status')
          .describe('The single-select field that shows bead status.'),
      })
      .nullable()
      .default(null)
      .describe('A GitHub Projects (v2) board to track beads on, or null for none.'),
    protected_paths: z
      .array(
        z
          .string()
          .min(1)
          .superRefine((glob, context) => {
            const problem = globProblem(glob.replace(/^\.?\/+/, ''))
            if (problem !== undefined)
              context.addIssue({ code: 'custom', message: `the glob is refused: ${problem}` })
          }),
      )
      .default(() => ['.github/**', '.gitattributes'])
      .describe(
        'Globs of paths that agents may not change (picomatch syntax, case-insensitive; a directory protects what it holds); .git/ and .github/workflows/ are always protected.',
      ),
    commands: z
      .strictObject({
        timeout_seconds: whole(1, 3600)
          .default(300)
          .describe('Seconds a command may run before it is stopped.'),
        max_output_bytes: whole(1024, 10_485_760)
          .default(65_536)
          .describe('Bytes of command output the agent sees; the middle of longer output is cut.'),
        deny: z
          .array(z.string().min(1))
          .default(() => [...DEFAULT_DENY])
          .describe('Regular expressions (JavaScript syntax); a command matching one is refused.'),
      })
      .prefault({})
      .describe('What the agent may run with run_command.'),
    isolation: z
      .enum(['required', 'none'])
      .default('required')
      .describe(
        "required: a worker that cannot isolate the agent's commands from its token and key fails at once; none: they run unisolated, and the run says so loudly.",
      ),
    plan_approval: z
      .boolean()
      .default(false)
      .describe('true: the Mayor posts the plan and waits for "/gastown approve" before creating beads.'),
    allow_approve: z
      .boolean()
      .default(false)
      .describe(
        'true: reviewer agents may APPROVE pull requests; otherwise they only comment or request changes.',
      ),
    worker_workflow: z
      .string()
      .regex(/^[\w.-]+\.ya?ml$/, 'a workflow file name in .github/workflows, such as gastown-worker.yml')
      .default('gastown-worker.yml')
      .describe('The workflow file (in .github/workflows) that runs a worker.'),
  })
  .superRefine((config, context) => {
    for (const problem of roleConfigProblems(config.roles)) {
      context.addIssue({ code: 'custom', path: problem.path, message: problem.message })
    }
    const known = [
      ...BUILT_IN_ROLE_NAMES,
      ...Object.keys(config.roles).filter((name) => !isBuiltInRole(name)),
    ]
    for (const name of Object.keys(config.role_limits)) {
      if (!known.includes(name)) {
        context.addIssue({
          code: 'custom',
          path: ['role_limits', name],
          message: `"${name}" is not a role.${didYouMean(name, known)} The roles are ${known.join(', ')}.`,
        })
      }
    }
    config.commands.deny.forEach((pattern, index) => {
      try {
        new RegExp(pattern)
      } catch (error) {
        context.addIssue({
          code: 'custom',
          path: ['commands', 'deny', index],
          message: `not a valid regular expression (${(error as Error).message}); write it in JavaScript syntax, escaping \\ as \\\\ inside double quotes.`,
        })
      }
    })
    if (config.retry.max_delay_seconds < config.retry.base_delay_seconds) {
      context.addIssue({
        code: 'custom',
        path: ['retry', 'max_delay_seconds'],
        message: `must be at least base_delay_seconds (${config.retry.base_delay_seconds}).`,
      })
    }
  })

/** The configuration with every default filled in. */
export type Config = z.infer<typeof configSchema>

/** The configuration a repository without `.github/gastown.yml` gets. */
export function defaultConfig(): Config {
  return configSchema.parse({})
}

/** One mistake in the config file. */
export interface ConfigError {
  /** The field, e.g. `budgets.iterations` or `commands.deny[1]`; '' for the file as a whole. */
  path: string
  /** 1-based line in the file. */
  line: number
  /** 1-based column, when known. */
  column?: number
  message: string
}

/** A parsed config, or every mistake found. */
export type ParseConfigResult =
  { ok: true; config: Config } | { ok: false; file: string; errors: ConfigError[] }

/**
 * Parses and validates the text of `.github/gastown.yml`. An empty file gives every default. Errors
 * carry the field, the line of the offending key or value, and what would be accepted.
 */
export function parseConfig(text: string, file = CONFIG_PATH): ParseConfigResult {
  const tree = new YamlTree(text)
  let document: unknown
  try {
    document = yaml.load(text, { schema: yaml.CORE_SCHEMA, filename: file, listener: tree.listener })
  } catch (error) {
    if (error instanceof yaml.YAMLException) {
      const mark = error.mark as { line?: number; column?: number } | undefined
      return {
        ok: false,
        file,
        errors: [
          {
            path: '',
            line: (mark?.line ?? 0) + 1,
            column: (mark?.column ?? 0) + 1,
            message: `YAML syntax error: ${error.reason}. Check indentation (spaces, not tabs) and quoting.`,
          },
        ],
      }
    }
    throw error
  }
  if (document === undefined || document === null) document = {}
  if (typeof document !== 'object' || Array.isArray(document)) {
    return {
      ok: false,
      file,
      errors: [
        {
          path: '',
          line: 1,
          message: `expected a mapping of settings (key: value lines), got ${show(document)}.`,
        },
      ],
    }
  }
  const parsed = configSchema.safeParse(document, { reportInput: true })
  if (parsed.success) return { ok: true, config: parsed.data }
  const errors = parsed.error.issues.flatMap((issue) => explainIssue(issue, configSchema))
  const located = errors.map(({ path, message }) => ({
    path: formatPath(path),
    ...tree.locate(path),
    message,
  }))
  located.sort((a, b) => a.line - b.line || (a.column ?? 0) - (b.column ?? 0))
  return { ok: false, file, errors: located }
}

/** Errors as a markdown list for a GitHub comment, each with its file and line. */
export function formatConfigErrors(errors: readonly ConfigError[], file = CONFIG_PATH): string {
  const count = errors.length === 1 ? 'an error' : `${errors.length} errors`
  const items = errors.map((error) => {
    const field = error.path === '' ? '' : ` \`${error.path}\`:`
    return `- \`${file}\` line ${error.line}:${field} ${error.message}`
  })
  return `**Gas Town cannot read its configuration:** \`${file}\` has ${count}. Fix the file and push; until then nothing is planned or dispatched.\n\n${items.join('\n')}`
}

/** A JSON Schema of the config file, for editors (yaml-language-server) and the docs. */
export function configJsonSchema(): Record<string, unknown> {
  const schema = z.toJSONSchema(configSchema, { io: 'input', unrepresentable: 'any' }) as Record<
    string,
    unknown
  >
  return { ...schema, title: 'Gas Town configuration (.github/gastown.yml)' }
}
