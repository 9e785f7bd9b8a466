/**
 * Every GraphQL operation the town sends to GitHub, in one place with the shape of its answer, so that
 * a test can validate each against GitHub's published schema (@octokit/graphql-schema).
 */

/** The owner kinds a Projects v2 board can belong to; apps can use organisation boards only. */
export type ProjectOwnerKind = 'organization' | 'user'

/** A project and its single-select field as the project query answers it. */
export type ProjectAnswer = {
  id: string
  title: string
  field: { id?: string; name?: string; options?: { id: string; name: string }[] } | null
} | null

/** Project `$number` of `$owner` with its single-select field `$field`. */
export function projectQuery(kind: ProjectOwnerKind): string {
  return `query($owner: String!, $number: Int!, $field: String!) {
  ${kind}(login: $owner) {
    projectV2(number: $number) {
      id
      title
      field(name: $field) {
        ... on ProjectV2SingleSelectField { id name options { id name } }
      }
    }
  }
}`
}

/** The answer of `projectQuery(kind)`. */
export type ProjectQueryAnswer<K extends ProjectOwnerKind> = Record<K, { projectV2: ProjectAnswer } | null>

/** Adds an issue or pull request to a project; adding twice answers the same item. */
export const ADD_PROJECT_ITEM = `mutation($project: ID!, $content: ID!) {
  addProjectV2ItemById(input: { projectId: $project, contentId: $content }) { item { id } }
}`

/** The answer of ADD_PROJECT_ITEM. */
export type AddProjectItemAnswer = { addProjectV2ItemById: { item: { id: string } } }

/** Sets a single-select field of an item to one of its options. */
export const SET_PROJECT_ITEM_OPTION = `mutation($project: ID!, $item: ID!, $field: ID!, $option: String!) {
  updateProjectV2ItemFieldValue(input: {
    projectId: $project, itemId: $item, fieldId: $field, value: { singleSelectOptionId: $option }
  }) { projectV2Item { id } }
}`

/* The goal query (goal-query.ts reads its answer). */

/** The fields of an issue that REST's issue answer gives the town (IssueData). */
const ISSUE_FIELDS = `fragment IssueFields on Issue {
  id
  fullDatabaseId
  number
  title
  body
  state
  stateReason
  url
  createdAt
  updatedAt
  closedAt
  author { login }
  labels(first: 100) { nodes { name } }
}`

/**
 * The goal issue and one page of the repository's issues labelled `$label`. GitHub caps every `first` at
 * 100; a bead has one PR that closes it (at most a handful after retries) and its reviews fit a page in
 * practice, so the nested pages are read only when one overflows (see readGoalIssues).
 */
export const GOAL_ISSUES_QUERY = `query GoalIssues($owner: String!, $repo: String!, $goal: Int!, $label: String!, $after: String, $withGoal: Boolean!) {
  repository(owner: $owner, name: $repo) {
    goal: issue(number: $goal) @include(if: $withGoal) { ...IssueFields subIssuesSummary { total } }
    beads: issues(labels: [$label], states: [OPEN, CLOSED], first: 100, after: $after) {
      pageInfo { hasNextPage endCursor }
      nodes {
        ...IssueFields
        closedByPullRequestsReferences(first: 10, includeClosedPrs: true) {
          nodes {
            number
            state
            merged
            mergeable
            mergeStateStatus
            headRefOid
            isDraft
            reviews(first: 100) {
              pageInfo { hasNextPage }
              nodes { fullDatabaseId author { login } state body submittedAt }
            }
          }
        }
      }
    }
  }
}
${ISSUE_FIELDS}`

/**
 * Creates an issue as a sub-issue of `$parent`, with its labels, in one request: REST needs a second,
 * content-creating `POST …/sub_issues` (https://docs.github.com/en/graphql/reference/mutations#createissue).
 */
export const CREATE_SUB_ISSUE = `mutation CreateSubIssue($repository: ID!, $parent: ID!, $title: String!, $body: String!, $labels: [ID!]) {
  createIssue(input: { repositoryId: $repository, parentIssueId: $parent, title: $title, body: $body, labelIds: $labels }) {
    issue { ...IssueFields }
  }
}
${ISSUE_FIELDS}`

/** An issue as the goal query reads it. */
export type IssueNode = {
  id: string
  fullDatabaseId: string | number | null
  number: number
  title: string
  body: string
  state: 'OPEN' | 'CLOSED'
  stateReason: 'COMPLETED' | 'NOT_PLANNED' | 'REOPENED' | 'DUPLICATE' | null
  url: string
  createdAt: string
  updatedAt: string
  closedAt: string | null
  author: { login: string } | null
  labels: { nodes: { name: string }[] } | null
}

