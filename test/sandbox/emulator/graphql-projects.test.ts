import fc from 'fast-check'
import { beforeEach, describe, expect, it } from 'vitest'
import type { Actor, ContentResolver, GraphqlEndpoint } from '../../../src/sandbox/emulator/contracts.js'
import { createGraphqlEndpoint } from '../../../src/sandbox/emulator/graphql-projects.js'

const mayor: Actor = { login: 'gastown-mayor[bot]', id: 900, type: 'Bot' }

interface Content {
  type: 'Issue' | 'PullRequest'
  repo: string
  number: number
  title: string
}

/** Issues and pull requests as the REST side would hold them, with GitHub-like node ids. */
function contentTable(entries: Content[]): ContentResolver & { byNumber(number: number): string } {
  const ids = new Map(
    entries.map((entry) => [`${entry.type === 'Issue' ? 'I' : 'PR'}_kwDO${entry.number}`, entry]),
  )
  return {
    resolve: (nodeId) => ids.get(nodeId) ?? null,
    issueNodeId: (repo, number) =>
      [...ids.entries()].find(([, entry]) => entry.repo === repo && entry.number === number)?.[0] ?? null,
    byNumber: (number) => [...ids.entries()].find(([, entry]) => entry.number === number)?.[0] ?? '',
  }
}

const contents: Content[] = [
  { type: 'Issue', repo: 'acme/widgets', number: 10, title: 'Goal: todo API' },
  { type: 'Issue', repo: 'acme/widgets', number: 11, title: 'Bead: schema' },
  { type: 'Issue', repo: 'acme/widgets', number: 12, title: 'Bead: routes' },
  { type: 'PullRequest', repo: 'acme/widgets', number: 13, title: 'Add routes' },
]

const PROJECT_QUERY = `
  query Board($login: String!, $number: Int!) {
    user(login: $login) {
      projectV2(number: $number) {
        id
        number
        title
        url
        field(name: "Status") {
          ... on ProjectV2SingleSelectField { id name options { id name } }
        }
        fields(first: 20) {
          nodes {
            ... on ProjectV2Field { id name dataType }
            ... on ProjectV2SingleSelectField { id name dataType options { id name } }
          }
          pageInfo { hasNextPage endCursor }
          totalCount
        }
      }
    }
  }
`

const ADD_ITEM = `
  mutation Add($projectId: ID!, $contentId: ID!) {
    addProjectV2ItemById(input: { projectId: $projectId, contentId: $contentId, clientMutationId: "m1" }) {
      item { id }
      clientMutationId
    }
  }
`

const SET_STATUS = `
  mutation Move($projectId: ID!, $itemId: ID!, $fieldId: ID!, $optionId: String!) {
    updateProjectV2ItemFieldValue(
      input: { projectId: $projectId, itemId: $itemId, fieldId: $fieldId, value: { singleSelectOptionId: $optionId } }
    ) {
      projectV2Item { id }
    }
  }
`

const ITEMS_QUERY = `
  query Items($id: ID!, $after: String) {
    node(id: $id) {
      ... on ProjectV2 {
        items(first: 2, after: $after) {
          nodes {
            id
            type
            content { ... on Issue { number title } ... on PullRequest { number } }
            fieldValueByName(name: "Status") { ... on ProjectV2ItemFieldSingleSelectValue { name optionId } }
          }
          pageInfo { hasNextPage endCursor }
          totalCount
        }
      }
    }
  }
`

let resolver: ReturnType<typeof contentTable>
let endpoint: GraphqlEndpoint
let project: { id: string; number: number }

async function run<T = Record<string, unknown>>(
  query: string,
  variables: Record<string, unknown> = {},
): Promise<T> {
  const result = await endpoint.execute({ query, variables }, mayor)
  if (result.errors) throw new Error(`GraphQL errors: ${JSON.stringify(result.errors)}`)
  return result.data as T
}

interface Board {
  user: {
    projectV2: {
      id: string
      number: number
      title: string
      url: string
      field: { id: string; name: string; options: { id: string; name: string }[] }
      fields: { nodes: { id: string; name: string; dataType: string }[]; totalCount: number }
    }
  }
}

