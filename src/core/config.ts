/**
 * The configuration file `.github/gastown.yml`: one zod schema with a default and a description for
 * every field (the source of the config type, its docs and its JSON Schema), and a parser whose errors
 * name the field and the line and say what is accepted.
 */
import yaml from 'js-yaml'
import { z } from 'zod'
import {
  BUILT_IN_ROLE_NAMES,
  ROLE_NAME_PATTERN,
  ROLE_OUTPUTS,
  TOOL_NAMES,
  isBuiltInRole,
  roleConfigProblems,
} from './roles.js'
import { didYouMean } from './suggest-name.js'

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

const roleConfigSchema = z
  .strictObject({
    description: z
      .string()
      .min(1)
      .optional()
      .describe('One line that tells the planner what the role does. Required for a custom role.'),
    prompt: z
      .string()
      .min(1)
      .optional()
      .describe("The agent's system prompt; replaces a built-in role's prompt. Required for a custom role."),
    prompt_append: z
      .string()
      .min(1)
      .optional()
      .describe("Text added after the role's prompt, e.g. the repository's conventions."),
    tools: z
      .array(z.enum(TOOL_NAMES))
      .optional()
      .describe('The tools the agent may use; finish is always added. Default: by output.'),
    output: z
      .enum(ROLE_OUTPUTS)
      .optional()
      .describe(
        'pr (the role changes files and opens a pull request) or review (it reviews PRs). Required for a custom role.',
      ),
  })
  .describe('Changes to a built-in role, or a custom role.')

