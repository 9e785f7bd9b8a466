/**
 * The GraphQL the town speaks, checked against GitHub's published schema (@octokit/graphql-schema): every
 * operation the town sends validates, and the emulator's Projects v2 subset names every type, field and
 * argument as GitHub does, so passing against the emulator means something against GitHub.
 */
import { schema as github } from '@octokit/graphql-schema'
import {
  buildSchema,
  isEnumType,
  isInputObjectType,
  isInterfaceType,
  isObjectType,
  parse,
  validate,
  type GraphQLNamedType,
  type GraphQLSchema,
} from 'graphql'
import { beforeAll, describe, expect, it } from 'vitest'
import { GRAPHQL_OPERATIONS } from '../../src/github/graphql-operations.js'
import { PROJECTS_SDL } from '../../src/sandbox/emulator/graphql-projects-schema.js'

let published: GraphQLSchema
const emulated = buildSchema(PROJECTS_SDL)

beforeAll(() => {
  // This release of GitHub's schema defines two EnterpriseOwnerInfo fields twice, which graphql-js's
  // SDL validation refuses; nothing the town uses is near them.
  published = buildSchema(github.idl, { assumeValidSDL: true })
})

/** How a type differs from GitHub's: what it has that GitHub's lacks, or types otherwise. */
function differences(ours: GraphQLNamedType, theirs: GraphQLNamedType | undefined): string[] {
  if (theirs === undefined) return [`${ours.name}: GitHub has no such type`]
  if (ours.constructor !== theirs.constructor) return [`${ours.name}: GitHub's is another kind of type`]
  const found: string[] = []
  if (isEnumType(ours) && isEnumType(theirs)) {
    const values = new Set(theirs.getValues().map((value) => value.name))
    for (const value of ours.getValues()) {
      if (!values.has(value.name)) found.push(`${ours.name}.${value.name}: GitHub has no such value`)
    }
  }
  const withFields =
    (isObjectType(ours) && isObjectType(theirs)) ||
    (isInterfaceType(ours) && isInterfaceType(theirs)) ||
    (isInputObjectType(ours) && isInputObjectType(theirs))
  if (!withFields) return found
  const theirFields = theirs.getFields() as Record<string, { type: unknown; args?: readonly Arg[] }>
  for (const field of Object.values(ours.getFields()) as {
    name: string
    type: unknown
    args?: readonly Arg[]
  }[]) {
    const their = theirFields[field.name]
    if (their === undefined) {
      found.push(`${ours.name}.${field.name}: GitHub has no such field`)
      continue
    }
    if (String(field.type) !== String(their.type)) {
      found.push(`${ours.name}.${field.name}: ${String(field.type)} here, ${String(their.type)} on GitHub`)
    }
    for (const arg of field.args ?? []) {
      const theirArg = their.args?.find((candidate) => candidate.name === arg.name)
      if (theirArg === undefined) {
        found.push(`${ours.name}.${field.name}(${arg.name}): GitHub has no such argument`)
      } else if (String(arg.type) !== String(theirArg.type)) {
        found.push(
          `${ours.name}.${field.name}(${arg.name}): ${String(arg.type)} here, ${String(theirArg.type)} on GitHub`,
        )
      }
    }
  }
  return found
}

type Arg = { name: string; type: unknown }

describe("the town's GraphQL against GitHub's schema", () => {
  it.each(Object.entries(GRAPHQL_OPERATIONS))(
    'the %s operation validates against GitHub and against the schema the emulator answers it with',
    (name, operation) => {
      const document = parse(operation)
      expect(validate(published, document).map((error) => error.message)).toEqual([])
      // The emulator answers Projects operations from its subset and every other from GitHub's schema.
      if (/project/.test(name)) {
        expect(validate(emulated, document).map((error) => error.message)).toEqual([])
      }
    },
  )

  it("names every type, field and argument of the emulator's subset as GitHub does", () => {
    const found = Object.values(emulated.getTypeMap())
      .filter((type) => !type.name.startsWith('__'))
      .flatMap((type) => differences(type, published.getType(type.name)))
    expect(found).toEqual([])
  })

  it('finds a difference when there is one (the check is not empty)', () => {
    const wrong = buildSchema(
      'type ProjectV2 { id: ID! title: Int closedAtTypo: String }\ntype Query { a: ProjectV2 }',
    )
    expect(differences(wrong.getType('ProjectV2')!, published.getType('ProjectV2'))).toEqual([
      'ProjectV2.title: Int here, String! on GitHub',
      'ProjectV2.closedAtTypo: GitHub has no such field',
    ])
  })
})
