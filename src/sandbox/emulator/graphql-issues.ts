/**
 * The emulator's GraphQL for issues and pull requests, over GitHub's published schema
 * (@octokit/graphql-schema): a repository's issues by label and state, one issue or pull request by number,
 * an issue's labels, sub-issues and closing pull requests, a pull request's state, mergeability and reviews,
 * and the repository's default branch and a file's text by `object(expression: "<ref>:<path>")`.
 * A field it does not emulate answers null (an error for a non-null field), never a made-up value.
 * Connections follow GitHub's rules: `first` required and at most 100, and at most 500,000 nodes a query
 * (https://docs.github.com/en/graphql/overview/rate-limits-and-query-limits-for-the-graphql-api).
 */
import { schema as published } from '@octokit/graphql-schema'
import {
  buildSchema,
  graphql,
  parse,
  validate,
  type DocumentNode,
  type GraphQLError,
  type GraphQLSchema,
} from 'graphql'
import type { Credential } from './actors.js'
import type { GitHost } from './contracts.js'
import { connection, GithubGraphqlError, notFound } from './graphql-connection.js'
import { createIssueByMutation, type CreateIssueInput } from './graphql-create-issue.js'
import { createPullByMutation, type CreatePullRequestInput } from './graphql-create-pull.js'
import { checkNodeLimit } from './graphql-node-limit.js'
import { PROJECTS_SDL } from './graphql-projects-schema.js'
import { mergeabilityOf, type Mergeability } from './mergeability.js'
import { closingReferences } from './routes/pulls.js'
import { commitOf, entryAt } from './routes/repos.js'
import type { Services } from './routes/route-context.js'
import type { EmulatorState, IssueRecord, RepoRecord, ReviewRecord } from './state.js'

let publishedSchema: GraphQLSchema | undefined
/** GitHub's schema, built once per process (about a second and a half). */
function githubSchema(): GraphQLSchema {
  // This release defines two EnterpriseOwnerInfo fields twice, which SDL validation refuses.
  publishedSchema ??= buildSchema(published.idl, { assumeValidSDL: true })
  return publishedSchema
}

const projectsSchema = buildSchema(PROJECTS_SDL)

/** What the issues endpoint reads, and (for its mutations) the services REST's writes use. */
export interface IssuesGraphqlOptions {
  state: EmulatorState
  git: GitHost | null
  serverUrl: string
  /** Events, actors and shapes for `createIssue`; without them the endpoint answers queries only. */
  services?: Services
}

/** The issues endpoint: which queries it answers, and the answer. */
export interface IssuesGraphql {
  /** Whether a query is for this endpoint: one the Projects v2 subset cannot answer. */
  answers(query: string): boolean
  execute(
    body: { query: string; variables?: Record<string, unknown> },
    credential: Credential,
  ): Promise<{ data?: unknown; errors?: { message: string }[] }>
}

type Args = { first?: number | null; after?: string | null }

const actorObject = (state: EmulatorState, login: string) => {
  const account = state.account(login)
  return {
    __typename: account.type === 'Bot' ? 'Bot' : account.type,
    login: account.login,
    id: account.nodeId,
  }
}

