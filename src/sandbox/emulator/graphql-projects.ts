/**
 * The emulator's GraphQL endpoint: the Projects v2 subset of GitHub's schema (projects, fields, items,
 * single-select values, the mutations that add, move and remove items) with GitHub's names, shapes,
 * pagination rules, opaque node ids and error format.
 */
import { createHash } from 'node:crypto'
import { buildSchema, graphql, type GraphQLError } from 'graphql'
import type { Actor, ContentResolver, GraphqlEndpoint } from './contracts.js'
import { connection, GithubGraphqlError, noNode, notFound } from './graphql-connection.js'
import { PROJECTS_SDL } from './graphql-projects-schema.js'

/** What the endpoint needs: issues and pull requests by node id, and how to build URLs. */
export interface GraphqlEndpointOptions {
  resolver: ContentResolver
  /** Base of web URLs (`${serverUrl}/orgs/acme/projects/1`). */
  serverUrl?: string
  /** Whether a login is a user or an organisation; without it both `user` and `organization` find any owner. */
  ownerType?: (login: string) => 'User' | 'Organization' | null
  clock?: () => Date
}

type Color = 'BLUE' | 'GRAY' | 'GREEN' | 'ORANGE' | 'PINK' | 'PURPLE' | 'RED' | 'YELLOW'

interface OptionRecord {
  id: string
  name: string
  color: Color
  description: string
}

interface FieldRecord {
  id: string
  name: string
  dataType: 'TITLE' | 'SINGLE_SELECT' | 'TEXT' | 'NUMBER' | 'DATE'
  options: OptionRecord[]
}

type FieldValue = { text: string } | { number: number } | { date: string } | { optionId: string }

interface ItemRecord {
  id: string
  contentId: string
  values: Map<string, FieldValue>
  createdAt: string
  updatedAt: string
}

interface ProjectRecord {
  id: string
  number: number
  owner: string
  title: string
  fields: FieldRecord[]
  items: ItemRecord[]
  createdAt: string
  updatedAt: string
}

/** An opaque node id with GitHub's prefix (`PVT_`, `PVTI_`, ...) over a base64 body. */
function nodeId(prefix: string, key: string): string {
  const body = Buffer.from(`0${key.length.toString(36)}${key}`).toString('base64url')
  return `${prefix}_kw${body}`
}

/** What every resolver is given: who asks. */
type ProjectContext = { actor?: Actor }

