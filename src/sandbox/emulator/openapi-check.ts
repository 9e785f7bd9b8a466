/**
 * Checks requests, responses and webhook payloads against GitHub's OpenAPI description with Ajv. Validators
 * are compiled on first use and cached, because compiling the whole description would take seconds.
 */
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv'
import * as ajvFormats from 'ajv-formats'
import type { OpenApiSpec, OperationObject, RouteMatch, SchemaObject } from './openapi-spec.js'

type FormatsPlugin = (ajv: Ajv) => Ajv

// ajv-formats is CommonJS: under NodeNext its default export sits one `.default` deeper than its types say.
const addFormats = ((ajvFormats as unknown as { default: { default?: FormatsPlugin } & FormatsPlugin })
  .default.default ?? (ajvFormats as unknown as { default: FormatsPlugin }).default) as FormatsPlugin

/** What a failed request check answers: the GitHub-style message and the detail recorded as a violation. */
export interface RequestProblem {
  status: 404 | 422
  message: string
  detail: string
}

/** Validation against the description, with validators compiled lazily. */
export interface OpenApiCheck {
  /** Checks path, query and body of a matched request; null when GitHub would accept it. */
  checkRequest(match: RouteMatch, query: URLSearchParams, body: unknown): RequestProblem | null
  /** Checks a response against the described status and schema; null when it conforms. */
  checkResponse(match: RouteMatch, status: number, body: unknown): string | null
  /** Checks a webhook payload against the schema of its event and action; null when it conforms. */
  checkWebhook(event: string, action: string | undefined, payload: unknown): string | null
}

const schemaBase = 'https://emulator.invalid/schemas/'

/** Builds the checker for one loaded description. */
export function createOpenApiCheck(spec: OpenApiSpec): OpenApiCheck {
  const ajv = new Ajv({ strict: false, allErrors: false, logger: false, validateSchema: false })
  addFormats(ajv)
  // GitHub's own bot addresses (`41898282+github-actions[bot]@users.noreply.github.com`) break the RFC
  // grammar ajv checks, yet GitHub sends them in fields the description calls `email`.
  const email = /^[^\s@]+@[^\s@]+\.[^\s@]+$/
  ajv.addFormat('email', (value: string) => email.test(value))
  ajv.addFormat('repo.nwo', true)
  ajv.addFormat('timestamp', true)
  const added = new Set<string>()
  const cache = new Map<string, ValidateFunction | null>()

  const compile = (key: string, schema: SchemaObject | undefined): ValidateFunction | null => {
    const cached = cache.get(key)
    if (cached !== undefined) return cached
    if (!schema) {
      cache.set(key, null)
      return null
    }
    const pending: string[] = []
    const root = toJsonSchema(schema, pending)
    while (pending.length > 0) {
      const name = pending.pop() as string
      if (added.has(name)) continue
      added.add(name)
      const component = spec.document.components.schemas[name]
      if (!component) throw new Error(`The OpenAPI description names a missing schema "${name}".`)
      ajv.addSchema(toJsonSchema(component, pending), schemaBase + encodeURIComponent(name))
    }
    const validate = ajv.compile(root)
    cache.set(key, validate)
    return validate
  }

  const checkRequest = (match: RouteMatch, query: URLSearchParams, body: unknown): RequestProblem | null => {
    for (const parameter of spec.parameters(match.operation)) {
      if (parameter.in === 'path') {
        const value = match.params[parameter.name]
        if (value === undefined || !fitsScalar(parameter.schema, value)) {
          return { status: 404, message: 'Not Found', detail: `path parameter ${parameter.name}="${value}"` }
        }
      }
      if (parameter.in === 'query') {
        const value = query.get(parameter.name)
        if (value === null) {
          if (parameter.required) return invalid(`"${parameter.name}" wasn't supplied.`)
          continue
        }
        if (!fitsScalar(parameter.schema, value)) {
          return invalid(`For '${parameter.name}', "${value}" is not ${describe(parameter.schema)}.`)
        }
      }
    }
    const requestBody = match.operation.requestBody
    const schema = requestBody?.content?.['application/json']?.schema
    if (body === undefined) {
      if (requestBody?.required) return invalid('A request body is required.')
      return null
    }
    if (!schema) return null
    const validate = compile(`${match.method} ${match.template} request`, schema)
    if (validate && !validate(body)) return invalid(githubMessage(validate.errors ?? []))
    return null
  }

  const checkResponse = (match: RouteMatch, status: number, body: unknown): string | null => {
    const described = responseFor(spec, match.operation, status)
    if (described === undefined) {
      return status >= 200 && status < 300 ? `status ${status} is not described for this operation` : null
    }
    if (!described) return null
    const validate = compile(`${match.method} ${match.template} ${status}`, described)
    if (validate && !validate(body)) return ajvDetail(validate.errors ?? [])
    return null
  }

  const checkWebhook = (event: string, action: string | undefined, payload: unknown): string | null => {
    const schema = spec.webhookSchema(event, action)
    if (!schema) return `no webhook schema for ${event}${action ? `.${action}` : ''}`
    const validate = compile(`webhook ${event} ${action ?? ''}`, schema)
    if (validate && !validate(payload)) return ajvDetail(validate.errors ?? [])
    return null
  }

  return { checkRequest, checkResponse, checkWebhook }
}