/** A pull request that closes a bead, as the goal query reads it. */
export type PullNode = {
  number: number
  state: 'OPEN' | 'CLOSED' | 'MERGED'
  merged: boolean
  mergeable: 'MERGEABLE' | 'CONFLICTING' | 'UNKNOWN'
  mergeStateStatus: string
  headRefOid: string
  isDraft: boolean
  reviews: {
    pageInfo: { hasNextPage: boolean }
    nodes: {
      fullDatabaseId: string | number | null
      author: { login: string } | null
      state: string
      body: string
      submittedAt: string | null
    }[]
  } | null
}

/** The answer of CREATE_SUB_ISSUE. */
export type CreateSubIssueAnswer = { createIssue: { issue: IssueNode | null } | null }

/** The answer of GOAL_ISSUES_QUERY. */
export type GoalIssuesAnswer = {
  repository: {
    goal?: (IssueNode & { subIssuesSummary?: { total: number } }) | null
    beads: {
      pageInfo: { hasNextPage: boolean; endCursor: string | null }
      nodes: (IssueNode & { closedByPullRequestsReferences: { nodes: (PullNode | null)[] } | null })[]
    }
  } | null
}

/* The worker's reads (bead-context-query.ts reads their answers). */

/**
 * What a worker reads before it claims, in one request: the default branch and its head, the trusted
 * config's text on the default branch (`$config` is `HEAD:<path>`: HEAD is the default branch on GitHub),
 * and the bead issue with its sub-issue parent, which is normally its goal.
 */
export const BEAD_START_QUERY = `query BeadStart($owner: String!, $repo: String!, $bead: Int!, $config: String!) {
  repository(owner: $owner, name: $repo) {
    id
    defaultBranchRef { name target { oid } }
    config: object(expression: $config) { __typename ... on Blob { text isTruncated byteSize } }
    bead: issue(number: $bead) {
      ...IssueFields
      parent { number title body subIssues(first: 100) { nodes { ...IssueFields } } }
    }
  }
}
${ISSUE_FIELDS}`

/**
 * Opens a pull request and reads issue `$issue` (the bead it closes) afresh in the same round trip: a
 * mutation's payload is read after the mutation is carried out.
 */
export const OPEN_PULL_MUTATION = `mutation OpenPull($input: CreatePullRequestInput!, $issue: Int!) {
  createPullRequest(input: $input) {
    pullRequest { number repository { issue(number: $issue) { ...IssueFields } } }
  }
}
${ISSUE_FIELDS}`

/** The answer of OPEN_PULL_MUTATION. */
export type OpenPullAnswer = {
  createPullRequest: {
    pullRequest: { number: number; repository: { issue: IssueNode | null } }
  } | null
}

/** A goal as a worker reads it: what the agent is told of it. */
export type GoalNode = { number: number; title: string; body: string }

/** The answer of BEAD_START_QUERY. */
export type BeadStartAnswer = {
  repository: {
    id: string
    defaultBranchRef: { name: string; target: { oid: string } | null } | null
    config: { __typename: string; text?: string | null; isTruncated?: boolean; byteSize?: number } | null
    bead: (IssueNode & { parent: (GoalNode & { subIssues?: { nodes: IssueNode[] } }) | null }) | null
  } | null
}

/** The alias of the `index`-th issue of beadIssuesQuery. */
export function beadIssueAlias(index: number): `dep${number}` {
  return `dep${index}`
}

/**
 * `count` issues by number (`$dep0`, `$dep1`, …, answered as `dep0`, `dep1`, …: a bead's dependencies)
 * and, with `$withGoal`, the goal issue `$goal`, in one request.
 */
export function beadIssuesQuery(count: number): string {
  const indexes = Array.from({ length: count }, (_, index) => index)
  const variables = indexes.map((index) => `, $${beadIssueAlias(index)}: Int!`).join('')
  const fields = indexes
    .map(
      (index) =>
        `\n    ${beadIssueAlias(index)}: issue(number: $${beadIssueAlias(index)}) { ...IssueFields }`,
    )
    .join('')
  return `query BeadIssues($owner: String!, $repo: String!, $goal: Int!, $withGoal: Boolean!${variables}) {
  repository(owner: $owner, name: $repo) {
    goal: issue(number: $goal) @include(if: $withGoal) { number title body }${fields}
  }
}${count > 0 ? `\n${ISSUE_FIELDS}` : ''}`
}

/** The answer of `beadIssuesQuery(count)`: `goal` and `dep0`… (null where GitHub found no issue). */
export type BeadIssuesAnswer = {
  repository: { goal?: GoalNode | null; [dep: `dep${number}`]: IssueNode | null | undefined } | null
}

/** Every operation above, by name, for the schema test. */
export const GRAPHQL_OPERATIONS: Readonly<Record<string, string>> = {
  'organization project': projectQuery('organization'),
  'user project': projectQuery('user'),
  'add project item': ADD_PROJECT_ITEM,
  'set project item option': SET_PROJECT_ITEM_OPTION,
  'goal issues': GOAL_ISSUES_QUERY,
  'create sub-issue': CREATE_SUB_ISSUE,
  'bead start': BEAD_START_QUERY,
  'bead issues': beadIssuesQuery(2),
  'goal alone': beadIssuesQuery(0),
}
