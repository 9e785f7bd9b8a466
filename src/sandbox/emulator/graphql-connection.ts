/**
 * GitHub's GraphQL conventions that any emulated connection follows: errors with a `type` beside the
 * message, opaque cursors, and the pagination rules (`first` required, at most 100).
 * https://docs.github.com/graphql/guides/using-pagination-in-the-graphql-api
 */
import type { HttpError } from './http-error.js'

/** An error in GitHub's GraphQL shape: a `type` beside the message. */
export class GithubGraphqlError extends Error {
  constructor(
    readonly type: string,
    message: string,
  ) {
    super(message)
    this.name = 'GithubGraphqlError'
  }
}

/** A REST refusal (a 422's first error) in GraphQL's shape, for a mutation that does what REST does. */
export function unprocessable(error: HttpError): GithubGraphqlError {
  const first = error.extra.errors?.[0] as { message?: string } | undefined
  return new GithubGraphqlError('UNPROCESSABLE', first?.message ?? error.message)
}

/** GitHub's NOT_FOUND error. */
export const notFound = (message: string) => new GithubGraphqlError('NOT_FOUND', message)
/** GitHub's error for a node id that names nothing. */
export const noNode = (id: string) => notFound(`Could not resolve to a node with the global id of '${id}'`)

const encodeCursor = (index: number) => Buffer.from(`cursor:v2:${index}`).toString('base64')
const decodeCursor = (cursor: string): number => {
  const match = /^cursor:v2:(\d+)$/.exec(Buffer.from(cursor, 'base64').toString('utf8'))
  if (!match)
    throw new GithubGraphqlError(
      'INVALID_CURSOR_ARGUMENTS',
      `\`${cursor}\` does not appear to be a valid cursor.`,
    )
  return Number(match[1])
}

/** One page of a connection, with GitHub's rules for `first` (required, at most 100). */
export function connection<T>(
  all: T[],
  args: { first?: number | null; after?: string | null },
  name: string,
) {
  if (args.first === undefined || args.first === null) {
    throw new GithubGraphqlError(
      'MISSING_PAGINATION_BOUNDARIES',
      `You must provide a \`first\` or \`last\` value to properly paginate the \`${name}\` connection.`,
    )
  }
  if (args.first > 100 || args.first < 0) {
    throw new GithubGraphqlError(
      'EXCESSIVE_PAGINATION',
      `Requesting ${args.first} records on the \`${name}\` connection exceeds the \`first\` limit of 100 records.`,
    )
  }
  const start = args.after ? decodeCursor(args.after) + 1 : 0
  const page = all.slice(start, start + args.first)
  const edges = page.map((node, offset) => ({ cursor: encodeCursor(start + offset), node }))
  return {
    nodes: page,
    edges,
    totalCount: all.length,
    pageInfo: {
      hasNextPage: start + page.length < all.length,
      hasPreviousPage: start > 0,
      startCursor: edges[0]?.cursor ?? null,
      endCursor: edges[edges.length - 1]?.cursor ?? null,
    },
  }
}
