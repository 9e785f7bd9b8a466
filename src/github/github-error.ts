/**
 * What GitHub said when it refused a request: its message and the messages of its `errors` entries, so a
 * 422 that means "already done" is told apart from one that means "refused", and the rest are reported
 * in GitHub's words.
 */
import { statusOf } from './client.js'

interface ErrorEntry {
  message?: unknown
  code?: unknown
  field?: unknown
  resource?: unknown
}

/** The entries of a GitHub error body (`errors`), or none. */
function entriesOf(error: unknown): ErrorEntry[] {
  const data = (error as { response?: { data?: unknown } }).response?.data
  const errors = (data as { errors?: unknown } | undefined)?.errors
  return Array.isArray(errors)
    ? errors.filter((e): e is ErrorEntry => typeof e === 'object' && e !== null)
    : []
}

/** The `errors` of a GraphQL answer Octokit threw (its GraphqlResponseError), or undefined for any other. */
export function graphqlErrorsOf(error: unknown): { type?: string; message?: string }[] | undefined {
  const errors = (error as { errors?: unknown } | null)?.errors
  return Array.isArray(errors) ? errors : undefined
}

/** GitHub's own words for a refused request: the message, then each error entry's message or code. */
export function githubSaid(error: unknown): string {
  // A GraphQL answer with errors: their messages are GitHub's words.
  const graphqlErrors = graphqlErrorsOf(error)
  if (graphqlErrors && graphqlErrors.length > 0) {
    return graphqlErrors.map((e) => String(e.message ?? e)).join('; ')
  }
  const data = (error as { response?: { data?: unknown } }).response?.data
  const message = (data as { message?: unknown } | undefined)?.message
  const head = typeof message === 'string' ? message : error instanceof Error ? error.message : String(error)
  const details = entriesOf(error).map((entry) =>
    typeof entry.message === 'string'
      ? entry.message
      : [entry.resource, entry.field, entry.code].filter((part) => typeof part === 'string').join(' '),
  )
  return details.length > 0 ? `${head}: ${details.join('; ')}` : head
}

/** Whether `error` is a 422 whose message or error entries match `pattern`. */
export function isValidation(error: unknown, pattern: RegExp): boolean {
  if (statusOf(error) !== 422) return false
  return (
    pattern.test(githubSaid(error)) ||
    entriesOf(error).some((entry) => pattern.test(String(entry.code ?? '')))
  )
}

/** An error that says which request GitHub refused and what it said, keeping the original as `cause`. */
export class GitHubRefusal extends Error {
  readonly status: number | undefined

  constructor(what: string, error: unknown) {
    super(`GitHub refused to ${what}: ${githubSaid(error)}`, { cause: error })
    this.name = 'GitHubRefusal'
    this.status = statusOf(error)
  }
}
