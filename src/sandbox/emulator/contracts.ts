/**
 * The seams between the emulator's parts: the HTTP server and REST state (server.ts and its routes) use
 * the git host, the Actions runner and the GraphQL Projects handler only through these interfaces.
 */
import type { IncomingMessage, ServerResponse } from 'node:http'

/** Who a request acts as, once its token is checked. */
export interface Actor {
  login: string
  id: number
  type: 'User' | 'Bot'
}

/** A token's permissions by name (`issues`, `pull_requests`, …), each `read` or `write` (permissions.ts). */
export type TokenPermissions = Record<string, 'read' | 'write'>

/** Access an actor has to one repository, as GitHub's collaborator permission names it. */
export type Permission = 'admin' | 'write' | 'triage' | 'read' | 'none'

/** Decides who a git or GraphQL request is from; null when its credentials are missing or wrong. */
export type Authorize = (
  req: IncomingMessage,
) => { actor: Actor; permission: (repo: string) => Permission } | null

/** A push that moved one ref, reported after git accepted it. */
export interface PushEvent {
  repo: string
  ref: string
  before: string
  after: string
  pusher: Actor
}

/** One changed file between two commits, shaped like GitHub's pull request files. */
export interface ChangedFile {
  filename: string
  status: 'added' | 'removed' | 'modified' | 'renamed'
  additions: number
  deletions: number
  changes: number
  patch?: string
  previous_filename?: string
}

/** Real bare git repositories on disk, served over smart HTTP at `/<owner>/<repo>.git`. */
export interface GitHost {
  /** Directory holding the bare repositories. */
  readonly root: string
  /** Creates a bare repository whose default branch holds `files` in one initial commit. */
  createRepo(
    repo: string,
    options: { defaultBranch: string; files?: Record<string, string>; message?: string },
  ): Promise<{ headSha: string }>
  /** Serves a smart-HTTP request (clone, fetch, push); answers false when the path is not a git path. */
  handle(req: IncomingMessage, res: ServerResponse): Promise<boolean>
  /** Every branch with its head commit. */
  branches(repo: string): Promise<{ name: string; sha: string }[]>
  /** The commit a full ref (`refs/heads/x`, `refs/gastown/claims/1-1`) points at, or null. */
  resolveRef(repo: string, ref: string): Promise<string | null>
  /** Every ref under a prefix (e.g. `refs/gastown/`). */
  listRefs(repo: string, prefix: string): Promise<{ ref: string; sha: string }[]>
  /** Creates a ref; answers false, changing nothing, when it exists already. */
  createRef(repo: string, ref: string, sha: string): Promise<boolean>
  /** Moves a ref; with `force` false, refuses anything but a fast-forward (answers false). */
  updateRef(repo: string, ref: string, sha: string, force: boolean): Promise<boolean>
  /** Deletes a ref; false when it did not exist. */
  deleteRef(repo: string, ref: string): Promise<boolean>
  /** Whether `sha` names a commit in the repository. */
  hasCommit(repo: string, sha: string): Promise<boolean>
  /** Merges head into base as a real commit on base (merge or squash); conflict when it cannot. */
  merge(
    repo: string,
    options: { base: string; head: string; message: string; method: 'merge' | 'squash'; author: Actor },
  ): Promise<{ sha: string } | { conflict: true }>
  /** Whether commit `ancestor` is reachable from `descendant` (both revisions of the repository). */
  isAncestor(repo: string, ancestor: string, descendant: string): Promise<boolean>
  /** Whether head merges cleanly into base, without changing anything. */
  mergeable(repo: string, base: string, head: string): Promise<boolean>
  /** Files changed on head since its merge base with base, with unified-diff patches. */
  compare(
    repo: string,
    base: string,
    head: string,
  ): Promise<{ mergeBase: string; files: ChangedFile[]; commits: { sha: string; message: string }[] }>
  /** A file's content at a ref, or null. */
  readFile(repo: string, ref: string, path: string): Promise<Buffer | null>
  /** Entries of a directory at a ref. */
  listTree(
    repo: string,
    ref: string,
    path?: string,
  ): Promise<{ path: string; type: 'blob' | 'tree'; sha: string; size?: number }[]>
  /** Called after each accepted push, once per moved ref. */
  onPush(listener: (event: PushEvent) => void): void
  /** Removes the repositories from disk. */
  close(): Promise<void>
}

