/**
 * The emulator's in-memory store: accounts, repositories, labels, issues and pull requests (one number space
 * per repository, as on GitHub), comments, reviews, installations. Routes read and change it; git data lives
 * in the git host.
 */
import type { ContentResolver, Permission } from './contracts.js'

/** A user, organisation or bot account. */
export interface AccountRecord {
  login: string
  id: number
  nodeId: string
  type: 'User' | 'Organization' | 'Bot'
}

/** A repository label. */
export interface LabelRecord {
  id: number
  nodeId: string
  name: string
  color: string
  description: string | null
  default: boolean
}

/** A repository and its metadata (its commits live in the git host). */
export interface RepoRecord {
  id: number
  nodeId: string
  owner: AccountRecord
  name: string
  fullName: string
  private: boolean
  defaultBranch: string
  description: string | null
  createdAt: string
  updatedAt: string
  pushedAt: string
  /** Collaborators' access by login (the owner is admin without an entry). */
  access: Map<string, Permission>
  nextNumber: number
  /** Labels by lower-cased name, as GitHub matches them. */
  labels: Map<string, LabelRecord>
}

/** What makes an issue a pull request. */
export interface PullRecord {
  headRef: string
  headSha: string
  baseRef: string
  baseSha: string
  merged: boolean
  mergedAt: string | null
  /**
   * When it merged, to the millisecond (GitHub shows seconds): the sandbox's timeline needs it, as a
   * merge may dispatch the next bead within the same second.
   */
  mergedAtMs?: number
  mergedBy: string | null
  mergeCommitSha: string | null
  draft: boolean
}

/** An issue or, with `pull`, a pull request. */
export interface IssueRecord {
  id: number
  nodeId: string
  repo: string
  number: number
  title: string
  body: string | null
  state: 'open' | 'closed'
  stateReason: 'completed' | 'not_planned' | 'reopened' | 'duplicate' | null
  user: string
  /** Label keys (lower-cased names) in the order they were added. */
  labels: string[]
  assignees: string[]
  createdAt: string
  updatedAt: string
  closedAt: string | null
  closedBy: string | null
  comments: number
  locked: boolean
  /** Id of the parent issue when this is a sub-issue. */
  parentId: number | null
  subIssueIds: number[]
  /** Ids of the issues blocking this one. */
  blockedBy: number[]
  pull: PullRecord | null
}

/** A comment on an issue or pull request conversation. */
export interface CommentRecord {
  id: number
  nodeId: string
  issueId: number
  body: string
  user: string
  createdAt: string
  updatedAt: string
}

/** A submitted pull request review. */
export interface ReviewRecord {
  id: number
  nodeId: string
  issueId: number
  user: string
  body: string
  state: 'COMMENTED' | 'APPROVED' | 'CHANGES_REQUESTED'
  commitId: string
  submittedAt: string
}

/** An inline comment of a review, anchored to a line of the diff. */
export interface ReviewCommentRecord {
  id: number
  nodeId: string
  reviewId: number
  issueId: number
  path: string
  line: number
  side: 'LEFT' | 'RIGHT'
  body: string
  user: string
  commitId: string
  diffHunk: string
  position: number
  /** The comment this one answers, in a review thread. */
  inReplyTo: number | null
  createdAt: string
  updatedAt: string
}

/** A commit status (CI services other than Actions) or a check run (Actions CI), on one commit. */
export interface CommitCheckRecord {
  id: number
  kind: 'status' | 'check-run'
  repo: string
  sha: string
  /** The status's `context` or the check run's `name`. */
  name: string
  /** Status: error, failure, pending, success. Check run: queued, in_progress, completed. */
  state: string
  /** A completed check run's conclusion (success, failure, neutral, ...); null otherwise. */
  conclusion: string | null
  description: string | null
  targetUrl: string | null
  creator: string
  createdAt: string
  updatedAt: string
}

/** The app installed on an account, for all of its repositories. */
export interface InstallationRecord {
  id: number
  account: AccountRecord
  createdAt: string
}

