/**
 * `gastown init`: sets Gas Town up in a local checkout of a repository. Writes the worker workflow, the
 * Mayor's workflow when asked, and `.github/gastown.yml` with every default; creates the labels through
 * the GitHub API; prints the secrets to set. Runs again safely: a file init wrote and nobody changed is
 * brought up to date, a file a person edited is kept unless --force.
 */
import { createHash } from 'node:crypto'
import { mkdir, readFile, writeFile } from 'node:fs/promises'
import path from 'node:path'
import { parseArgs } from 'node:util'
import { simpleGit } from 'simple-git'
import { CONFIG_PATH, defaultConfig, parseConfig, type Config } from '../core/config.js'
import { GOAL_LABEL, labelSpecs } from '../core/labels.js'
import { resolveRoles } from '../core/roles.js'
import {
  createGitHubClient,
  writeSpacingFrom,
  parseRepoName,
  repoName,
  type GitHubApi,
  type RepoRef,
} from '../github/client.js'
import { ensureLabels } from '../github/labels.js'
import { renderConfigFile } from './templates/config-template.js'
import { mayorWorkflow, workerWorkflow } from './templates/workflow-templates.js'

/** What a command takes from its process: the environment, the working directory and the two streams. */
export interface CommandIo {
  env: Readonly<Record<string, string | undefined>>
  cwd: string
  stdout: (text: string) => void
  stderr: (text: string) => void
}

/** The usage text of `gastown init`. */
export const INIT_USAGE = `Usage: gastown init [options]

Sets Gas Town up in the git checkout of the current directory: writes
.github/workflows/gastown-worker.yml and .github/gastown.yml (every setting with its default), creates
the gastown:* labels, and prints the secrets to set. Commit and push the files afterwards.

Options:
  --repo <owner/name>   the repository on GitHub (default: from the "origin" remote)
  --mayor-in-actions    also write .github/workflows/gastown-mayor.yml: the Mayor runs in GitHub Actions,
                        no server needed (docs/mayor-in-actions.md)
  --force               replace files you edited (init never does without it)
  --skip-labels         do not create labels (they need GITHUB_TOKEN)
  -h, --help            this text

Environment:
  GITHUB_TOKEN          a token with issues:write on the repository, to create the labels
  GITHUB_API_URL        the REST API root (default https://api.github.com; GitHub Enterprise: https://HOST/api/v3)
  GASTOWN_WRITE_SPACING_MS  milliseconds between creating requests (default: paced by GitHub.com's limits)`

/** The options of `gastown init`, for parseArgs. */
export const INIT_OPTIONS = {
  repo: { type: 'string' },
  'mayor-in-actions': { type: 'boolean', default: false },
  force: { type: 'boolean', default: false },
  'skip-labels': { type: 'boolean', default: false },
  help: { type: 'boolean', short: 'h', default: false },
} as const

/** Where the worker workflow goes in the target repository. */
export const WORKER_WORKFLOW_PATH = '.github/workflows/gastown-worker.yml'
/** Where the Mayor-in-Actions workflow goes. */
export const MAYOR_WORKFLOW_PATH = '.github/workflows/gastown-mayor.yml'

/** What init did with one file. */
export type FileOutcome = 'created' | 'unchanged' | 'updated' | 'replaced' | 'kept'

/** What init did. */
export interface InitResult {
  repo: RepoRef
  root: string
  files: { path: string; outcome: FileOutcome }[]
  labels: { created: string[]; existing: number } | { skipped: string }
}

/** Options of `initRepository`. */
export interface InitOptions {
  cwd: string
  env: Readonly<Record<string, string | undefined>>
  repo?: string
  mayorInActions?: boolean
  force?: boolean
  skipLabels?: boolean
  /** The GitHub client for the labels; by default built from GITHUB_TOKEN and GITHUB_API_URL. */
  api?: GitHubApi
}

const STAMP = /^# gastown init ([0-9a-f]{16}): /

/** The first line init puts on a file: the hash of the rest, so a later init can tell an edit. */
export function stamp(body: string): string {
  const hash = createHash('sha256').update(body).digest('hex').slice(0, 16)
  return `# gastown init ${hash}: edit freely; \`gastown init\` keeps a file you changed unless --force.\n${body}`
}

