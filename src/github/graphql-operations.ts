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

const ISSUE_FIELDS = `fragment GoalIssueFields on Issue {
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
    goal: issue(number: $goal) @include(if: $withGoal) { ...GoalIssueFields }
    beads: issues(labels: [$label], states: [OPEN, CLOSED], first: 100, after: $after) {
      pageInfo { hasNextPage endCursor }
      nodes {
        ...GoalIssueFields
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

/** The answer of GOAL_ISSUES_QUERY. */
export type GoalIssuesAnswer = {
  repository: {
    goal?: IssueNode | null
    beads: {
      pageInfo: { hasNextPage: boolean; endCursor: string | null }
      nodes: (IssueNode & { closedByPullRequestsReferences: { nodes: (PullNode | null)[] } | null })[]
    }
  } | null
}

/** Every operation above, by name, for the schema test. */
export const GRAPHQL_OPERATIONS: Readonly<Record<string, string>> = {
  'organization project': projectQuery('organization'),
  'user project': projectQuery('user'),
  'add project item': ADD_PROJECT_ITEM,
  'set project item option': SET_PROJECT_ITEM_OPTION,
  'goal issues': GOAL_ISSUES_QUERY,
}