/** The store and the few lookups every route needs. */
export interface EmulatorState {
  accounts: Map<string, AccountRecord>
  repos: Map<string, RepoRecord>
  issues: Map<number, IssueRecord>
  comments: Map<number, CommentRecord>
  reviews: Map<number, ReviewRecord>
  reviewComments: Map<number, ReviewCommentRecord>
  installations: Map<number, InstallationRecord>
  /** Commit statuses and check runs, by id. */
  checks: Map<number, CommitCheckRecord>
  /** Workflow ids by `owner/repo:path`, assigned on first sight. */
  workflowIds: Map<string, number>
  /** A fresh id, unique across every kind of object. */
  nextId(): number
  /** The current time as GitHub writes it (`2024-01-01T00:00:00Z`). */
  timestamp(): string
  /** The account with this login, created as a user on first sight. */
  account(login: string, type?: AccountRecord['type']): AccountRecord
  /** Issue or pull request `number` of repository `fullName`. */
  issue(fullName: string, number: number): IssueRecord | undefined
  /** Issues and pull requests of a repository, by number. */
  issuesOf(fullName: string): IssueRecord[]
  /** The installation covering a repository owner, if the app is installed there. */
  installationFor(ownerLogin: string): InstallationRecord | undefined
  /** The issue or pull request with a global node id. */
  issueByNodeId(nodeId: string): IssueRecord | undefined
}

/** A node id in GitHub's current format: a type prefix and an opaque base64 part. */
export function nodeIdFor(prefix: string, id: number): string {
  return `${prefix}_kwDO${Buffer.from(`0${id}`).toString('base64url')}`
}

/**
 * A new open issue (or, with `pull`, pull request) numbered next in its repository and stored, with
 * nothing on it yet: no labels, assignees, comments or links, as GitHub creates one.
 */
export function addIssueRecord(
  state: EmulatorState,
  repo: Pick<RepoRecord, 'fullName' | 'nextNumber'>,
  fields: { title: string; body: string | null; user: string; pull?: PullRecord },
): IssueRecord {
  const now = state.timestamp()
  const id = state.nextId()
  const issue: IssueRecord = {
    id,
    nodeId: nodeIdFor(fields.pull ? 'PR' : 'I', id),
    repo: repo.fullName,
    number: repo.nextNumber++,
    title: fields.title,
    body: fields.body,
    state: 'open',
    stateReason: null,
    user: fields.user,
    labels: [],
    assignees: [],
    createdAt: now,
    updatedAt: now,
    closedAt: null,
    closedBy: null,
    comments: 0,
    locked: false,
    parentId: null,
    subIssueIds: [],
    blockedBy: [],
    pull: fields.pull ?? null,
  }
  state.issues.set(id, issue)
  return issue
}

/** Creates an empty store reading time from `clock`. */
export function createState(clock: () => number): EmulatorState {
  let counter = 1000
  const state: EmulatorState = {
    accounts: new Map(),
    repos: new Map(),
    issues: new Map(),
    comments: new Map(),
    reviews: new Map(),
    reviewComments: new Map(),
    installations: new Map(),
    checks: new Map(),
    workflowIds: new Map(),
    nextId: () => ++counter,
    timestamp: () => new Date(clock()).toISOString().replace(/\.\d{3}Z$/, 'Z'),
    account(login, type = 'User') {
      const existing = state.accounts.get(login.toLowerCase())
      if (existing) return existing
      const id = state.nextId()
      const prefix = type === 'Organization' ? 'O' : type === 'Bot' ? 'BOT' : 'U'
      const record: AccountRecord = { login, id, nodeId: nodeIdFor(prefix, id), type }
      state.accounts.set(login.toLowerCase(), record)
      return record
    },
    issue(fullName, number) {
      for (const issue of state.issues.values()) {
        if (issue.repo === fullName && issue.number === number) return issue
      }
      return undefined
    },
    issuesOf(fullName) {
      return [...state.issues.values()].filter((i) => i.repo === fullName).sort((a, b) => a.number - b.number)
    },
    installationFor(ownerLogin) {
      for (const installation of state.installations.values()) {
        if (installation.account.login.toLowerCase() === ownerLogin.toLowerCase()) return installation
      }
      return undefined
    },
    issueByNodeId(nodeId) {
      for (const issue of state.issues.values()) if (issue.nodeId === nodeId) return issue
      return undefined
    },
  }
  return state
}

/** Issues and pull requests by global node id, for the GraphQL endpoint. */
export function contentResolver(state: EmulatorState): ContentResolver {
  return {
    resolve(nodeId) {
      const issue = state.issueByNodeId(nodeId)
      if (!issue) return null
      const type = issue.pull ? ('PullRequest' as const) : ('Issue' as const)
      return { type, repo: issue.repo, number: issue.number, title: issue.title }
    },
    issueNodeId(repo, number) {
      const record = state.repos.get(repo.toLowerCase())
      return record ? (state.issue(record.fullName, number)?.nodeId ?? null) : null
    },
  }
}
