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

/** Every operation above, by name, for the schema test. */
export const GRAPHQL_OPERATIONS: Readonly<Record<string, string>> = {
  'organization project': projectQuery('organization'),
  'user project': projectQuery('user'),
  'add project item': ADD_PROJECT_ITEM,
  'set project item option': SET_PROJECT_ITEM_OPTION,
}