async function board(): Promise<Board['user']['projectV2']> {
  return (await run<Board>(PROJECT_QUERY, { login: 'ada', number: project.number })).user.projectV2
}

async function addItem(contentId: string): Promise<string> {
  const data = await run<{ addProjectV2ItemById: { item: { id: string }; clientMutationId: string } }>(
    ADD_ITEM,
    {
      projectId: project.id,
      contentId,
    },
  )
  return data.addProjectV2ItemById.item.id
}

async function setStatus(itemId: string, status: string): Promise<void> {
  const { field } = await board()
  const option = field.options.find((entry) => entry.name === status)
  await run(SET_STATUS, { projectId: project.id, itemId, fieldId: field.id, optionId: option?.id })
}

beforeEach(() => {
  resolver = contentTable(contents)
  endpoint = createGraphqlEndpoint({ resolver, serverUrl: 'http://127.0.0.1:3000' })
  project = endpoint.createProject({
    owner: 'ada',
    title: 'Gas Town',
    statusOptions: ['Todo', 'In Progress', 'Done'],
  })
})

describe('createGraphqlEndpoint', () => {
  it('finds a user project with its Status field and options, with GitHub-style node ids', async () => {
    expect(project.number).toBe(1)
    expect(project.id).toMatch(/^PVT_/)
    const found = await board()
    expect(found).toMatchObject({
      id: project.id,
      number: 1,
      title: 'Gas Town',
      url: 'http://127.0.0.1:3000/users/ada/projects/1',
    })
    expect(found.field.id).toMatch(/^PVTSSF_/)
    expect(found.field.options.map((option) => option.name)).toEqual(['Todo', 'In Progress', 'Done'])
    expect(new Set(found.field.options.map((option) => option.id)).size).toBe(3)
    expect(found.fields.totalCount).toBe(2)
    expect(found.fields.nodes.map((field) => [field.name, field.dataType])).toEqual([
      ['Title', 'TITLE'],
      ['Status', 'SINGLE_SELECT'],
    ])
    expect(found.fields.nodes[0]?.id).toMatch(/^PVTF_/)
  })

  it('adds an issue once: adding the same content again answers the same item', async () => {
    const first = await addItem(resolver.byNumber(11))
    const again = await addItem(resolver.byNumber(11))
    expect(first).toMatch(/^PVTI_/)
    expect(again).toBe(first)
    expect(endpoint.snapshot('ada', 1)).toEqual([{ content: 'acme/widgets#11', status: null }])
    const echoed = await run<{ addProjectV2ItemById: { clientMutationId: string } }>(ADD_ITEM, {
      projectId: project.id,
      contentId: resolver.byNumber(12),
    })
    expect(echoed.addProjectV2ItemById.clientMutationId).toBe('m1')
  })

  it('moves an item between Status options and reads the value back by field name', async () => {
    const itemId = await addItem(resolver.byNumber(11))
    await setStatus(itemId, 'In Progress')
    expect(endpoint.snapshot('ada', 1)).toEqual([{ content: 'acme/widgets#11', status: 'In Progress' }])
    await setStatus(itemId, 'Done')
    const data = await run<{
      node: {
        items: {
          nodes: {
            id: string
            type: string
            content: { number: number; title: string }
            fieldValueByName: { name: string; optionId: string }
          }[]
        }
      }
    }>(ITEMS_QUERY, { id: project.id })
    const { field } = await board()
    expect(data.node.items.nodes).toEqual([
      {
        id: itemId,
        type: 'ISSUE',
        content: { number: 11, title: 'Bead: schema' },
        fieldValueByName: { name: 'Done', optionId: field.options[2]?.id },
      },
    ])
  })

  it("finds an issue's project items through the repository", async () => {
    const itemId = await addItem(resolver.byNumber(12))
    const data = await run<{
      repository: {
        issue: {
          id: string
          number: number
          title: string
          projectItems: { nodes: { id: string; project: { id: string } }[] }
        }
      }
    }>(
      `query($owner: String!, $name: String!, $number: Int!) {
        repository(owner: $owner, name: $name) {
          issue(number: $number) { id number title projectItems(first: 10) { nodes { id project { id } } } }
        }
      }`,
      { owner: 'acme', name: 'widgets', number: 12 },
    )
    expect(data.repository.issue).toEqual({
      id: resolver.byNumber(12),
      number: 12,
      title: 'Bead: routes',
      projectItems: { nodes: [{ id: itemId, project: { id: project.id } }] },
    })
  })

  it('pages through items with first and after', async () => {
    for (const number of [10, 11, 12]) await addItem(resolver.byNumber(number))
    await addItem(resolver.byNumber(13))
    type Page = {
      node: {
        items: {
          nodes: { content: { number: number } }[]
          pageInfo: { hasNextPage: boolean; endCursor: string }
          totalCount: number
        }
      }
    }
    const first = await run<Page>(ITEMS_QUERY, { id: project.id })
    expect(first.node.items.nodes.map((item) => item.content.number)).toEqual([10, 11])
    expect(first.node.items.totalCount).toBe(4)
    expect(first.node.items.pageInfo.hasNextPage).toBe(true)
    const second = await run<Page>(ITEMS_QUERY, {
      id: project.id,
      after: first.node.items.pageInfo.endCursor,
    })
    expect(second.node.items.nodes.map((item) => item.content.number)).toEqual([12, 13])
    expect(second.node.items.pageInfo.hasNextPage).toBe(false)
  })

  it('resolves projects, items and issues through node(id)', async () => {
    const itemId = await addItem(resolver.byNumber(10))
    const data = await run<{ item: unknown; issue: unknown; project: unknown }>(
      `query($item: ID!, $issue: ID!, $project: ID!) {
        item: node(id: $item) { ... on ProjectV2Item { id content { ... on Issue { number } } project { title } } }
        issue: node(id: $issue) { ... on Issue { number title } }
        project: node(id: $project) { ... on ProjectV2 { number } }
      }`,
      { item: itemId, issue: resolver.byNumber(10), project: project.id },
    )
    expect(data).toEqual({
      item: { id: itemId, content: { number: 10 }, project: { title: 'Gas Town' } },
      issue: { number: 10, title: 'Goal: todo API' },
      project: { number: 1 },
    })
  })

  it('deletes an item', async () => {
    const itemId = await addItem(resolver.byNumber(10))
    await addItem(resolver.byNumber(11))
    const data = await run<{ deleteProjectV2Item: { deletedItemId: string } }>(
      `mutation($projectId: ID!, $itemId: ID!) { deleteProjectV2Item(input: { projectId: $projectId, itemId: $itemId }) { deletedItemId } }`,
      { projectId: project.id, itemId },
    )
    expect(data.deleteProjectV2Item.deletedItemId).toBe(itemId)
    expect(endpoint.snapshot('ada', 1)).toEqual([{ content: 'acme/widgets#11', status: null }])
  })

  it('answers errors shaped like GitHub, with type and path', async () => {
    const missingProject = await endpoint.execute(
      { query: PROJECT_QUERY, variables: { login: 'ada', number: 7 } },
      mayor,
    )
    expect(missingProject.data).toEqual({ user: { projectV2: null } })
    expect(missingProject.errors).toEqual([
      {
        type: 'NOT_FOUND',
        path: ['user', 'projectV2'],
        locations: [{ line: 4, column: 7 }],
        message: 'Could not resolve to a ProjectV2 with the number 7.',
      },
    ])
    const missingNode = await endpoint.execute({ query: 'query { node(id: "PVTI_nope") { id } }' }, mayor)
    expect(missingNode.errors).toMatchObject([
      {
        type: 'NOT_FOUND',
        path: ['node'],
        message: "Could not resolve to a node with the global id of 'PVTI_nope'",
      },
    ])
    const missingIssue = await endpoint.execute(
      { query: 'query { repository(owner: "acme", name: "widgets") { issue(number: 99) { id } } }' },
      mayor,
    )
    expect(missingIssue.errors).toMatchObject([
      {
        type: 'NOT_FOUND',
        path: ['repository', 'issue'],
        message: 'Could not resolve to an Issue with the number of 99.',
      },
    ])
    const noFirst = await endpoint.execute(
      {
        query: 'query($id: ID!) { node(id: $id) { ... on ProjectV2 { items { totalCount } } } }',
        variables: { id: project.id },
      },
      mayor,
    )
    expect(noFirst.errors).toMatchObject([{ type: 'MISSING_PAGINATION_BOUNDARIES' }])
    const tooMany = await endpoint.execute(
      {
        query: 'query($id: ID!) { node(id: $id) { ... on ProjectV2 { items(first: 101) { totalCount } } } }',
        variables: { id: project.id },
      },
      mayor,
    )
    expect(tooMany.errors).toMatchObject([
      {
        type: 'EXCESSIVE_PAGINATION',
        message: 'Requesting 101 records on the `items` connection exceeds the `first` limit of 100 records.',
      },
    ])
    const badField = await endpoint.execute({ query: 'query { viewer { nope } }' }, mayor)
    expect(badField.data).toBeUndefined()
    expect(badField.errors?.[0]?.message).toContain('nope')
  })

  it('refuses an option that is not one of the field, leaving the item as it was', async () => {
    const itemId = await addItem(resolver.byNumber(11))
    const { field } = await board()
    const result = await endpoint.execute(
      {
        query: SET_STATUS,
        variables: { projectId: project.id, itemId, fieldId: field.id, optionId: 'deadbeef' },
      },
      mayor,
    )
    expect(result.errors).toMatchObject([{ path: ['updateProjectV2ItemFieldValue'] }])
    expect(endpoint.snapshot('ada', 1)).toEqual([{ content: 'acme/widgets#11', status: null }])
  })

  it('creates an organisation project and a text field through mutations', async () => {
    const orgEndpoint = createGraphqlEndpoint({
      resolver,
      serverUrl: 'http://127.0.0.1:3000',
      ownerType: (login) => (login === 'acme' ? 'Organization' : 'User'),
    })
    endpoint = orgEndpoint
    const org = await run<{ organization: { id: string } }>('query { organization(login: "acme") { id } }')
    const created = await run<{
      createProjectV2: { projectV2: { id: string; number: number; url: string } }
    }>(
      'mutation($ownerId: ID!) { createProjectV2(input: { ownerId: $ownerId, title: "Town" }) { projectV2 { id number url } } }',
      { ownerId: org.organization.id },
    )
    expect(created.createProjectV2.projectV2).toMatchObject({
      number: 1,
      url: 'http://127.0.0.1:3000/orgs/acme/projects/1',
    })
    const projectId = created.createProjectV2.projectV2.id
    const field = await run<{ createProjectV2Field: { projectV2Field: { id: string } } }>(
      'mutation($projectId: ID!) { createProjectV2Field(input: { projectId: $projectId, dataType: TEXT, name: "Role" }) { projectV2Field { ... on ProjectV2Field { id } } } }',
      { projectId },
    )
    const item = await run<{ addProjectV2ItemById: { item: { id: string } } }>(ADD_ITEM, {
      projectId,
      contentId: resolver.byNumber(11),
    })
    await run(
      'mutation($p: ID!, $i: ID!, $f: ID!) { updateProjectV2ItemFieldValue(input: { projectId: $p, itemId: $i, fieldId: $f, value: { text: "developer" } }) { projectV2Item { id } } }',
      { p: projectId, i: item.addProjectV2ItemById.item.id, f: field.createProjectV2Field.projectV2Field.id },
    )
    const read = await run<{ node: { fieldValueByName: { text: string }; title: { text: string } } }>(
      'query($id: ID!) { node(id: $id) { ... on ProjectV2Item { fieldValueByName(name: "Role") { ... on ProjectV2ItemFieldTextValue { text } } title: fieldValueByName(name: "Title") { ... on ProjectV2ItemFieldTextValue { text } } } } }',
      { id: item.addProjectV2ItemById.item.id },
    )
    expect(read.node).toEqual({ fieldValueByName: { text: 'developer' }, title: { text: 'Bead: schema' } })
    const userLookup = await orgEndpoint.execute({ query: 'query { user(login: "acme") { id } }' }, mayor)
    expect(userLookup.errors).toMatchObject([
      { type: 'NOT_FOUND', message: "Could not resolve to a User with the login of 'acme'." },
    ])
  })

  it('keeps the board equal to a model of any sequence of adds, moves and deletes', async () => {
    const statuses = ['Todo', 'In Progress', 'Done']
    const operation = fc.oneof(
      fc.record({ kind: fc.constant('add' as const), number: fc.constantFrom(10, 11, 12, 13) }),
      fc.record({
        kind: fc.constant('move' as const),
        number: fc.constantFrom(10, 11, 12, 13),
        status: fc.constantFrom(...statuses),
      }),
      fc.record({ kind: fc.constant('delete' as const), number: fc.constantFrom(10, 11, 12, 13) }),
    )
    await fc.assert(
      fc.asyncProperty(fc.array(operation, { maxLength: 12 }), async (operations) => {
        endpoint = createGraphqlEndpoint({ resolver })
        project = endpoint.createProject({ owner: 'ada', title: 'Model', statusOptions: statuses })
        const model = new Map<number, string | null>()
        const items = new Map<number, string>()
        for (const op of operations) {
          if (op.kind === 'add') {
            items.set(op.number, await addItem(resolver.byNumber(op.number)))
            if (!model.has(op.number)) model.set(op.number, null)
          } else if (op.kind === 'move' && items.has(op.number)) {
            await setStatus(items.get(op.number) ?? '', op.status)
            model.set(op.number, op.status)
          } else if (op.kind === 'delete' && items.has(op.number)) {
            await run(
              'mutation($p: ID!, $i: ID!) { deleteProjectV2Item(input: { projectId: $p, itemId: $i }) { deletedItemId } }',
              {
                p: project.id,
                i: items.get(op.number),
              },
            )
            items.delete(op.number)
            model.delete(op.number)
          }
        }
        expect(endpoint.snapshot('ada', 1)).toEqual(
          [...model.entries()].map(([number, status]) => ({ content: `acme/widgets#${number}`, status })),
        )
      }),
      { numRuns: 30 },
    )
  })
})

