/**
 * GitHub's query limits: a query may ask for at most 500,000 nodes in total, where a connection's nodes
 * are its `first` (or `last`) times the nodes of every connection above it
 * (https://docs.github.com/en/graphql/overview/rate-limits-and-query-limits-for-the-graphql-api#node-limit),
 * and it costs points against the GraphQL primary rate limit by the requests its connections need.
 */
import { Kind, type DocumentNode, type SelectionSetNode, type ValueNode } from 'graphql'

/** GitHub's most nodes a single query may ask for. */
export const NODE_LIMIT = 500_000

const numberOf = (value: ValueNode | undefined, variables: Record<string, unknown>): number | undefined => {
  if (!value) return undefined
  if (value.kind === Kind.INT) return Number(value.value)
  if (value.kind === Kind.VARIABLE) {
    const given = variables[value.name.value]
    return typeof given === 'number' ? given : undefined
  }
  return undefined
}

/**
 * What a document asks of GitHub: its nodes (a connection's `first` or `last` times the nodes of every
 * connection above it), the requests its connections need (each as many as the nodes above it), and the
 * first connection at which the nodes passed NODE_LIMIT.
 */
function measure(
  document: DocumentNode,
  variables: Record<string, unknown>,
): { nodes: number; requests: number; overflow?: string } {
  const fragments = new Map(
    document.definitions.flatMap((definition) =>
      definition.kind === Kind.FRAGMENT_DEFINITION ? [[definition.name.value, definition] as const] : [],
    ),
  )
  const found: { nodes: number; requests: number; overflow?: string } = { nodes: 0, requests: 0 }
  const walk = (selections: SelectionSetNode | undefined, above: number, seen: ReadonlySet<string>) => {
    for (const selection of selections?.selections ?? []) {
      if (selection.kind === Kind.FRAGMENT_SPREAD) {
        const name = selection.name.value
        if (!seen.has(name)) walk(fragments.get(name)?.selectionSet, above, new Set([...seen, name]))
        continue
      }
      if (selection.kind === Kind.INLINE_FRAGMENT) {
        walk(selection.selectionSet, above, seen)
        continue
      }
      const size = ['first', 'last']
        .map((name) => numberOf(selection.arguments?.find((a) => a.name.value === name)?.value, variables))
        .find((n) => n !== undefined)
      const nodes = size === undefined ? above : above * size
      if (size !== undefined) {
        found.nodes += nodes
        found.requests += above
        if (found.nodes > NODE_LIMIT && found.overflow === undefined) {
          found.overflow = `By the time this query traverses to the ${selection.name.value} connection, it is requesting up to ${found.nodes.toLocaleString('en-US')} possible nodes which exceeds the maximum limit of ${NODE_LIMIT.toLocaleString('en-US')}.`
        }
      }
      walk(selection.selectionSet, nodes, seen)
    }
  }
  for (const definition of document.definitions) {
    if (definition.kind === Kind.OPERATION_DEFINITION) walk(definition.selectionSet, 1, new Set())
  }
  return found
}

/** GitHub's refusal when `document` asks for more than NODE_LIMIT nodes, or null. */
export function checkNodeLimit(document: DocumentNode, variables: Record<string, unknown>): string | null {
  return measure(document, variables).overflow ?? null
}

/**
 * The points a document costs against GitHub's GraphQL primary rate limit: the requests its connections
 * need (each as many as the nodes above it, as if every one filled its `first`), divided by 100 and
 * rounded, and at least 1
 * (https://docs.github.com/en/graphql/overview/rate-limits-and-query-limits-for-the-graphql-api#calculating-points-for-the-primary-rate-limit).
 */
export function rateLimitPoints(document: DocumentNode, variables: Record<string, unknown>): number {
  return Math.max(1, Math.round(measure(document, variables).requests / 100))
}
