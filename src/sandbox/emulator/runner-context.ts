/** The options of the emulator's Actions runner, and the context every part of it reads. */
import type { GitHost, WorkflowRun } from './contracts.js'
import { createRunLog, type RunLog } from './run-log.js'
import type { Workflow } from './workflow-file.js'

/** What the runner needs: the git host, where to work, how many runs at once, and the URLs and secrets. */
export interface ActionsRunnerOptions {
  gitHost: GitHost
  /** Directory for run workspaces (removed by `close`). */
  workRoot: string
  /** How many runs may be in progress at once (the number of runners). */
  concurrency: number
  serverUrl: string
  apiUrl: string
  graphqlUrl: string
  /** Base URL that git clones from: `${gitUrl}/<owner>/<repo>.git`. */
  gitUrl: string
  /** `uses:` values (exact, or `owner/repo` without the version) mapped to local directories holding action.yml. */
  actions: Record<string, string>
  /** Repository variables, the `vars` context (`${{ vars.X }}`). */
  variables?: Record<string, string>
  /** Repository secrets, visible to steps only through `${{ secrets.X }}`. */
  secrets: Record<string, string>
  /** The default branch of a repository (whose workflow files most events run); `main` when absent. */
  defaultBranch?: (repo: string) => string | null
  /** The GITHUB_TOKEN for a run, given the workflow's `permissions:` (its first job's, when it has its own). */
  tokenFor: (run: WorkflowRun, permissions: Workflow['permissions']) => string
  /** The only variables of the host environment a step sees (default: PATH and LANG). */
  baseEnv?: NodeJS.ProcessEnv
  clock?: () => Date
  /** First run id; later runs count up from it. */
  firstRunId?: number
  /** Node binary for JavaScript actions (default: the one running the emulator). */
  nodePath?: string
  logger?: { warn(details: object, message: string): void }
  /** Play a GitHub-hosted ubuntu-24.04 runner, whose AppArmor refuses `unshare` (see refused-unshare.ts). */
  refuseUnshare?: boolean
}

/** The options with their defaults filled in, and the run log: what the queue, jobs and steps read. */
export interface RunnerContext extends ActionsRunnerOptions {
  clock: () => Date
  nodePath: string
  baseEnv: Record<string, string>
  log: RunLog
}

/** Fills in the defaults of `options`. */
export function runnerContext(options: ActionsRunnerOptions): RunnerContext {
  const baseEnv: Record<string, string> = {}
  for (const [key, value] of Object.entries(
    options.baseEnv ?? { PATH: process.env.PATH, LANG: process.env.LANG ?? 'C.UTF-8' },
  )) {
    if (value !== undefined) baseEnv[key] = value
  }
  return {
    ...options,
    clock: options.clock ?? (() => new Date()),
    nodePath: options.nodePath ?? process.execPath,
    baseEnv,
    log: createRunLog(options.secrets),
  }
}