describe("an app and a user's project", () => {
  const ada: Actor = { login: 'ada', id: 1, type: 'User' }
  const forbidden = [
    expect.objectContaining({ type: 'FORBIDDEN', message: 'Resource not accessible by integration' }),
  ]

  it('refuses a user-owned project to an app in every way it can be reached, and serves it to its user', async () => {
    const accounts = createGraphqlEndpoint({
      resolver: contentTable(contents),
      ownerType: (login) => (login === 'acme' ? 'Organization' : login === 'ada' ? 'User' : null),
    })
    const own = accounts.createProject({ owner: 'ada', title: 'Mine', statusOptions: ['Todo'] })
    const org = accounts.createProject({ owner: 'acme', title: 'Ours', statusOptions: ['Todo'] })
    const ask = (query: string, actor: Actor, variables: Record<string, unknown> = {}) =>
      accounts.execute({ query, variables }, actor)

    const byNumber = 'query($login: String!) { user(login: $login) { projectV2(number: 1) { id } } }'
    expect((await ask(byNumber, mayor, { login: 'ada' })).errors).toEqual(forbidden)
    expect((await ask(byNumber, ada, { login: 'ada' })).data).toEqual({ user: { projectV2: { id: own.id } } })
    const list = 'query { user(login: "ada") { projectsV2(first: 5) { nodes { id } } } }'
    expect((await ask(list, mayor)).errors).toEqual(forbidden)
    const node = 'query($id: ID!) { node(id: $id) { id } }'
    expect((await ask(node, mayor, { id: own.id })).errors).toEqual(forbidden)
    const add =
      'mutation($p: ID!, $c: ID!) { addProjectV2ItemById(input: { projectId: $p, contentId: $c }) { item { id } } }'
    const issue = contentTable(contents).byNumber(10)
    expect((await ask(add, mayor, { p: own.id, c: issue })).errors).toEqual(forbidden)
    expect(accounts.snapshot('ada', 1)).toEqual([])
    // An organisation's board is the app's to use.
    expect((await ask(add, mayor, { p: org.id, c: issue })).errors).toBeUndefined()
    expect(accounts.snapshot('acme', 1)).toEqual([{ content: 'acme/widgets#10', status: null }])
  })
})
