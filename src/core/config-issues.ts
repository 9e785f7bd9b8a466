/**
 * Explaining zod's issues about the config file in words a person can act on: the field, what was
 * found, what would be accepted, and a "did you mean" for a misspelt key. It reads the schema's
 * definitions (zod's `_zod.def`) to say what a field accepts, so the words follow the schema.
 */
import type { z } from 'zod'
import { didYouMean } from './suggest-name.js'

/** A key of a path into the config: a mapping key or a list index. */
export type PathKey = string | number

/** `budgets.iterations`, `commands.deny[1]`, `model.prices["gpt-4.1"]`. */
export function formatPath(path: readonly PathKey[]): string {
  let text = ''
  for (const key of path) {
    if (typeof key === 'number') text += `[${key}]`
    else if (/^[A-Za-z_][A-Za-z0-9_-]*$/.test(key)) text += text === '' ? key : `.${key}`
    else text += `[${JSON.stringify(key)}]`
  }
  return text
}

/** A value as an error message shows it. */
export function show(value: unknown): string {
  if (value === undefined) return 'nothing'
  if (value === null) return 'null'
  if (typeof value === 'string') return value.length > 40 ? `"${value.slice(0, 40)}…"` : JSON.stringify(value)
  if (Array.isArray(value)) return 'a list'
  if (typeof value === 'object') return 'a mapping'
  return String(value)
}

/** A message about the field at `path`. */
export interface Explained {
  path: PathKey[]
  message: string
}

type Issue = z.core.$ZodIssue

/** One zod issue of `schema` as messages a person can act on; unknown keys become one message each. */
export function explainIssue(issue: Issue, schema: z.ZodType): Explained[] {
  const root = schema as unknown as ZodLike
  const path = issue.path.filter((key): key is PathKey => typeof key !== 'symbol')
  const input = (issue as { input?: unknown }).input
  switch (issue.code) {
    case 'unrecognized_keys': {
      const known = Object.keys(shapeAt(root, path) ?? {})
      return issue.keys.map((key) => ({
        path: [...path, key],
        message: `unknown setting "${key}".${didYouMean(key, known)} The settings here are: ${known.join(', ')}.`,
      }))
    }
    case 'invalid_key':
      return [{ path, message: `${issue.issues[0]?.message ?? 'invalid name'}; got ${show(input)}.` }]
    case 'custom':
      return [{ path, message: issue.message }]
    case 'invalid_format':
      return [{ path, message: `got ${show(input)}; expected ${issue.message}.` }]
    case 'invalid_value': {
      const hint = typeof input === 'string' ? didYouMean(input, issue.values.map(String)) : ''
      return [{ path, message: `got ${show(input)}; expected ${accepted(schemaAt(root, path))}.${hint}` }]
    }
    default: {
      const what = input === undefined ? 'is required' : `got ${show(input)}`
      return [{ path, message: `${what}; expected ${accepted(schemaAt(root, path))}.` }]
    }
  }
}

interface ZodDefLike {
  type: string
  innerType?: ZodLike
  shape?: Record<string, ZodLike>
  valueType?: ZodLike
  element?: ZodLike
  entries?: Record<string, unknown>
  values?: unknown[]
  format?: string
}
interface ZodLike {
  _zod: { def: ZodDefLike }
  minValue?: number | null
  maxValue?: number | null
  isInt?: boolean
  minLength?: number | null
}

const WRAPPERS = new Set(['default', 'prefault', 'optional', 'nullable', 'readonly'])

function unwrap(schema: ZodLike): { schema: ZodLike; nullable: boolean } {
  let current = schema
  let nullable = false
  while (WRAPPERS.has(current._zod.def.type) && current._zod.def.innerType) {
    if (current._zod.def.type === 'nullable') nullable = true
    current = current._zod.def.innerType
  }
  return { schema: current, nullable }
}

/** The schema of the field at a path, or undefined past the schema's end. */
function schemaAt(root: ZodLike, path: readonly PathKey[]): ZodLike | undefined {
  let current: ZodLike | undefined = root
  for (const key of path) {
    if (current === undefined) return undefined
    const def: ZodDefLike = unwrap(current).schema._zod.def
    if (def.type === 'object') current = def.shape?.[String(key)]
    else if (def.type === 'record') current = def.valueType
    else if (def.type === 'array') current = def.element
    else return undefined
  }
  return current
}

function shapeAt(root: ZodLike, path: readonly PathKey[]): Record<string, ZodLike> | undefined {
  const schema = schemaAt(root, path)
  return schema === undefined ? undefined : unwrap(schema).schema._zod.def.shape
}

/** What a field accepts, in words. */
function accepted(schema: ZodLike | undefined): string {
  if (schema === undefined) return 'a valid value'
  const { schema: inner, nullable } = unwrap(schema)
  const def = inner._zod.def
  let text: string
  switch (def.type) {
    case 'number': {
      const noun = inner.isInt ? 'a whole number' : 'a number'
      const min = inner.minValue ?? undefined
      const max = inner.maxValue ?? undefined
      const small = (n: number | undefined) => n !== undefined && Math.abs(n) < Number.MAX_SAFE_INTEGER
      text =
        small(min) && small(max)
          ? `${noun} from ${min} to ${max}`
          : small(min)
            ? `${noun} of at least ${min}`
            : small(max)
              ? `${noun} of at most ${max}`
              : noun
      break
    }
    case 'string':
      text = def.format === 'url' ? 'an http(s) URL' : (inner.minLength ?? 0) > 0 ? 'non-empty text' : 'text'
      break
    case 'boolean':
      text = 'true or false'
      break
    case 'enum':
      text = `one of ${Object.values(def.entries ?? {})
        .map((value) => JSON.stringify(value))
        .join(', ')}`
      break
    case 'object':
      text = `a mapping with ${Object.keys(def.shape ?? {}).join(', ')}`
      break
    case 'record':
      text = `a mapping of names to ${accepted(def.valueType)}`
      break
    case 'array':
      text = `a list of ${accepted(def.element).replace(/^an? /, '')}s`
      break
    default:
      text = 'a valid value'
  }
  return nullable ? `${text}, or null` : text
}
