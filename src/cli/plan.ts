/**
 * `gastown plan "goal"`: a dry run of the Mayor's planner on the repository in the current directory.
 * It reads the checkout (files, README, languages, .github/gastown.yml), asks the model for a plan as the
 * Mayor would, and prints it as a table and a Mermaid graph. Nothing is created on GitHub.
 */
import { readdir, readFile, stat } from 'node:fs/promises'
import path from 'node:path'
import { parseArgs } from 'node:util'
import { simpleGit } from 'simple-git'
import { CONFIG_PATH, defaultConfig, parseConfig, type Config } from '../core/config.js'
import { renderPlanMermaid, renderPlanTable } from '../core/plan.js'
import { resolveRoles } from '../core/roles.js'
import { repoName } from '../github/client.js'
import type { ChatModel } from '../llm/chat-model.js'
import type { Logger } from '../llm/logger.js'
import { modelFromConfig } from '../mayor/model-for.js'
import { planGoal, type PlannedGoal, type RepositoryShape } from '../mayor/planner.js'
import { SCENARIO_DIR } from '../sandbox/scenario-catalogue.js'
import { repoFromRemote, type CommandIo } from './init.js'

/** The usage text of `gastown plan`. */
export const PLAN_USAGE = `Usage: gastown plan "<goal>" [options]

Plans a goal for the repository in the current directory as the Mayor would, and prints the plan as a
table and a Mermaid graph. A dry run: nothing is created on GitHub.

Options:
  --body <text>   the goal's description, as the issue body would hold it
  --json          print the plan, model, tokens and cost as JSON
  -h, --help      this text

Environment:
  OPENAI_API_KEY    the model's key (or the variable model.api_key_env names in .github/gastown.yml)
  OPENAI_BASE_URL   an OpenAI-compatible endpoint, when model.base_url does not name one
  GASTOWN_MODEL     the model, instead of model.name
  GASTOWN_SCENARIO  replay a scripted scenario instead (a test double, not an LLM), e.g. todo-api`

/** The options of `gastown plan`, for parseArgs. */
export const PLAN_OPTIONS = {
  body: { type: 'string', default: '' },
  json: { type: 'boolean', default: false },
  help: { type: 'boolean', short: 'h', default: false },
} as const

/** What the planner is told about a checkout, read from its files. */
export async function shapeOfCheckout(dir: string): Promise<{ root: string; shape: RepositoryShape }> {
  const git = simpleGit(dir)
  let root = dir
  let tracked: string[] | undefined
  let fullName = path.basename(path.resolve(dir))
  let defaultBranch = 'main'
  if (await git.checkIsRepo()) {
    root = (await git.revparse(['--show-toplevel'])).trim()
    tracked = (await simpleGit(root).raw(['ls-files', '-z'])).split('\0').filter(Boolean)
    const remotes = await simpleGit(root).getRemotes(true)
    const origin = remotes.find((remote) => remote.name === 'origin') ?? remotes[0]
    if (origin) {
      try {
        fullName = repoName(repoFromRemote(origin.refs.fetch))
      } catch {
        // A remote that names no owner/name (a bare path) leaves the folder's name.
      }
    }
    defaultBranch = await branchOf(root)
  }
  const entries = (await readdir(root, { withFileTypes: true })).filter((entry) => entry.name !== '.git')
  const topLevel = entries
    .map((entry) => ({ name: entry.name, type: entry.isDirectory() ? 'dir' : 'file' }))
    // Git's tree order (by bytes), as GitHub lists the tree the Mayor reads.
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
  const readmeName = entries.find(
    (entry) => entry.isFile() && /^readme(\.md|\.markdown|\.txt)?$/i.test(entry.name),
  )
  const readme = readmeName ? await readFile(path.join(root, readmeName.name), 'utf8') : null
  return {
    root,
    shape: {
      fullName,
      defaultBranch,
      topLevel,
      languages: await languagesOf(root, tracked ?? entries.filter((e) => e.isFile()).map((e) => e.name)),
      readme,
    },
  }
}