/** Whether a file is exactly what init wrote (at any version), so replacing it loses nothing. */
export function untouchedSinceInit(text: string): boolean {
  const newline = text.indexOf('\n')
  const match = STAMP.exec(text.slice(0, newline))
  if (!match) return false
  return stamp(text.slice(newline + 1)).startsWith(`# gastown init ${match[1]}: `)
}

/** owner/name from a remote URL: https, ssh (`git@host:owner/name.git`) or a local http server. */
export function repoFromRemote(url: string): RepoRef {
  const trimmed = url
    .trim()
    .replace(/\/+$/, '')
    .replace(/\.git$/, '')
  const scp = /^[\w.-]+@[\w.-]+:(.+)$/.exec(trimmed)
  const pathPart = scp ? scp[1]! : new URL(trimmed).pathname
  const parts = pathPart.split('/').filter(Boolean)
  if (parts.length < 2) {
    throw new Error(
      `Cannot tell the repository from the remote URL "${redact(url)}": pass --repo owner/name.`,
    )
  }
  return parseRepoName(`${parts.at(-2)}/${parts.at(-1)}`)
}

/** A URL with any credentials in it hidden. */
function redact(url: string): string {
  return url.replace(/\/\/[^/@]+@/, '//***@')
}

/** Sets Gas Town up in the checkout at `options.cwd`. */
export async function initRepository(options: InitOptions): Promise<InitResult> {
  const git = simpleGit(options.cwd)
  let root: string
  try {
    root = (await git.revparse(['--show-toplevel'])).trim()
  } catch (error) {
    throw new Error(
      `${options.cwd} is not inside a git checkout: clone your repository and run gastown init in it.`,
      { cause: error },
    )
  }
  const repo = options.repo ? parseRepoName(options.repo) : await originRepo(root)

  const configText = renderConfigFile()
  const wanted: { path: string; body: string }[] = [
    { path: WORKER_WORKFLOW_PATH, body: await workerWorkflow() },
    ...(options.mayorInActions ? [{ path: MAYOR_WORKFLOW_PATH, body: await mayorWorkflow() }] : []),
    { path: CONFIG_PATH, body: configText },
  ]
  const files: InitResult['files'] = []
  for (const file of wanted) {
    files.push({ path: file.path, outcome: await place(root, file.path, stamp(file.body), options.force) })
  }

  let labels: InitResult['labels']
  if (options.skipLabels) labels = { skipped: '--skip-labels' }
  else {
    const api = options.api ?? clientFrom(options.env)
    if (!api) labels = { skipped: 'GITHUB_TOKEN is not set' }
    else {
      const roles = Object.keys(resolveRoles(await configIn(root)))
      const specs = labelSpecs(roles)
      const created = await ensureLabels(api, repo, specs)
      labels = { created, existing: specs.length - created.length }
    }
  }
  return { repo, root, files, labels }
}

async function originRepo(root: string): Promise<RepoRef> {
  const remotes = await simpleGit(root).getRemotes(true)
  const origin = remotes.find((remote) => remote.name === 'origin') ?? remotes[0]
  if (!origin) {
    throw new Error('This checkout has no git remote, so the repository is unknown: pass --repo owner/name.')
  }
  return repoFromRemote(origin.refs.push || origin.refs.fetch)
}

/** Writes one file unless a person's edit is in the way; answers what happened. */
async function place(root: string, relative: string, text: string, force = false): Promise<FileOutcome> {
  const target = path.join(root, relative)
  let current: string | undefined
  try {
    current = await readFile(target, 'utf8')
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error
  }
  if (current === text) return 'unchanged'
  let outcome: FileOutcome
  if (current === undefined) outcome = 'created'
  else if (untouchedSinceInit(current)) outcome = 'updated'
  else if (force) outcome = 'replaced'
  else return 'kept'
  await mkdir(path.dirname(target), { recursive: true })
  await writeFile(target, text)
  return outcome
}

/** The config in the checkout (for custom roles' labels); defaults when it is missing or invalid. */
async function configIn(root: string): Promise<Config> {
  try {
    const parsed = parseConfig(await readFile(path.join(root, CONFIG_PATH), 'utf8'))
    return parsed.ok ? parsed.config : defaultConfig()
  } catch {
    return defaultConfig()
  }
}