/** One entry of `roles`: changes to a built-in role, or a whole custom role. */
export type RoleConfig = z.infer<typeof roleConfigSchema>

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
    project: z
      .strictObject({
        owner: z.string().min(1).describe('User or organisation that owns the project.'),
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
      .array(z.string().min(1))
      .default(() => ['.github/workflows/**'])
      .describe('Globs of paths that agents may not change; .git/ is always protected.'),
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
  const errors = parsed.error.issues.flatMap((issue) => explainIssue(issue))
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

type PathKey = string | number

/** `budgets.iterations`, `commands.deny[1]`, `model.prices["gpt-4.1"]`. */
export function formatPath(path: readonly PathKey[]): string {
  let text = ''
  for (const key of path) {
    if (typeof key === 'number') text += `[${key}]`
    else if (/^[A-Za-z_][A-Za-z0-9_-]*$/.test(key)) text += text === '' ? key : `.${key}`
    else text += `[${JSON.stringify(key)}]`
  }
  return text
}

/** A value as an error message shows it. */
function show(value: unknown): string {
  if (value === undefined) return 'nothing'
  if (value === null) return 'null'
  if (typeof value === 'string') return value.length > 40 ? `"${value.slice(0, 40)}…"` : JSON.stringify(value)
  if (Array.isArray(value)) return 'a list'
  if (typeof value === 'object') return 'a mapping'
  return String(value)
}

interface Explained {
  path: PathKey[]
  message: string
}

type Issue = z.core.$ZodIssue

/** One zod issue as messages a person can act on; unknown keys become one message each. */
function explainIssue(issue: Issue): Explained[] {
  const path = issue.path.filter((key): key is PathKey => typeof key !== 'symbol')
  const input = (issue as { input?: unknown }).input
  switch (issue.code) {
    case 'unrecognized_keys': {
      const known = Object.keys(shapeAt(path) ?? {})
      return issue.keys.map((key) => ({
        path: [...path, key],
        message: `unknown setting "${key}".${didYouMean(key, known)} The settings here are: ${known.join(', ')}.`,
      }))
    }
    case 'invalid_key':
      return [{ path, message: `${issue.issues[0]?.message ?? 'invalid name'}; got ${show(input)}.` }]
    case 'custom':
      return [{ path, message: issue.message }]
    case 'invalid_format':
      return [{ path, message: `got ${show(input)}; expected ${issue.message}.` }]
    case 'invalid_value': {
      const hint = typeof input === 'string' ? didYouMean(input, issue.values.map(String)) : ''
      return [{ path, message: `got ${show(input)}; expected ${accepted(schemaAt(path))}.${hint}` }]
    }
    default: {
      const what = input === undefined ? 'is required' : `got ${show(input)}`
      return [{ path, message: `${what}; expected ${accepted(schemaAt(path))}.` }]
    }
  }
}

interface ZodDefLike {
  type: string
  innerType?: ZodLike
  shape?: Record<string, ZodLike>
  valueType?: ZodLike
  element?: ZodLike
  entries?: Record<string, unknown>
  values?: unknown[]
  format?: string
}
interface ZodLike {
  _zod: { def: ZodDefLike }
  minValue?: number | null
  maxValue?: number | null
  isInt?: boolean
  minLength?: number | null
}

const WRAPPERS = new Set(['default', 'prefault', 'optional', 'nullable', 'readonly'])

function unwrap(schema: ZodLike): { schema: ZodLike; nullable: boolean } {
  let current = schema
  let nullable = false
  while (WRAPPERS.has(current._zod.def.type) && current._zod.def.innerType) {
    if (current._zod.def.type === 'nullable') nullable = true
    current = current._zod.def.innerType
  }
  return { schema: current, nullable }
}

/** The schema of the field at a path, or undefined past the schema's end. */
function schemaAt(path: readonly PathKey[]): ZodLike | undefined {
  let current: ZodLike | undefined = configSchema as unknown as ZodLike
  for (const key of path) {
    if (current === undefined) return undefined
    const def: ZodDefLike = unwrap(current).schema._zod.def
    if (def.type === 'object') current = def.shape?.[String(key)]
    else if (def.type === 'record') current = def.valueType
    else if (def.type === 'array') current = def.element
    else return undefined
  }
  return current
}

function shapeAt(path: readonly PathKey[]): Record<string, ZodLike> | undefined {
  const schema = schemaAt(path)
  return schema === undefined ? undefined : unwrap(schema).schema._zod.def.shape
}

/** What a field accepts, in words. */
function accepted(schema: ZodLike | undefined): string {
  if (schema === undefined) return 'a valid value'
  const { schema: inner, nullable } = unwrap(schema)
  const def = inner._zod.def
  let text: string
  switch (def.type) {
    case 'number': {
      const noun = inner.isInt ? 'a whole number' : 'a number'
      const min = inner.minValue ?? undefined
      const max = inner.maxValue ?? undefined
      const small = (n: number | undefined) => n !== undefined && Math.abs(n) < Number.MAX_SAFE_INTEGER
      text =
        small(min) && small(max)
          ? `${noun} from ${min} to ${max}`
          : small(min)
            ? `${noun} of at least ${min}`
            : small(max)
              ? `${noun} of at most ${max}`
              : noun
      break
    }
    case 'string':
      text = def.format === 'url' ? 'an http(s) URL' : (inner.minLength ?? 0) > 0 ? 'non-empty text' : 'text'
      break
    case 'boolean':
      text = 'true or false'
      break
    case 'enum':
      text = `one of ${Object.values(def.entries ?? {})
        .map((value) => JSON.stringify(value))
        .join(', ')}`
      break
    case 'object':
      text = `a mapping with ${Object.keys(def.shape ?? {}).join(', ')}`
      break
    case 'record':
      text = `a mapping of names to ${accepted(def.valueType)}`
      break
    case 'array':
      text = `a list of ${accepted(def.element).replace(/^an? /, '')}s`
      break
    default:
      text = 'a valid value'
  }
  return nullable ? `${text}, or null` : text
}

interface YamlNode {
  start: number
  end: number
  kind: string | null
  result: unknown
  children: YamlNode[]
}

interface ListenerState {
  position: number
  kind: string | null
  result: unknown
}

/**
 * The node positions of a YAML document, rebuilt from js-yaml's open/close events, so an error at
 * a path (`budgets.iterations`) can name the line of its key or value.
 */
class YamlTree {
  private readonly stack: YamlNode[] = []
  private root: YamlNode | undefined
  private readonly lineStarts: number[] = [0]

  constructor(private readonly text: string) {
    for (let i = 0; i < text.length; i++) if (text[i] === '\n') this.lineStarts.push(i + 1)
  }

  readonly listener = (event: 'open' | 'close', state: ListenerState): void => {
    if (event === 'open') {
      this.stack.push({
        start: state.position,
        end: state.position,
        kind: null,
        result: undefined,
        children: [],
      })
      return
    }
    const node = this.stack.pop()
    if (node === undefined) return
    node.end = state.position
    node.kind = state.kind
    node.result = state.result
    const parent = this.stack.at(-1)
    if (parent) parent.children.push(node)
    else this.root ??= node
  }

  /** The line (and column) of the key at `path`, or of the nearest enclosing entry that exists. */
  locate(path: readonly PathKey[]): { line: number; column?: number } {
    let node = this.root === undefined ? undefined : collapse(this.root)
    let position: number | undefined
    for (const key of path) {
      if (node === undefined) break
      const found = childAt(node, key)
      if (found === undefined) break
      position = (found.key ?? found.value).start
      node = found.value
    }
    if (position === undefined) return { line: 1 }
    return this.lineAndColumn(this.skipBlank(position))
  }

  /** Skips the spaces, line breaks and comments that js-yaml's reported start may include. */
  private skipBlank(position: number): number {
    let at = position
    while (at < this.text.length) {
      const char = this.text[at]
      if (char === ' ' || char === '\t' || char === '\n' || char === '\r' || char === ',') at++
      else if (char === '#') {
        while (at < this.text.length && this.text[at] !== '\n') at++
      } else break
    }
    return at
  }

  private lineAndColumn(position: number): { line: number; column: number } {
    let low = 0
    let high = this.lineStarts.length - 1
    while (low < high) {
      const middle = Math.ceil((low + high) / 2)
      if ((this.lineStarts[middle] ?? 0) <= position) low = middle
      else high = middle - 1
    }
    return { line: low + 1, column: position - (this.lineStarts[low] ?? 0) + 1 }
  }
}

/** js-yaml wraps some nodes in another with the same result; the inner one is the real node. */
function collapse(node: YamlNode): YamlNode {
  let current = node
  while (current.children.length === 1) {
    const child = current.children[0]!
    if (child.result !== current.result || child.kind !== current.kind) break
    current = child
  }
  return current
}

/** The entry at `key` of a mapping (key and value nodes) or a sequence (value node). */
function childAt(node: YamlNode, key: PathKey): { key?: YamlNode; value: YamlNode } | undefined {
  if (node.kind === 'mapping') {
    for (let i = 0; i + 1 < node.children.length; i += 2) {
      const keyNode = collapse(node.children[i]!)
      if (String(keyNode.result) === String(key))
        return { key: keyNode, value: collapse(node.children[i + 1]!) }
    }
    return undefined
  }
  if (node.kind === 'sequence' && typeof key === 'number') {
    const item = node.children[key]
    return item === undefined ? undefined : { value: collapse(item) }
  }
  return undefined
}