/** Creates the GraphQL endpoint over in-memory projects and the REST side's issues. */
export function createGraphqlEndpoint(options: GraphqlEndpointOptions): GraphqlEndpoint {
  const { resolver } = options
  const serverUrl = (options.serverUrl ?? 'http://localhost').replace(/\/$/, '')
  const clock = options.clock ?? (() => new Date())
  const schema = buildSchema(PROJECTS_SDL)
  const projects: ProjectRecord[] = []
  const ownerIds = new Map<string, { login: string; type: 'User' | 'Organization' }>()
  let sequence = 0
  const nextKey = (kind: string) => `${kind}:${(sequence += 1)}`

  const ownerTypeOf = (login: string) => options.ownerType?.(login) ?? null
  const projectUrl = (project: ProjectRecord) =>
    `${serverUrl}/${ownerTypeOf(project.owner) === 'Organization' ? 'orgs' : 'users'}/${project.owner}/projects/${project.number}`

  const findProject = (id: string) => projects.find((project) => project.id === id)

  /**
   * GitHub Apps cannot use a project owned by a user: an app's project permission is an organisation
   * permission, and GitHub's guide sends user projects to a personal access token ("a GitHub App
   * (recommended for organization projects) or a personal access token (recommended for user projects)":
   * https://docs.github.com/en/issues/planning-and-tracking-with-projects/automating-your-project/automating-projects-using-actions).
   * An app's request for one is answered FORBIDDEN, as GitHub answers a resource outside the app's reach.
   */
  const refuseUserBoardToApp = (owner: string, context: ProjectContext | undefined) => {
    if (context?.actor?.type === 'Bot' && ownerTypeOf(owner) === 'User') {
      throw new GithubGraphqlError('FORBIDDEN', 'Resource not accessible by integration')
    }
  }
  const findItem = (project: ProjectRecord, id: string) => project.items.find((item) => item.id === id)

  const optionColor = (index: number): Color =>
    (['GRAY', 'BLUE', 'GREEN', 'YELLOW', 'ORANGE', 'RED', 'PINK', 'PURPLE'] as const)[index % 8] ?? 'GRAY'

  const makeField = (
    name: string,
    dataType: FieldRecord['dataType'],
    options: { name: string; color?: Color; description?: string }[] = [],
  ): FieldRecord => {
    const id = nodeId(dataType === 'SINGLE_SELECT' ? 'PVTSSF' : 'PVTF', nextKey('field'))
    return {
      id,
      name,
      dataType,
      options: options.map((option, index) => ({
        id: createHash('sha1').update(`${id}:${index}:${option.name}`).digest('hex').slice(0, 8),
        name: option.name,
        color: option.color ?? optionColor(index),
        description: option.description ?? '',
      })),
    }
  }

  const addProject = (owner: string, title: string, statusOptions: string[]): ProjectRecord => {
    const now = clock().toISOString()
    const project: ProjectRecord = {
      id: nodeId('PVT', nextKey('project')),
      number:
        projects.filter((candidate) => candidate.owner.toLowerCase() === owner.toLowerCase()).length + 1,
      owner,
      title,
      fields: [
        makeField('Title', 'TITLE'),
        makeField(
          'Status',
          'SINGLE_SELECT',
          statusOptions.map((name) => ({ name })),
        ),
      ],
      items: [],
      createdAt: now,
      updatedAt: now,
    }
    projects.push(project)
    return project
  }

  // --- the objects the schema's default resolvers read (functions are called with the field's arguments) ---

  const ownerObject = (login: string, type: 'User' | 'Organization'): Record<string, unknown> => {
    const id = nodeId(type === 'User' ? 'U' : 'O', `${type}:${login.toLowerCase()}`)
    ownerIds.set(id, { login, type })
    const owned = () => projects.filter((project) => project.owner.toLowerCase() === login.toLowerCase())
    return {
      __typename: type,
      id,
      login,
      projectV2: ({ number }: { number: number }, context?: ProjectContext) => {
        refuseUserBoardToApp(login, context)
        const project = owned().find((candidate) => candidate.number === number)
        if (!project) throw notFound(`Could not resolve to a ProjectV2 with the number ${number}.`)
        return projectObject(project)
      },
      projectsV2: (args: { first?: number; after?: string; query?: string }, context?: ProjectContext) => {
        refuseUserBoardToApp(login, context)
        return connection(
          owned()
            .filter(
              (project) => !args.query || project.title.toLowerCase().includes(args.query.toLowerCase()),
            )
            .map(projectObject),
          args,
          'projectsV2',
        )
      },
    }
  }

  const repositoryObject = (repo: string): Record<string, unknown> => {
    const [owner = '', name = ''] = repo.split('/')
    const content = (number: number, type: 'Issue' | 'PullRequest') => {
      const id = resolver.issueNodeId(repo, number)
      const found = id ? resolver.resolve(id) : null
      if (!id || !found || found.type !== type) {
        throw notFound(
          `Could not resolve to ${type === 'Issue' ? 'an Issue' : 'a PullRequest'} with the number of ${number}.`,
        )
      }
      return contentObject(id)
    }
    return {
      __typename: 'Repository',
      id: nodeId('R', `repo:${repo.toLowerCase()}`),
      name,
      nameWithOwner: repo,
      owner: () => ownerObject(owner, ownerTypeOf(owner) ?? 'User'),
      issue: ({ number }: { number: number }) => content(number, 'Issue'),
      pullRequest: ({ number }: { number: number }) => content(number, 'PullRequest'),
    }
  }

  const contentObject = (id: string): Record<string, unknown> | null => {
    const found = resolver.resolve(id)
    if (!found) return null
    return {
      __typename: found.type,
      id,
      number: found.number,
      title: found.title,
      url: `${serverUrl}/${found.repo}/${found.type === 'Issue' ? 'issues' : 'pull'}/${found.number}`,
      repository: () => repositoryObject(found.repo),
      projectItems: (args: { first?: number; after?: string }) =>
        connection(
          projects.flatMap((project) =>
            project.items.filter((item) => item.contentId === id).map((item) => itemObject(project, item)),
          ),
          args,
          'projectItems',
        ),
    }
  }

  const fieldObject = (project: ProjectRecord, field: FieldRecord): Record<string, unknown> => ({
    __typename: field.dataType === 'SINGLE_SELECT' ? 'ProjectV2SingleSelectField' : 'ProjectV2Field',
    id: field.id,
    name: field.name,
    dataType: field.dataType,
    project: () => projectObject(project),
    options: ({ names }: { names?: string[] | null }) =>
      field.options
        .filter((option) => !names || names.includes(option.name))
        .map((option) => ({ ...option, nameHTML: option.name, descriptionHTML: option.description })),
  })

  const valueObject = (
    project: ProjectRecord,
    item: ItemRecord,
    field: FieldRecord,
  ): Record<string, unknown> | null => {
    const base = {
      id: nodeId('PVTFSV', `value:${item.id}:${field.id}`),
      field: () => fieldObject(project, field),
      item: () => itemObject(project, item),
    }
    if (field.dataType === 'TITLE') {
      const content = resolver.resolve(item.contentId)
      return content ? { ...base, __typename: 'ProjectV2ItemFieldTextValue', text: content.title } : null
    }
    const value = item.values.get(field.id)
    if (!value) return null
    if ('optionId' in value) {
      const option = field.options.find((candidate) => candidate.id === value.optionId)
      if (!option) return null
      return {
        ...base,
        __typename: 'ProjectV2ItemFieldSingleSelectValue',
        name: option.name,
        optionId: option.id,
        color: option.color,
      }
    }
    if ('text' in value) return { ...base, __typename: 'ProjectV2ItemFieldTextValue', text: value.text }
    if ('number' in value)
      return { ...base, __typename: 'ProjectV2ItemFieldNumberValue', number: value.number }
    return { ...base, __typename: 'ProjectV2ItemFieldDateValue', date: value.date }
  }

  const itemObject = (project: ProjectRecord, item: ItemRecord): Record<string, unknown> => {
    const content = resolver.resolve(item.contentId)
    return {
      __typename: 'ProjectV2Item',
      id: item.id,
      type: content ? (content.type === 'Issue' ? 'ISSUE' : 'PULL_REQUEST') : 'REDACTED',
      isArchived: false,
      content: () => contentObject(item.contentId),
      project: () => projectObject(project),
      createdAt: item.createdAt,
      updatedAt: item.updatedAt,
      fieldValueByName: ({ name }: { name: string }) => {
        const field = project.fields.find((candidate) => candidate.name === name)
        return field ? valueObject(project, item, field) : null
      },
      fieldValues: (args: { first?: number; after?: string }) =>
        connection(
          project.fields.map((field) => valueObject(project, item, field)).filter((value) => value !== null),
          args,
          'fieldValues',
        ),
    }
  }

  const projectObject = (project: ProjectRecord): Record<string, unknown> => ({
    __typename: 'ProjectV2',
    id: project.id,
    number: project.number,
    title: project.title,
    url: projectUrl(project),
    closed: false,
    public: false,
    shortDescription: null,
    createdAt: project.createdAt,
    updatedAt: project.updatedAt,
    owner: () => ownerObject(project.owner, ownerTypeOf(project.owner) ?? 'User'),
    field: ({ name }: { name: string }) => {
      const field = project.fields.find((candidate) => candidate.name === name)
      return field ? fieldObject(project, field) : null
    },
    fields: (args: { first?: number; after?: string }) =>
      connection(
        project.fields.map((field) => fieldObject(project, field)),
        args,
        'fields',
      ),
    items: (args: { first?: number; after?: string }) =>
      connection(
        project.items.map((item) => itemObject(project, item)),
        args,
        'items',
      ),
  })

  const lookupNode = (id: string, context: ProjectContext | undefined): Record<string, unknown> | null => {
    const project = findProject(id)
    if (project) {
      refuseUserBoardToApp(project.owner, context)
      return projectObject(project)
    }
    for (const candidate of projects) {
      const item = findItem(candidate, id)
      const field = candidate.fields.find((entry) => entry.id === id)
      if (item || field) refuseUserBoardToApp(candidate.owner, context)
      if (item) return itemObject(candidate, item)
      if (field) return fieldObject(candidate, field)
    }
    const owner = ownerIds.get(id)
    if (owner) return ownerObject(owner.login, owner.type)
    return contentObject(id)
  }

  const requireProject = (id: string, context: ProjectContext | undefined) => {
    const project = findProject(id)
    if (!project) throw noNode(id)
    refuseUserBoardToApp(project.owner, context)
    return project
  }

  const touch = (project: ProjectRecord, item?: ItemRecord) => {
    const now = clock().toISOString()
    project.updatedAt = now
    if (item) item.updatedAt = now
  }

  const rootValue = {
    node: ({ id }: { id: string }, context?: ProjectContext) => {
      const found = lookupNode(id, context)
      if (!found) throw noNode(id)
      return found
    },
    // An Error in a list becomes a null with its own error at that index, as GitHub answers.
    nodes: ({ ids }: { ids: string[] }, context?: ProjectContext) =>
      ids.map((id) => {
        try {
          return lookupNode(id, context) ?? noNode(id)
        } catch (error) {
          return error as Error
        }
      }),
    viewer: (_args: unknown, context: { actor: Actor }) => ownerObject(context.actor.login, 'User'),
    user: ({ login }: { login: string }) => {
      if (ownerTypeOf(login) === 'Organization' || (options.ownerType && ownerTypeOf(login) === null)) {
        throw notFound(`Could not resolve to a User with the login of '${login}'.`)
      }
      return ownerObject(login, 'User')
    },
    organization: ({ login }: { login: string }) => {
      if (ownerTypeOf(login) === 'User' || (options.ownerType && ownerTypeOf(login) === null)) {
        throw notFound(`Could not resolve to an Organization with the login of '${login}'.`)
      }
      return ownerObject(login, 'Organization')
    },
    repository: ({ owner, name }: { owner: string; name: string }) => repositoryObject(`${owner}/${name}`),

    addProjectV2ItemById: (
      {
        input,
      }: {
        input: { projectId: string; contentId: string; clientMutationId?: string }
      },
      context?: ProjectContext,
    ) => {
      const project = requireProject(input.projectId, context)
      if (!resolver.resolve(input.contentId)) throw noNode(input.contentId)
      // GitHub answers the existing item when the content is on the project already.
      let item = project.items.find((candidate) => candidate.contentId === input.contentId)
      if (!item) {
        const now = clock().toISOString()
        item = {
          id: nodeId('PVTI', nextKey('item')),
          contentId: input.contentId,
          values: new Map(),
          createdAt: now,
          updatedAt: now,
        }
        project.items.push(item)
        touch(project)
      }
      return { item: itemObject(project, item), clientMutationId: input.clientMutationId ?? null }
    },

    updateProjectV2ItemFieldValue: (
      {
        input,
      }: {
        input: {
          projectId: string
          itemId: string
          fieldId: string
          value: {
            text?: string
            number?: number
            date?: string
            singleSelectOptionId?: string
            iterationId?: string
          }
          clientMutationId?: string
        }
      },
      context?: ProjectContext,
    ) => {
      const project = requireProject(input.projectId, context)
      const item = findItem(project, input.itemId)
      if (!item) throw noNode(input.itemId)
      const field = project.fields.find((candidate) => candidate.id === input.fieldId)
      if (!field) throw noNode(input.fieldId)
      const given = Object.entries(input.value).filter(([, value]) => value !== undefined && value !== null)
      if (given.length !== 1) {
        throw new GithubGraphqlError(
          'UNPROCESSABLE',
          'Exactly one value must be provided in `value` (text, number, date, singleSelectOptionId or iterationId).',
        )
      }
      const [kind, raw] = given[0] as [string, string | number]
      const expected: Record<FieldRecord['dataType'], string | null> = {
        TITLE: null,
        SINGLE_SELECT: 'singleSelectOptionId',
        TEXT: 'text',
        NUMBER: 'number',
        DATE: 'date',
      }
      if (expected[field.dataType] !== kind) {
        throw new GithubGraphqlError(
          'UNPROCESSABLE',
          field.dataType === 'TITLE'
            ? `The field ${field.name} of type TITLE cannot be updated through this mutation.`
            : `The field ${field.name} of type ${field.dataType} takes \`${expected[field.dataType]}\`, not \`${kind}\`.`,
        )
      }
      let value: FieldValue
      if (kind === 'singleSelectOptionId') {
        if (!field.options.some((option) => option.id === raw)) {
          throw new GithubGraphqlError(
            'UNPROCESSABLE',
            `The single select option Id does not belong to the field ${field.name}.`,
          )
        }
        value = { optionId: String(raw) }
      } else if (kind === 'number') {
        value = { number: Number(raw) }
      } else if (kind === 'date') {
        value = { date: String(raw) }
      } else {
        value = { text: String(raw) }
      }
      item.values.set(field.id, value)
      touch(project, item)
      return { projectV2Item: itemObject(project, item), clientMutationId: input.clientMutationId ?? null }
    },

    clearProjectV2ItemFieldValue: (
      {
        input,
      }: {
        input: { projectId: string; itemId: string; fieldId: string; clientMutationId?: string }
      },
      context?: ProjectContext,
    ) => {
      const project = requireProject(input.projectId, context)
      const item = findItem(project, input.itemId)
      if (!item) throw noNode(input.itemId)
      if (!project.fields.some((field) => field.id === input.fieldId)) throw noNode(input.fieldId)
      item.values.delete(input.fieldId)
      touch(project, item)
      return { projectV2Item: itemObject(project, item), clientMutationId: input.clientMutationId ?? null }
    },

    deleteProjectV2Item: (
      {
        input,
      }: {
        input: { projectId: string; itemId: string; clientMutationId?: string }
      },
      context?: ProjectContext,
    ) => {
      const project = requireProject(input.projectId, context)
      const index = project.items.findIndex((item) => item.id === input.itemId)
      if (index < 0) throw noNode(input.itemId)
      project.items.splice(index, 1)
      touch(project)
      return { deletedItemId: input.itemId, clientMutationId: input.clientMutationId ?? null }
    },

    createProjectV2: (
      {
        input,
      }: {
        input: { ownerId: string; title: string; clientMutationId?: string }
      },
      context?: ProjectContext,
    ) => {
      const owner = ownerIds.get(input.ownerId)
      if (!owner) throw noNode(input.ownerId)
      refuseUserBoardToApp(owner.login, context)
      const project = addProject(owner.login, input.title, ['Todo', 'In Progress', 'Done'])
      return { projectV2: projectObject(project), clientMutationId: input.clientMutationId ?? null }
    },

    createProjectV2Field: (
      {
        input,
      }: {
        input: {
          projectId: string
          dataType: 'DATE' | 'NUMBER' | 'SINGLE_SELECT' | 'TEXT'
          name: string
          singleSelectOptions?: { name: string; color: Color; description: string }[]
          clientMutationId?: string
        }
      },
      context?: ProjectContext,
    ) => {
      const project = requireProject(input.projectId, context)
      if (project.fields.some((field) => field.name.toLowerCase() === input.name.toLowerCase())) {
        throw new GithubGraphqlError('UNPROCESSABLE', `Name has already been taken: ${input.name}`)
      }
      if (input.dataType === 'SINGLE_SELECT' && !input.singleSelectOptions?.length) {
        throw new GithubGraphqlError(
          'UNPROCESSABLE',
          'A single select field needs at least one option in `singleSelectOptions`.',
        )
      }
      const field = makeField(input.name, input.dataType, input.singleSelectOptions ?? [])
      project.fields.push(field)
      touch(project)
      return { projectV2Field: fieldObject(project, field), clientMutationId: input.clientMutationId ?? null }
    },
  }

  const shapeError = (error: GraphQLError) => {
    const original = error.originalError
    const shaped: {
      message: string
      type?: string
      path?: readonly (string | number)[]
      locations?: unknown
    } = {
      message: error.message,
    }
    if (original instanceof GithubGraphqlError) shaped.type = original.type
    if (error.path) shaped.path = error.path
    if (error.locations) shaped.locations = error.locations
    return shaped
  }

  return {
    async execute(body, actor) {
      if (typeof body.query !== 'string' || body.query.trim() === '') {
        return { errors: [{ message: 'A query attribute must be specified and must be a string.' }] }
      }
      const result = await graphql({
        schema,
        source: body.query,
        rootValue,
        contextValue: { actor },
        variableValues: body.variables ?? {},
      })
      const answer: { data?: unknown; errors?: { message: string }[] } = {}
      if (result.data !== undefined) answer.data = result.data
      if (result.errors?.length) answer.errors = result.errors.map(shapeError)
      return answer
    },

    createProject({ owner, title, statusOptions }) {
      const project = addProject(owner, title, statusOptions)
      return { id: project.id, number: project.number }
    },

    snapshot(owner, number) {
      const project = projects.find(
        (candidate) => candidate.owner.toLowerCase() === owner.toLowerCase() && candidate.number === number,
      )
      if (!project)
        throw new Error(`no project ${number} of ${owner} in the emulator; create it with createProject`)
      const status = project.fields.find((field) => field.name === 'Status')
      return project.items.map((item) => {
        const content = resolver.resolve(item.contentId)
        const value = status ? item.values.get(status.id) : undefined
        const option =
          value && 'optionId' in value
            ? status?.options.find((entry) => entry.id === value.optionId)
            : undefined
        return {
          content: content ? `${content.repo}#${content.number}` : item.contentId,
          status: option?.name ?? null,
        }
      })
    },
  }
}