/**
 * The response schema for a status: undefined when the status is not described, null when it is described
 * without a JSON body.
 */
function responseFor(
  spec: OpenApiSpec,
  operation: OperationObject,
  status: number,
): SchemaObject | null | undefined {
  const responses = operation.responses ?? {}
  let response = responses[String(status)] ?? responses[`${String(status)[0]}XX`] ?? responses.default
  if (!response) return undefined
  if (response.$ref) response = spec.document.components.responses[response.$ref.split('/').pop() ?? '']
  const content = response?.content
  if (!content) return null
  const json = Object.entries(content).find(([type]) => type.includes('json'))
  return json?.[1].schema ?? null
}

function invalid(detail: string): RequestProblem {
  return { status: 422, message: `Invalid request.\n\n${detail}`, detail }
}

/** Whether a string from the path or query fits a scalar parameter schema. */
function fitsScalar(schema: SchemaObject | undefined, value: string): boolean {
  if (!schema) return true
  const enumValues = schema.enum as unknown[] | undefined
  switch (schema.type) {
    case 'integer':
      return /^-?\d+$/.test(value)
    case 'number':
      return value.trim() !== '' && Number.isFinite(Number(value))
    case 'boolean':
      return value === 'true' || value === 'false'
    case 'string':
      return !enumValues || enumValues.includes(value)
    default:
      return true
  }
}

function describe(schema: SchemaObject | undefined): string {
  if (schema?.enum) return `one of ${(schema.enum as unknown[]).map((v) => JSON.stringify(v)).join(', ')}`
  const type = String(schema?.type ?? 'a value')
  return /^[aeiou]/.test(type) ? `an ${type}` : `a ${type}`
}

/** Phrases Ajv's first error the way GitHub words a refused body. */
function githubMessage(errors: ErrorObject[]): string {
  const error = errors[0]
  if (!error) return 'The request body is invalid.'
  const where = error.instancePath.replace(/^\//, '').replaceAll('/', '.')
  if (error.keyword === 'required') {
    return `"${String((error.params as { missingProperty: string }).missingProperty)}" wasn't supplied.`
  }
  if (error.keyword === 'additionalProperties') {
    return `"${String((error.params as { additionalProperty: string }).additionalProperty)}" is not a permitted key.`
  }
  return `For '${where || 'body'}', ${error.message ?? 'the value is invalid'}.`
}

function ajvDetail(errors: ErrorObject[]): string {
  return errors
    .slice(0, 3)
    .map((e) => `${e.instancePath || '/'} ${e.message ?? ''} ${JSON.stringify(e.params)}`.trim())
    .join('; ')
}

/** Translates an OpenAPI 3.0 schema to JSON Schema: `nullable`, component `$ref`s; collects referenced names. */
export function toJsonSchema(schema: SchemaObject, refs: string[]): SchemaObject {
  if (typeof schema !== 'object' || schema === null) return schema
  const out: SchemaObject = {}
  for (const [key, value] of Object.entries(schema)) {
    switch (key) {
      case '$ref': {
        const name = String(value).replace('#/components/schemas/', '')
        refs.push(name)
        out.$ref = schemaBase + encodeURIComponent(name)
        break
      }
      case 'properties':
      case 'patternProperties': {
        const map: Record<string, SchemaObject> = {}
        for (const [name, sub] of Object.entries(value as Record<string, SchemaObject>)) {
          map[name] = toJsonSchema(sub, refs)
        }
        out[key] = map
        break
      }
      case 'items':
      case 'not':
      case 'additionalProperties':
        out[key] =
          typeof value === 'object' && value !== null && !Array.isArray(value)
            ? toJsonSchema(value as SchemaObject, refs)
            : value
        break
      case 'allOf':
        // A known defect of the description: some inlined `account` fields say allOf [Simple User,
        // Enterprise], which no real answer satisfies; the referenced versions say anyOf.
        out[isUserOrEnterprise(value as SchemaObject[]) ? 'anyOf' : 'allOf'] = (value as SchemaObject[]).map(
          (sub) => toJsonSchema(sub, refs),
        )
        break
      case 'anyOf':
      case 'oneOf':
        out[key] = (value as SchemaObject[]).map((sub) => toJsonSchema(sub, refs))
        break
      case 'nullable':
      case 'example':
      case 'examples':
      case 'discriminator':
      case 'xml':
      case 'externalDocs':
      case 'description':
        break
      default:
        out[key] = value
    }
  }
  if (schema.nullable === true) {
    if (typeof out.type === 'string') {
      out.type = [out.type, 'null']
      if (Array.isArray(out.enum) && !out.enum.includes(null)) out.enum = [...out.enum, null]
    } else if (out.type === undefined) {
      return { anyOf: [out, { type: 'null' }] }
    }
  }
  return out
}

function isUserOrEnterprise(schemas: SchemaObject[]): boolean {
  return schemas.length === 2 && schemas[0]?.title === 'Simple User' && schemas[1]?.title === 'Enterprise'
}
