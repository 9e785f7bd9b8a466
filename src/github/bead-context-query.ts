/**
 * What a worker reads of GitHub, in GraphQL round trips instead of one REST request each: first the
 * default branch and its head, the trusted config's text on the default branch and the bead issue with
 * its sub-issue parent (normally its goal) and that parent's sub-issues (normally the goal's beads, the
 * bead's dependencies among them); then, when a dependency was not among them or the parent is not
 * its goal, those issues in one more request. It replaces REST reads of the repository, the config file,
 * the bead, the goal and each dependency.
 */
import type { GitHubApi, RepoRef } from './client.js'
import { issueFromNode } from './goal-query.js'
import {
  BEAD_START_QUERY,
  beadIssueAlias,
  beadIssuesQuery,
  type BeadIssuesAnswer,
  type BeadStartAnswer,
  type GoalNode,
} from './graphql-operations.js'
import type { IssueData } from './issues.js'
import { getFileText } from './repository.js'

/** A goal's number, title and body: what the agent is told of it. */
export type GoalText = GoalNode

/** What a worker reads before it claims. */
export interface BeadStart {
  /** The repository's GraphQL id, for mutations (the worker opens its PR by one). */
  repositoryId: string
  /** The default branch and the commit at its head; null in a repository with no commit yet. */
  defaultBranch: { name: string; headSha: string } | null
  /** The config file's text on the default branch; null when there is no such file. */
  configText: string | null
  /** The bead's issue; null when the number is no issue (none, or a pull request's). */
  bead: IssueData | null
  /** The bead issue's sub-issue parent, when it has one. */
  parent: GoalText | null
  /**
   * The parent's first 100 sub-issues (the bead's siblings, itself included): a goal's beads, among
   * them the bead's dependencies, which then need no request of their own.
   */
  siblings: IssueData[]
}

type GraphqlFailure = { data?: unknown; errors?: { type?: string; path?: readonly unknown[] }[] }

/**
 * The data of a partial answer whose only errors are NOT_FOUND at the given fields of the repository
 * (GitHub answers an error, not null, for `issue(number:)` of a number that is no issue); else rethrows.
 */
function withMissing<T>(fields: (name: string) => boolean): (error: unknown) => T {
  return (error) => {
    const { data, errors } = error as GraphqlFailure
    const onlyMissing =
      data !== undefined &&
      data !== null &&
      (errors ?? []).length > 0 &&
      (errors ?? []).every(
        (e) => e.type === 'NOT_FOUND' && e.path?.[0] === 'repository' && fields(String(e.path?.[1])),
      )
    if (!onlyMissing) throw error
    return data as T
  }
}

function noRepository(repo: RepoRef): Error {
  return new Error(
    `GitHub answered no repository ${repo.owner}/${repo.repo}: check that the token may read it.`,
  )
}

/**
 * The default branch, the file at `configPath` on it and bead issue `bead` with its parent, in one
 * request. The config is read at `HEAD:<path>`, HEAD being the default branch on GitHub: never from a
 * branch the dispatch named, which whoever may push could change. A text GitHub truncated is read again
 * whole through the contents API.
 */
export async function readBeadStart(
  api: GitHubApi,
  repo: RepoRef,
  { bead, configPath }: { bead: number; configPath: string },
): Promise<BeadStart> {
  const answer = await api
    .graphql<BeadStartAnswer>(BEAD_START_QUERY, {
      owner: repo.owner,
      repo: repo.repo,
      bead,
      config: `HEAD:${configPath}`,
    })
    .catch(withMissing<BeadStartAnswer>((field) => field === 'bead'))
  const repository = answer.repository
  if (!repository) throw noRepository(repo)
  const ref = repository.defaultBranchRef
  const defaultBranch = ref?.target?.oid === undefined ? null : { name: ref.name, headSha: ref.target.oid }
  const config = repository.config
  let configText: string | null = null
  if (config?.__typename === 'Blob') {
    configText =
      config.text === null || config.text === undefined || config.isTruncated === true
        ? await getFileText(api, repo, configPath, defaultBranch?.name)
        : config.text
  }
  const node = repository.bead
  const parent = node?.parent
  return {
    repositoryId: repository.id,
    defaultBranch,
    configText,
    bead: node ? issueFromNode(node) : null,
    parent: parent ? { number: parent.number, title: parent.title, body: parent.body } : null,
    siblings: (parent?.subIssues?.nodes ?? []).map(issueFromNode),
  }
}

/** A bead's goal (when asked for) and dependency issues, as GitHub answered them. */
export interface BeadIssues {
  /** The goal; undefined when not asked for, null when its number is no issue. */
  goal: GoalText | null | undefined
  /** The issues in the order of the numbers asked for; null where the number is no issue. */
  issues: (IssueData | null)[]
}

/**
 * Issues `numbers` and, when `goal` is given, the goal's title and body, in one request. A number that
 * is no issue (deleted, transferred, a pull request's) answers null rather than failing the others.
 */
export async function readBeadIssues(
  api: GitHubApi,
  repo: RepoRef,
  { goal, numbers }: { goal?: number; numbers: readonly number[] },
): Promise<BeadIssues> {
  if (goal === undefined && numbers.length === 0) return { goal: undefined, issues: [] }
  const variables: Record<string, unknown> = {
    owner: repo.owner,
    repo: repo.repo,
    goal: goal ?? 0,
    withGoal: goal !== undefined,
  }
  const aliases = numbers.map((_, index) => beadIssueAlias(index))
  aliases.forEach((alias, index) => (variables[alias] = numbers[index]))
  const answer = await api
    .graphql<BeadIssuesAnswer>(beadIssuesQuery(numbers.length), variables)
    .catch(
      withMissing<BeadIssuesAnswer>((field) => field === 'goal' || (aliases as string[]).includes(field)),
    )
  const repository = answer.repository
  if (!repository) throw noRepository(repo)
  return {
    goal: goal === undefined ? undefined : (repository.goal ?? null),
    issues: aliases.map((alias) => {
      const node = repository[alias]
      return node ? issueFromNode(node) : null
    }),
  }
}
