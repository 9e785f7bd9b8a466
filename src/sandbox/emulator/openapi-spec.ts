/**
 * GitHub's published OpenAPI description (npm `@octokit/openapi`), loaded once and indexed by method and path
 * template so a request path finds its operation without scanning 800 templates.
 */
import { readFileSync } from 'node:fs'
import { createRequire } from 'node:module'

/** A JSON Schema fragment as the description writes it (OpenAPI 3.0 dialect, `$ref`s not resolved). */
export type SchemaObject = Record<string, unknown>

/** One parameter of an operation, `$ref` resolved. */
export interface ParameterObject {
  name: string
  in: 'path' | 'query' | 'header' | 'cookie'
  required?: boolean
  schema?: SchemaObject
}

/** One operation of the description, as the emulator reads it. */
export interface OperationObject {
  operationId?: string
  parameters?: (ParameterObject | { $ref: string })[]
  requestBody?: { required?: boolean; content?: Record<string, { schema?: SchemaObject }> }
  responses?: Record<string, { $ref?: string; content?: Record<string, { schema?: SchemaObject }> }>
  externalDocs?: { url?: string }
}

/** The parts of the description the emulator uses. */
export interface SpecDocument {
  paths: Record<string, Record<string, OperationObject>>
  'x-webhooks'?: Record<string, Record<string, OperationObject>>
  components: {
    schemas: Record<string, SchemaObject>
    parameters: Record<string, ParameterObject>
    responses: Record<string, { content?: Record<string, { schema?: SchemaObject }> }>
  }
}

/** A request path matched to its template. */
export interface RouteMatch {
  /** The template as the description spells it, e.g. `/repos/{owner}/{repo}/issues`. */
  template: string
  method: string
  params: Record<string, string>
  operation: OperationObject
}

/** The loaded description with its route index. */
export interface OpenApiSpec {
  readonly document: SpecDocument
  /** The operation for `method` and a decoded-later raw path (no query), or null when no template matches. */
  match(method: string, path: string): RouteMatch | null
  /** Whether some method is described for the path (to tell 404 from 405-like mistakes in violations). */
  knowsPath(path: string): boolean
  /** An operation's parameters with `$ref`s resolved. */
  parameters(operation: OperationObject): ParameterObject[]
  /** The payload schema of a webhook event and action (`issues` + `opened`), or null when not described. */
  webhookSchema(event: string, action?: string): SchemaObject | null
}

interface CompiledTemplate {
  template: string
  segments: string[]
  // Literal segments before parameters sort first, so `/issues/comments` beats `/issues/{issue_number}`.
  rank: string
  operation: OperationObject
}

/** Parameters whose value may span several path segments (a file path, a git ref). */
const greedyParameters = new Set(['path', 'ref'])

/** Reads the description from the installed `@octokit/openapi` package (the non-dereferenced file parses 4x faster). */
export function loadOpenApiSpec(
  file = createRequire(import.meta.url).resolve('@octokit/openapi/generated/api.github.com.json'),
): OpenApiSpec {
  const document = JSON.parse(readFileSync(file, 'utf8')) as SpecDocument
  return indexOpenApiSpec(document)
}

/** Indexes an already parsed description. */
export function indexOpenApiSpec(document: SpecDocument): OpenApiSpec {
  const byMethod = new Map<string, Map<number, CompiledTemplate[]>>()
  for (const [template, item] of Object.entries(document.paths)) {
    const segments = template.split('/').slice(1)
    for (const [method, operation] of Object.entries(item)) {
      if (method === 'parameters') continue
      const upper = method.toUpperCase()
      const bucket = byMethod.get(upper) ?? new Map<number, CompiledTemplate[]>()
      byMethod.set(upper, bucket)
      const list = bucket.get(segments.length) ?? []
      bucket.set(segments.length, list)
      list.push({
        template,
        segments,
        rank: segments.map((s) => (s.startsWith('{') ? '1' : '0')).join(''),
        operation,
      })
    }
  }
  for (const bucket of byMethod.values()) {
    for (const list of bucket.values()) list.sort((a, b) => a.rank.localeCompare(b.rank))
  }

  const matchSegments = (template: CompiledTemplate, parts: string[]): Record<string, string> | null => {
    const params: Record<string, string> = {}
    for (let i = 0; i < template.segments.length; i++) {
      const segment = template.segments[i] as string
      const part = parts[i]
      if (part === undefined) return null
      const isLast = i === template.segments.length - 1
      if (segment.startsWith('{') && segment.endsWith('}')) {
        const name = segment.slice(1, -1)
        if (isLast && greedyParameters.has(name)) {
          params[name] = parts.slice(i).map(safeDecode).join('/')
          return params
        }
        if (part === '') return null
        params[name] = safeDecode(part)
      } else if (segment !== part) {
        return null
      }
    }
    return template.segments.length === parts.length ? params : null
  }

  const match = (method: string, path: string): RouteMatch | null => {
    const bucket = byMethod.get(method.toUpperCase())
    if (!bucket) return null
    const parts = trimSlash(path).split('/').slice(1)
    const exact = bucket.get(parts.length) ?? []
    for (const candidate of exact) {
      const params = matchSegments(candidate, parts)
      if (params) return { template: candidate.template, method, params, operation: candidate.operation }
    }
    // A greedy last parameter (`contents/{path}`, `git/ref/{ref}`) may hold slashes: try shorter templates.
    for (let length = parts.length - 1; length > 0; length--) {
      for (const candidate of bucket.get(length) ?? []) {
        const last = candidate.segments[candidate.segments.length - 1] ?? ''
        if (!greedyParameters.has(last.slice(1, -1))) continue
        const params = matchSegments(candidate, parts)
        if (params) return { template: candidate.template, method, params, operation: candidate.operation }
      }
    }
    return null
  }

  const knowsPath = (path: string): boolean =>
    [...byMethod.keys()].some((method) => match(method, path) !== null)

  const parameters = (operation: OperationObject): ParameterObject[] =>
    (operation.parameters ?? []).map((p) => {
      if ('$ref' in p) {
        const name = p.$ref.replace('#/components/parameters/', '')
        const resolved = document.components.parameters[name]
        if (!resolved) throw new Error(`The OpenAPI description names a missing parameter ${p.$ref}.`)
        return resolved
      }
      return p
    })

  const webhookSchema = (event: string, action?: string): SchemaObject | null => {
    const key = [event, action].filter(Boolean).join('-').replaceAll('_', '-')
    const item = document['x-webhooks']?.[key]
    return item?.post?.requestBody?.content?.['application/json']?.schema ?? null
  }

  return { document, match, knowsPath, parameters, webhookSchema }
}

function trimSlash(path: string): string {
  return path.length > 1 && path.endsWith('/') ? path.slice(0, -1) : path
}

function safeDecode(part: string): string {
  try {
    return decodeURIComponent(part)
  } catch {
    return part
  }
}