/** A workflow run as GitHub's REST API reports it (the fields the app and the runner use). */
export interface WorkflowRun {
  id: number
  run_number: number
  run_attempt: number
  name: string
  path: string
  repo: string
  /** The event that started the run: `workflow_dispatch`, or one a workflow's `on:` takes (workflow-triggers.ts). */
  event: string
  head_branch: string
  head_sha: string
  status: 'queued' | 'in_progress' | 'completed'
  conclusion: 'success' | 'failure' | 'cancelled' | null
  inputs: Record<string, string>
  actor: Actor
  created_at: string
  updated_at: string
  run_started_at: string | null
  /** The job's log: each step's output, in order. */
  log: string
  /** Values the steps wrote to GITHUB_OUTPUT, per step id. */
  outputs: Record<string, Record<string, string>>
  /** What the steps wrote to GITHUB_STEP_SUMMARY. */
  summary: string
  /** The event payload GITHUB_EVENT_PATH holds, for a run started by an event other than workflow_dispatch. */
  payload?: Record<string, unknown>
}

/** An event on a repository that may start workflow runs (webhook events, pushes, schedules). */
export interface RepositoryEvent {
  repo: string
  /** The event's name as `on:` spells it (`issues`, `push`, `workflow_run`, `schedule`, …). */
  event: string
  /** The payload as a workflow run reads it: the webhook's, without `installation`. */
  payload: Record<string, unknown>
  /** Who caused the event (the webhook's `sender`). */
  actor: Actor
  /** The commit whose workflow files run, and its branch; the default branch's head when absent. */
  at?: { sha: string; branch: string }
}

/** Thrown by `dispatch` for a request GitHub would refuse with 422 (unknown workflow, bad inputs). */
export class DispatchError extends Error {
  constructor(
    message: string,
    readonly status: 404 | 422,
  ) {
    super(message)
    this.name = 'DispatchError'
  }
}

/** Runs `workflow_dispatch` workflows as child processes, the way GitHub's hosted runner would. */
export interface ActionsRunner {
  /** Queues a run of `.github/workflows/<workflow>` at `ref`; rejects with DispatchError as GitHub would. */
  dispatch(request: {
    repo: string
    workflow: string
    ref: string
    inputs: Record<string, string>
    actor: Actor
  }): Promise<WorkflowRun>
  /**
   * Starts a run of every workflow whose `on:` takes `event`, unless a GITHUB_TOKEN caused it
   * (workflow-triggers.ts); answers the runs, queued.
   */
  trigger(event: RepositoryEvent): Promise<WorkflowRun[]>
  /** One run, or undefined. */
  get(id: number): WorkflowRun | undefined
  /** Runs of a repository, newest first, optionally of one workflow file. */
  list(repo: string, workflow?: string): WorkflowRun[]
  /** Kills a run's processes now; it completes with conclusion `cancelled` (or `failure` with `asFailure`). */
  kill(id: number, options?: { asFailure?: boolean }): Promise<boolean>
  /** Called on every status change of a run (queued, in_progress, completed). */
  onUpdate(listener: (run: WorkflowRun) => void): void
  /** Resolves when no run is queued or in progress. */
  idle(): Promise<void>
  /** Kills every run and removes workspaces. */
  close(): Promise<void>
}

/** What the GraphQL handler needs to know of issues and pull requests (global node ids). */
export interface ContentResolver {
  /** The issue or pull request behind a node id, or null. */
  resolve(
    nodeId: string,
  ): { type: 'Issue' | 'PullRequest'; repo: string; number: number; title: string } | null
  /** The node id of issue `number` of `repo`, or null. */
  issueNodeId(repo: string, number: number): string | null
}

/** The GraphQL endpoint: the Projects v2 subset and whatever else the app uses. */
export interface GraphqlEndpoint {
  /** Answers one POST /graphql request (already authenticated). */
  execute(
    body: { query: string; variables?: Record<string, unknown> },
    actor: Actor,
  ): Promise<{ data?: unknown; errors?: { message: string }[] }>
  /** Creates a project owned by a user or organisation, with a single-select Status field. */
  createProject(options: { owner: string; title: string; statusOptions: string[] }): {
    id: string
    number: number
  }
  /** The Status value of each item of a project, by content (repo#number). */
  snapshot(owner: string, number: number): { content: string; status: string | null }[]
}