async function branchOf(root: string): Promise<string> {
  const git = simpleGit(root)
  try {
    const head = (await git.raw(['symbolic-ref', '--short', 'refs/remotes/origin/HEAD'])).trim()
    if (head) return head.replace(/^origin\//, '')
  } catch {
    // No remote HEAD: a checkout made by `git init`, or a clone of an empty repository.
  }
  try {
    return (await git.raw(['symbolic-ref', '--short', 'HEAD'])).trim() || 'main'
  } catch {
    return 'main'
  }
}

const LANGUAGES: Record<string, string> = {
  '.ts': 'TypeScript',
  '.tsx': 'TypeScript',
  '.mts': 'TypeScript',
  '.js': 'JavaScript',
  '.mjs': 'JavaScript',
  '.cjs': 'JavaScript',
  '.jsx': 'JavaScript',
  '.py': 'Python',
  '.go': 'Go',
  '.rs': 'Rust',
  '.java': 'Java',
  '.kt': 'Kotlin',
  '.rb': 'Ruby',
  '.php': 'PHP',
  '.cs': 'C#',
  '.c': 'C',
  '.h': 'C',
  '.cpp': 'C++',
  '.hpp': 'C++',
  '.swift': 'Swift',
  '.sh': 'Shell',
  '.css': 'CSS',
  '.html': 'HTML',
}

/** Bytes per language, as GitHub's languages endpoint answers, by file extension. */
async function languagesOf(root: string, files: readonly string[]): Promise<Record<string, number>> {
  const bytes: Record<string, number> = {}
  for (const file of files) {
    const language = LANGUAGES[path.extname(file).toLowerCase()]
    if (!language) continue
    try {
      bytes[language] = (bytes[language] ?? 0) + (await stat(path.join(root, file))).size
    } catch {
      // A tracked file deleted in the working tree counts for nothing.
    }
  }
  return bytes
}

/** The checkout's config; an invalid file is an error that names field and line. */
async function configOf(root: string): Promise<Config> {
  let text: string
  try {
    text = await readFile(path.join(root, CONFIG_PATH), 'utf8')
  } catch {
    return defaultConfig()
  }
  const parsed = parseConfig(text)
  if (parsed.ok) return parsed.config
  const lines = parsed.errors.map(
    (e) => `  ${CONFIG_PATH}:${e.line}${e.path ? ` ${e.path}` : ''}: ${e.message}`,
  )
  throw new Error(`${CONFIG_PATH} has ${parsed.errors.length} error(s); fix them first:\n${lines.join('\n')}`)
}

/** A logger for the model layer that shows warnings on stderr and keeps the rest quiet. */
function stderrLogger(io: CommandIo): Logger {
  return {
    debug: () => {},
    info: () => {},
    warn: (_fields, message) => io.stderr(`warning: ${message}\n`),
  }
}

/** How the model is announced: a scripted one always says it is a test double. */
export function describeModel(model: ChatModel): string {
  return model.scripted
    ? `the scripted model "${model.name}" (a test double replaying a scenario, not an LLM)`
    : `the model "${model.name}"`
}

/** The plan of a goal for the checkout at `cwd`, and the model that made it. */
export async function dryRunPlan(
  goal: { title: string; body: string },
  io: CommandIo,
): Promise<{ planned: PlannedGoal; model: ChatModel; shape: RepositoryShape }> {
  const { root, shape } = await shapeOfCheckout(io.cwd)
  const config = await configOf(root)
  const roles = resolveRoles(config)
  const model = await modelFromConfig(io.env, stderrLogger(io), [SCENARIO_DIR])(config)
  io.stderr(`Planning "${goal.title}" for ${shape.fullName} with ${describeModel(model)}…\n`)
  const planned = await planGoal(model, { number: 0, ...goal }, shape, roles, config)
  return { planned, model, shape }
}

/** `gastown plan` on the command line; answers the exit code (0 planned, 1 failed, 2 usage). */
export async function runPlan(argv: string[], io: CommandIo): Promise<number> {
  let parsed
  try {
    parsed = parseArgs({
      args: argv,
      options: PLAN_OPTIONS,
      allowPositionals: true,
    })
  } catch (error) {
    io.stderr(`gastown plan: ${(error as Error).message}\n\n${PLAN_USAGE}\n`)
    return 2
  }
  const { values, positionals } = parsed
  if (values.help) {
    io.stdout(`${PLAN_USAGE}\n`)
    return 0
  }
  const title = positionals.join(' ').trim()
  if (title === '') {
    io.stderr(
      `gastown plan: say what the goal is, e.g. gastown plan "Add a health check endpoint".\n\n${PLAN_USAGE}\n`,
    )
    return 2
  }
  try {
    const { planned, model, shape } = await dryRunPlan({ title, body: values.body }, io)
    if (values.json) {
      io.stdout(
        `${JSON.stringify({ repository: shape.fullName, model: model.name, scripted: model.scripted, plan: planned.plan, usage: planned.usage, costUsd: planned.costUsd }, null, 2)}\n`,
      )
      return 0
    }
    io.stdout(
      [
        `Plan for "${title}" (${shape.fullName}): ${planned.plan.beads.length} beads, by ${describeModel(model)}`,
        '',
        renderPlanTable(planned.plan),
        '',
        '```mermaid',
        renderPlanMermaid(planned.plan),
        '```',
        '',
        `Tokens: ${planned.usage.totalTokens} (${planned.usage.promptTokens} prompt, ${planned.usage.completionTokens} completion), cost $${planned.costUsd.toFixed(4)}, ${planned.attempts} model call(s).`,
        'Nothing was created: label an issue gastown:goal to have the Mayor plan it for real.',
        '',
      ].join('\n'),
    )
    return 0
  } catch (error) {
    io.stderr(`gastown plan: ${(error as Error).message}\n`)
    return 1
  }
}