function clientFrom(env: Readonly<Record<string, string | undefined>>): GitHubApi | undefined {
  const token = env['GITHUB_TOKEN'] || env['GH_TOKEN']
  if (!token) return undefined
  const spacing = writeSpacingFrom(env)
  return createGitHubClient({
    token,
    baseUrl: env['GITHUB_API_URL'] || 'https://api.github.com',
    ...(spacing === undefined ? {} : { writeSpacingMs: spacing }),
  })
}

const OUTCOME_TEXT: Record<FileOutcome, string> = {
  created: 'created',
  unchanged: 'up to date',
  updated: 'updated (you had not changed it)',
  replaced: 'replaced your edited file (--force)',
  kept: 'kept: you changed it (gastown init --force replaces it)',
}

/** What init did and what is left for the person, as lines for the terminal. */
export function renderInitReport(result: InitResult, mayorInActions: boolean): string {
  const name = repoName(result.repo)
  const lines = [`Gas Town for ${name} (${result.root})`, '']
  for (const file of result.files) lines.push(`  ${file.path}: ${OUTCOME_TEXT[file.outcome]}`)
  if ('skipped' in result.labels) {
    lines.push(
      `  labels: not created (${result.labels.skipped}); run again with GITHUB_TOKEN set, or create ${GOAL_LABEL} yourself (the Mayor creates the others)`,
    )
  } else {
    lines.push(`  labels: ${result.labels.created.length} created, ${result.labels.existing} already there`)
  }
  const secret = (key: string, why: string) =>
    `    ${key.padEnd(24)} ${why}\n      gh secret set ${key} --repo ${name}`
  const variable = (key: string, why: string) =>
    `    ${key.padEnd(24)} ${why}\n      gh variable set ${key} --repo ${name}`
  lines.push(
    '',
    'Next:',
    `  1. Commit and push: git add .github && git commit -m "Set up Gas Town" && git push`,
    '  2. Set the secrets (Settings > Secrets and variables > Actions):',
    secret('OPENAI_API_KEY', 'the model endpoint key the workers use (OpenAI, OpenRouter, ...)'),
    secret(
      'GASTOWN_TOKEN',
      'optional: an app installation token or fine-grained PAT, so worker PRs start CI',
    ),
  )
  if (mayorInActions) {
    lines.push(
      '     For the Mayor in Actions (optional: without them it runs with the workflow token, whose events',
      '     start no workflow: it then hears that a worker ended only on its 15-minute schedule):',
      variable('GASTOWN_APP_ID', 'the Gas Town app id: its PRs and dispatches start workflows'),
      secret('GASTOWN_APP_PRIVATE_KEY', "the app's private key (.pem)"),
      variable('GASTOWN_MODEL', 'optional: the planner model, when not model.name in .github/gastown.yml'),
      '  3. In Settings > Actions > General, allow GitHub Actions to create pull requests.',
    )
  } else {
    lines.push('  3. Install the Gas Town app on the repository (docs/install.md).')
  }
  lines.push(`  4. Label an issue ${GOAL_LABEL}: the Mayor plans it into beads.`)
  return `${lines.join('\n')}\n`
}

/** `gastown init` on the command line; answers the exit code (0 done, 1 failed, 2 usage). */
export async function runInit(argv: string[], io: CommandIo): Promise<number> {
  let values
  try {
    values = parseArgs({
      args: argv,
      options: INIT_OPTIONS,
      allowPositionals: false,
    }).values
  } catch (error) {
    io.stderr(`gastown init: ${(error as Error).message}\n\n${INIT_USAGE}\n`)
    return 2
  }
  if (values.help) {
    io.stdout(`${INIT_USAGE}\n`)
    return 0
  }
  try {
    const result = await initRepository({
      cwd: io.cwd,
      env: io.env,
      ...(values.repo ? { repo: values.repo } : {}),
      mayorInActions: values['mayor-in-actions'],
      force: values.force,
      skipLabels: values['skip-labels'],
    })
    io.stdout(renderInitReport(result, values['mayor-in-actions']))
    return 0
  } catch (error) {
    io.stderr(`gastown init: ${(error as Error).message}\n`)
    return 1
  }
}
