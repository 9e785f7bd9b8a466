/**
 * The Projects v2 subset of GitHub's GraphQL schema that the emulator serves (graphql-projects.ts). A test
 * (test/github/graphql-schema.test.ts) checks every type, field and argument here against GitHub's
 * published schema, @octokit/graphql-schema.
 */
/** The Projects v2 subset of GitHub's schema that the endpoint serves, in GitHub's own names and types. */
export const PROJECTS_SDL = /* GraphQL */ `
  scalar URI
  scalar DateTime
  scalar Date

  interface Node {
    id: ID!
  }

  type PageInfo {
    hasNextPage: Boolean!
    hasPreviousPage: Boolean!
    startCursor: String
    endCursor: String
  }

  interface ProjectV2Owner {
    id: ID!
    projectV2(number: Int!): ProjectV2
    projectsV2(first: Int, after: String, query: String): ProjectV2Connection!
  }

  interface RepositoryOwner {
    id: ID!
    login: String!
  }

  type User implements Node & ProjectV2Owner & RepositoryOwner {
    id: ID!
    login: String!
    projectV2(number: Int!): ProjectV2
    projectsV2(first: Int, after: String, query: String): ProjectV2Connection!
  }

  type Organization implements Node & ProjectV2Owner & RepositoryOwner {
    id: ID!
    login: String!
    projectV2(number: Int!): ProjectV2
    projectsV2(first: Int, after: String, query: String): ProjectV2Connection!
  }

  type Repository implements Node {
    id: ID!
    name: String!
    nameWithOwner: String!
    owner: RepositoryOwner!
    issue(number: Int!): Issue
    pullRequest(number: Int!): PullRequest
  }

  type Issue implements Node {
    id: ID!
    number: Int!
    title: String!
    url: URI!
    repository: Repository!
    projectItems(first: Int, after: String, includeArchived: Boolean = true): ProjectV2ItemConnection!
  }

  type PullRequest implements Node {
    id: ID!
    number: Int!
    title: String!
    url: URI!
    repository: Repository!
    projectItems(first: Int, after: String, includeArchived: Boolean = true): ProjectV2ItemConnection!
  }

  type DraftIssue implements Node {
    id: ID!
    title: String!
    body: String!
  }

  type ProjectV2 implements Node {
    id: ID!
    number: Int!
    title: String!
    url: URI!
    closed: Boolean!
    public: Boolean!
    shortDescription: String
    owner: ProjectV2Owner!
    createdAt: DateTime!
    updatedAt: DateTime!
    field(name: String!): ProjectV2FieldConfiguration
    fields(first: Int, after: String): ProjectV2FieldConfigurationConnection!
    items(first: Int, after: String): ProjectV2ItemConnection!
  }

  type ProjectV2Connection {
    nodes: [ProjectV2]
    edges: [ProjectV2Edge]
    pageInfo: PageInfo!
    totalCount: Int!
  }

  type ProjectV2Edge {
    cursor: String!
    node: ProjectV2
  }

  enum ProjectV2FieldType {
    ASSIGNEES
    DATE
    ITERATION
    LABELS
    LINKED_PULL_REQUESTS
    MILESTONE
    NUMBER
    REPOSITORY
    REVIEWERS
    SINGLE_SELECT
    TEXT
    TITLE
    TRACKS
    TRACKED_BY
  }

  enum ProjectV2CustomFieldType {
    DATE
    NUMBER
    SINGLE_SELECT
    TEXT
  }

  enum ProjectV2SingleSelectFieldOptionColor {
    BLUE
    GRAY
    GREEN
    ORANGE
    PINK
    PURPLE
    RED
    YELLOW
  }

  interface ProjectV2FieldCommon {
    id: ID!
    name: String!
    dataType: ProjectV2FieldType!
    project: ProjectV2!
  }

  type ProjectV2Field implements Node & ProjectV2FieldCommon {
    id: ID!
    name: String!
    dataType: ProjectV2FieldType!
    project: ProjectV2!
  }

  type ProjectV2SingleSelectField implements Node & ProjectV2FieldCommon {
    id: ID!
    name: String!
    dataType: ProjectV2FieldType!
    project: ProjectV2!
    options(names: [String!]): [ProjectV2SingleSelectFieldOption!]!
  }

  type ProjectV2SingleSelectFieldOption {
    id: String!
    name: String!
    nameHTML: String!
    color: ProjectV2SingleSelectFieldOptionColor!
    description: String!
    descriptionHTML: String!
  }

  union ProjectV2FieldConfiguration = ProjectV2Field | ProjectV2SingleSelectField

  type ProjectV2FieldConfigurationConnection {
    nodes: [ProjectV2FieldConfiguration]
    edges: [ProjectV2FieldConfigurationEdge]
    pageInfo: PageInfo!
    totalCount: Int!
  }

  type ProjectV2FieldConfigurationEdge {
    cursor: String!
    node: ProjectV2FieldConfiguration
  }

  enum ProjectV2ItemType {
    DRAFT_ISSUE
    ISSUE
    PULL_REQUEST
    REDACTED
  }

  union ProjectV2ItemContent = DraftIssue | Issue | PullRequest

  type ProjectV2Item implements Node {
    id: ID!
    type: ProjectV2ItemType!
    isArchived: Boolean!
    content: ProjectV2ItemContent
    project: ProjectV2!
    createdAt: DateTime!
    updatedAt: DateTime!
    fieldValueByName(name: String!): ProjectV2ItemFieldValue
    fieldValues(first: Int, after: String): ProjectV2ItemFieldValueConnection!
  }

  type ProjectV2ItemConnection {
    nodes: [ProjectV2Item]
    edges: [ProjectV2ItemEdge]
    pageInfo: PageInfo!
    totalCount: Int!
  }

  type ProjectV2ItemEdge {
    cursor: String!
    node: ProjectV2Item
  }

  type ProjectV2ItemFieldSingleSelectValue implements Node {
    id: ID!
    name: String
    optionId: String
    color: ProjectV2SingleSelectFieldOptionColor!
    field: ProjectV2FieldConfiguration!
    item: ProjectV2Item!
  }

  type ProjectV2ItemFieldTextValue implements Node {
    id: ID!
    text: String
    field: ProjectV2FieldConfiguration!
    item: ProjectV2Item!
  }

  type ProjectV2ItemFieldNumberValue implements Node {
    id: ID!
    number: Float
    field: ProjectV2FieldConfiguration!
    item: ProjectV2Item!
  }

  type ProjectV2ItemFieldDateValue implements Node {
    id: ID!
    date: Date
    field: ProjectV2FieldConfiguration!
    item: ProjectV2Item!
  }

  union ProjectV2ItemFieldValue =
    | ProjectV2ItemFieldDateValue
    | ProjectV2ItemFieldNumberValue
    | ProjectV2ItemFieldSingleSelectValue
    | ProjectV2ItemFieldTextValue

  type ProjectV2ItemFieldValueConnection {
    nodes: [ProjectV2ItemFieldValue]
    pageInfo: PageInfo!
    totalCount: Int!
  }

  input ProjectV2FieldValue {
    text: String
    number: Float
    date: Date
    singleSelectOptionId: String
    iterationId: String
  }

  input ProjectV2SingleSelectFieldOptionInput {
    name: String!
    color: ProjectV2SingleSelectFieldOptionColor!
    description: String!
  }

  input AddProjectV2ItemByIdInput {
    projectId: ID!
    contentId: ID!
    clientMutationId: String
  }

  type AddProjectV2ItemByIdPayload {
    item: ProjectV2Item
    clientMutationId: String
  }

  input UpdateProjectV2ItemFieldValueInput {
    projectId: ID!
    itemId: ID!
    fieldId: ID!
    value: ProjectV2FieldValue!
    clientMutationId: String
  }

  type UpdateProjectV2ItemFieldValuePayload {
    projectV2Item: ProjectV2Item
    clientMutationId: String
  }

  input ClearProjectV2ItemFieldValueInput {
    projectId: ID!
    itemId: ID!
    fieldId: ID!
    clientMutationId: String
  }

  type ClearProjectV2ItemFieldValuePayload {
    projectV2Item: ProjectV2Item
    clientMutationId: String
  }

  input DeleteProjectV2ItemInput {
    projectId: ID!
    itemId: ID!
    clientMutationId: String
  }

  type DeleteProjectV2ItemPayload {
    deletedItemId: ID
    clientMutationId: String
  }

  input CreateProjectV2Input {
    ownerId: ID!
    title: String!
    repositoryId: ID
    teamId: ID
    clientMutationId: String
  }

  type CreateProjectV2Payload {
    projectV2: ProjectV2
    clientMutationId: String
  }

  input CreateProjectV2FieldInput {
    projectId: ID!
    dataType: ProjectV2CustomFieldType!
    name: String!
    singleSelectOptions: [ProjectV2SingleSelectFieldOptionInput!]
    clientMutationId: String
  }

  type CreateProjectV2FieldPayload {
    projectV2Field: ProjectV2FieldConfiguration
    clientMutationId: String
  }

  type Query {
    node(id: ID!): Node
    nodes(ids: [ID!]!): [Node]!
    viewer: User!
    user(login: String!): User
    organization(login: String!): Organization
    repository(owner: String!, name: String!): Repository
  }

  type Mutation {
    addProjectV2ItemById(input: AddProjectV2ItemByIdInput!): AddProjectV2ItemByIdPayload
    updateProjectV2ItemFieldValue(
      input: UpdateProjectV2ItemFieldValueInput!
    ): UpdateProjectV2ItemFieldValuePayload
    clearProjectV2ItemFieldValue(
      input: ClearProjectV2ItemFieldValueInput!
    ): ClearProjectV2ItemFieldValuePayload
    deleteProjectV2Item(input: DeleteProjectV2ItemInput!): DeleteProjectV2ItemPayload
    createProjectV2(input: CreateProjectV2Input!): CreateProjectV2Payload
    createProjectV2Field(input: CreateProjectV2FieldInput!): CreateProjectV2FieldPayload
  }
`