/** Creates the issues endpoint over the emulator's state. */
export function createIssuesGraphql(options: IssuesGraphqlOptions): IssuesGraphql {
  const { state, git, serverUrl, services } = options

  const reviewObject = (review: ReviewRecord, repo: RepoRecord) => ({
    __typename: 'PullRequestReview',
    id: review.nodeId,
    fullDatabaseId: String(review.id),
    databaseId: review.id,
    author: actorObject(state, review.user),
    state: review.state,
    body: review.body,
    submittedAt: review.submittedAt,
    createdAt: review.submittedAt,
    authorCanPushToRepository: canPush(repo, review.user),
  })

  const canPush = (repo: RepoRecord, login: string) =>
    login.toLowerCase() === repo.owner.login.toLowerCase() ||
    ['write', 'admin'].includes(repo.access.get(login.toLowerCase()) ?? 'none')

  const common = (issue: IssueRecord, repo: RepoRecord) => ({
    id: issue.nodeId,
    databaseId: issue.id,
    fullDatabaseId: String(issue.id),
    number: issue.number,
    title: issue.title,
    body: issue.body ?? '',
    url: `${serverUrl}/${repo.fullName}/${issue.pull ? 'pull' : 'issues'}/${issue.number}`,
    createdAt: issue.createdAt,
    updatedAt: issue.updatedAt,
    closedAt: issue.closedAt,
    closed: issue.state === 'closed',
    author: actorObject(state, issue.user),
    labels: (args: Args) =>
      connection(
        issue.labels.flatMap((key) => {
          const label = repo.labels.get(key)
          return label ? [{ id: label.nodeId, name: label.name, color: label.color }] : []
        }),
        args,
        'labels',
      ),
  })

  const pullObject = (issue: IssueRecord, repo: RepoRecord): Record<string, unknown> => {
    const pull = issue.pull!
    // Computed once per object: `mergeable` and `mergeStateStatus` share one three-way merge.
    let computed: Promise<Mergeability | undefined> | undefined
    // As REST's pull-stats: GitHub answers UNKNOWN while it cannot compute, never an error.
    const mergeability = () =>
      (computed ??= git ? mergeabilityOf(git, repo.fullName, issue).catch(() => undefined) : undefined)
    return {
      __typename: 'PullRequest',
      ...common(issue, repo),
      state: pull.merged ? 'MERGED' : issue.state === 'closed' ? 'CLOSED' : 'OPEN',
      merged: pull.merged,
      mergedAt: pull.mergedAt,
      isDraft: pull.draft,
      headRefName: pull.headRef,
      headRefOid: pull.headSha,
      baseRefName: pull.baseRef,
      mergeable: async () => {
        const found = await mergeability()
        return found?.mergeable === true
          ? 'MERGEABLE'
          : found?.mergeable === false
            ? 'CONFLICTING'
            : 'UNKNOWN'
      },
      mergeStateStatus: async () => {
        if (pull.draft) return 'DRAFT'
        return ((await mergeability())?.state ?? 'unknown').toUpperCase()
      },
      reviews: (args: Args & { states?: string[] | null }) =>
        connection(
          [...state.reviews.values()]
            .filter((review) => review.issueId === issue.id)
            .filter((review) => !args.states || args.states.includes(review.state))
            .sort((a, b) => a.id - b.id)
            .map((review) => reviewObject(review, repo)),
          args,
          'reviews',
        ),
    }
  }

  const issueObject = (issue: IssueRecord, repo: RepoRecord): Record<string, unknown> => ({
    __typename: 'Issue',
    ...common(issue, repo),
    state: issue.state === 'closed' ? 'CLOSED' : 'OPEN',
    stateReason: issue.stateReason?.toUpperCase() ?? null,
    parent: () => {
      const parent = issue.parentId === null ? undefined : state.issues.get(issue.parentId)
      return parent ? issueObject(parent, repo) : null
    },
    // Closed sub-issues count in `total`, as they count against the cap of 100
    // (https://docs.github.com/en/graphql/reference/objects#subissuessummary).
    subIssuesSummary: () => {
      const children = issue.subIssueIds.flatMap((id) => state.issues.get(id) ?? [])
      const completed = children.filter((child) => child.state === 'closed').length
      return {
        total: children.length,
        completed,
        percentCompleted: children.length === 0 ? 0 : Math.floor((completed * 100) / children.length),
      }
    },
    subIssues: (args: Args) =>
      connection(
        issue.subIssueIds.flatMap((id) => {
          const sub = state.issues.get(id)
          return sub ? [issueObject(sub, repo)] : []
        }),
        args,
        'subIssues',
      ),
    // A pull request into the default branch whose body has a closing keyword and the issue's number
    // (https://docs.github.com/en/issues/tracking-your-work-with-issues/using-issues/linking-a-pull-request-to-an-issue).
    closedByPullRequestsReferences: (args: Args & { includeClosedPrs?: boolean | null }) =>
      connection(
        state
          .issuesOf(repo.fullName)
          .filter(
            (candidate) =>
              candidate.pull !== null &&
              candidate.pull.baseRef === repo.defaultBranch &&
              (args.includeClosedPrs === true || candidate.state === 'open') &&
              closingReferences(candidate.body).includes(issue.number),
          )
          .map((candidate) => pullObject(candidate, repo)),
        args,
        'closedByPullRequestsReferences',
      ),
  })

  /**
   * The git object `<rev>:<path>` names, as `Repository.object(expression:)` answers it
   * (https://docs.github.com/en/graphql/reference/objects#repository): a Blob with its text (null when
   * binary: https://docs.github.com/en/graphql/reference/objects#blob) or a Tree; null when the revision
   * or the path does not exist. `HEAD` is the default branch, as on GitHub. Only `<rev>:<path>` is
   * emulated; any other expression answers null. The emulator never truncates a text.
   */
  const gitObject = async (repo: RepoRecord, expression: string | null | undefined) => {
    const match = /^([^:]+):(.+)$/.exec(expression ?? '')
    if (!git || !match) return null
    const sha = await commitOf(git, repo.fullName, match[1] === 'HEAD' ? repo.defaultBranch : match[1]!)
    if (!sha) return null
    const path = match[2]!.replace(/^\/+|\/+$/g, '')
    const entry = await entryAt(git, repo.fullName, sha, path)
    if (!entry) return null
    if (entry.type === 'tree') return { __typename: 'Tree', oid: entry.sha }
    const content = await git.readFile(repo.fullName, sha, path)
    if (!content) return null
    // Git's own test for binary content: a NUL byte in the first 8000 bytes.
    const binary = content.subarray(0, 8000).includes(0)
    return {
      __typename: 'Blob',
      oid: entry.sha,
      abbreviatedOid: entry.sha.slice(0, 7),
      byteSize: content.length,
      isBinary: binary,
      isTruncated: false,
      text: binary ? null : content.toString('utf8'),
    }
  }

  /** The default branch and its head commit; null while the repository has no commit. */
  const defaultBranchRef = async (repo: RepoRecord) => {
    const sha = git ? await git.resolveRef(repo.fullName, `refs/heads/${repo.defaultBranch}`) : null
    if (!sha) return null
    return {
      __typename: 'Ref',
      name: repo.defaultBranch,
      prefix: 'refs/heads/',
      target: { __typename: 'Commit', oid: sha, abbreviatedOid: sha.slice(0, 7) },
    }
  }

  const repositoryObject = (repo: RepoRecord, credential: Credential): Record<string, unknown> => {
    const needs = (permission: 'issues' | 'pull_requests' | 'contents') => {
      const granted = credential.permissions
      if (granted && granted[permission] === undefined) {
        throw new GithubGraphqlError('FORBIDDEN', 'Resource not accessible by integration')
      }
    }
    const byNumber = (number: number, kind: 'Issue' | 'PullRequest') => {
      const found = state.issue(repo.fullName, number)
      if (!found || (found.pull !== null) !== (kind === 'PullRequest')) {
        throw notFound(
          `Could not resolve to ${kind === 'Issue' ? 'an Issue' : 'a PullRequest'} with the number of ${number}.`,
        )
      }
      return found
    }
    return {
      __typename: 'Repository',
      id: repo.nodeId,
      name: repo.name,
      nameWithOwner: repo.fullName,
      // The branch's name is repository metadata, which every token may read.
      defaultBranchRef: () => defaultBranchRef(repo),
      // A file's content needs "Contents" read, as the contents API does
      // (https://docs.github.com/en/rest/authentication/permissions-required-for-github-apps#repository-permissions-for-contents).
      object: ({ expression }: { expression?: string | null }) => {
        needs('contents')
        return gitObject(repo, expression)
      },
      issue: ({ number }: { number: number }) => {
        needs('issues')
        return issueObject(byNumber(number, 'Issue'), repo)
      },
      pullRequest: ({ number }: { number: number }) => {
        needs('pull_requests')
        return pullObject(byNumber(number, 'PullRequest'), repo)
      },
      issues: (args: Args & { labels?: string[] | null; states?: string[] | null }) => {
        needs('issues')
        const labels = (args.labels ?? []).map((name) => name.toLowerCase())
        return connection(
          state
            .issuesOf(repo.fullName)
            .filter((issue) => issue.pull === null)
            .filter((issue) => !args.states || args.states.includes(issue.state.toUpperCase()))
            // GitHub's `labels` argument keeps issues with any of the labels.
            .filter((issue) => labels.length === 0 || labels.some((label) => issue.labels.includes(label)))
            .map((issue) => issueObject(issue, repo)),
          args,
          'issues',
        )
      },
    }
  }

  /** Whether `credential` may see `repo`: the same test for a query's `repository` and a mutation's ids. */
  const visibleTo = (repo: RepoRecord, credential: Credential): boolean => {
    const login = credential.actor.login.toLowerCase()
    return (
      (credential.repo === undefined || credential.repo.toLowerCase() === repo.fullName.toLowerCase()) &&
      (!repo.private ||
        (credential.kind === 'installation' &&
          state.installations.get(credential.installationId ?? -1)?.account.login.toLowerCase() ===
            repo.owner.login.toLowerCase()) ||
        credential.kind === 'actions' ||
        repo.owner.login.toLowerCase() === login ||
        repo.access.has(login))
    )
  }

  const rootValue = {
    repository: ({ owner, name }: { owner: string; name: string }, context: { credential: Credential }) => {
      const repo = state.repos.get(`${owner}/${name}`.toLowerCase())
      const { credential } = context
      if (!repo || !visibleTo(repo, credential)) {
        throw notFound(`Could not resolve to a Repository with the name '${owner}/${name}'.`)
      }
      return repositoryObject(repo, credential)
    },
    createIssue: async ({ input }: { input: CreateIssueInput }, context: { credential: Credential }) => {
      if (!services) throw new GithubGraphqlError('FORBIDDEN', 'This emulator answers GraphQL queries only.')
      const { credential } = context
      const { issue, repo } = await createIssueByMutation(services, credential, input, (candidate) =>
        visibleTo(candidate, credential),
      )
      return { issue: issueObject(issue, repo), clientMutationId: input.clientMutationId ?? null }
    },
    createPullRequest: async (
      { input }: { input: CreatePullRequestInput },
      context: { credential: Credential },
    ) => {
      if (!services) throw new GithubGraphqlError('FORBIDDEN', 'This emulator answers GraphQL queries only.')
      const { credential } = context
      const { issue, repo } = await createPullByMutation(services, credential, input, (candidate) =>
        visibleTo(candidate, credential),
      )
      // The payload is read after the pull request is made: its repository answers as a query's does.
      return {
        pullRequest: { ...pullObject(issue, repo), repository: () => repositoryObject(repo, credential) },
        clientMutationId: input.clientMutationId ?? null,
      }
    },
  }

  const shapeError = (error: GraphQLError) => {
    const original = error.originalError
    return {
      message: error.message,
      ...(original instanceof GithubGraphqlError ? { type: original.type } : {}),
      ...(error.path ? { path: error.path } : {}),
      ...(error.locations ? { locations: error.locations } : {}),
    }
  }

  return {
    answers(query) {
      let document: DocumentNode
      try {
        document = parse(query)
      } catch {
        return false
      }
      return validate(projectsSchema, document).length > 0
    },

    async execute(body, credential) {
      const schema = githubSchema()
      let document: DocumentNode
      try {
        document = parse(body.query)
      } catch (error) {
        return { errors: [{ message: (error as GraphQLError).message }] }
      }
      const invalid = validate(schema, document)
      if (invalid.length > 0) return { errors: invalid.map(shapeError) }
      const tooBig = checkNodeLimit(document, body.variables ?? {})
      if (tooBig) return { errors: [{ message: tooBig }] }
      const result = await graphql({
        schema,
        source: body.query,
        rootValue,
        contextValue: { credential },
        variableValues: body.variables ?? {},
      })
      const answer: { data?: unknown; errors?: { message: string }[] } = {}
      if (result.data !== undefined) answer.data = result.data
      if (result.errors?.length) answer.errors = result.errors.map(shapeError)
      return answer
    },
  }
}
