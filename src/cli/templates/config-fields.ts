/**
 * The settings of `.github/gastown.yml` as a tree read from the config schema (its JSON Schema for
 * descriptions and accepted values, `defaultConfig()` for defaults), so the file `gastown init` writes and
 * docs/configuration.md come from the one schema and cannot drift from it.
 */
import { configJsonSchema, defaultConfig } from '../../core/config.js'

/** One setting, or a section of settings. */
export interface ConfigField {
  /** Keys from the top, e.g. ['budgets', 'iterations']. */
  path: string[]
  description: string
  /** What the setting accepts, in words. */
  accepted: string
  /** The default, as `defaultConfig()` has it. */
  default: unknown
  /** Settings of a section (`model`, `budgets`); empty for a leaf. */
  children: ConfigField[]
  /** The fields of a value that is a mapping: each entry of `roles`, or the `project` board. */
  entryFields: ConfigField[]
}

interface JsonSchema {
  default?: unknown
  type?: string | string[]
  description?: string
  properties?: Record<string, JsonSchema>
  additionalProperties?: JsonSchema | boolean
  propertyNames?: JsonSchema
  items?: JsonSchema
  anyOf?: JsonSchema[]
  enum?: unknown[]
  minimum?: number
  maximum?: number
  minLength?: number
  format?: string
  pattern?: string
}

/** The settings of the config file, in the schema's order. */
export function configFields(): ConfigField[] {
  const schema = configJsonSchema() as JsonSchema
  return fieldsOf(schema, [], defaultConfig())
}

/** Every leaf setting, depth first (sections are not listed, their settings are). */
export function leafFields(fields: readonly ConfigField[] = configFields()): ConfigField[] {
  return fields.flatMap((field) => (field.children.length > 0 ? leafFields(field.children) : [field]))
}

/** `budgets.iterations` */
export function fieldName(field: Pick<ConfigField, 'path'>): string {
  return field.path.join('.')
}

function fieldsOf(schema: JsonSchema, path: string[], defaults: unknown): ConfigField[] {
  return Object.entries(schema.properties ?? {}).map(([key, property]) => {
    const here = [...path, key]
    const value = defaults === undefined ? property.default : (defaults as Record<string, unknown>)[key]
    const isSection = property.properties !== undefined && !property.anyOf
    return {
      path: here,
      description: property.description ?? '',
      accepted: accepted(property),
      default: value,
      children: isSection ? fieldsOf(property, here, value) : [],
      entryFields: isSection ? [] : entryFieldsOf(property, here),
    }
  })
}

/** The fields of each entry of a record of mappings, or of a nullable mapping. */
function entryFieldsOf(schema: JsonSchema, path: string[]): ConfigField[] {
  const entry =
    typeof schema.additionalProperties === 'object' && schema.additionalProperties.properties
      ? schema.additionalProperties
      : schema.anyOf?.find((option) => option.properties !== undefined)
  return entry ? fieldsOf(entry, path, undefined) : []
}

/** What a JSON Schema accepts, in words, as config errors phrase it. */
export function accepted(schema: JsonSchema): string {
  if (schema.anyOf) {
    const options = schema.anyOf.filter((option) => option.type !== 'null').map(accepted)
    const nullable = schema.anyOf.some((option) => option.type === 'null')
    return `${options.join(' or ')}${nullable ? ', or null' : ''}`
  }
  if (schema.enum) return `one of ${schema.enum.map((value) => JSON.stringify(value)).join(', ')}`
  switch (schema.type) {
    case 'integer':
    case 'number': {
      const noun = schema.type === 'integer' ? 'a whole number' : 'a number'
      const { minimum: min, maximum: max } = schema
      if (min !== undefined && max !== undefined) return `${noun} from ${min} to ${max}`
      if (min !== undefined) return `${noun} of at least ${min}`
      if (max !== undefined) return `${noun} of at most ${max}`
      return noun
    }
    case 'string':
      if (schema.format === 'uri') return 'an http(s) URL'
      if (schema.pattern === '^[A-Za-z_][A-Za-z0-9_]*$') return 'an environment variable name'
      return 'text'
    case 'boolean':
      return 'true or false'
    case 'array': {
      const items = schema.items
      if (items?.enum) return `a list of ${items.enum.map((value) => JSON.stringify(value)).join(', ')}`
      return items?.type === 'string' ? 'a list of strings' : 'a list of values'
    }
    case 'object': {
      if (schema.properties) return `a mapping with ${Object.keys(schema.properties).join(', ')}`
      const values = typeof schema.additionalProperties === 'object' ? schema.additionalProperties : undefined
      const keys = schema.propertyNames?.pattern === '^[a-z][a-z0-9-]{0,36}$' ? 'role names' : 'names'
      return `a mapping of ${keys} to ${
        values
          ? accepted(values)
              .replace(/^an? /, '')
              .replace(/^(mapping|whole number|number)\b/, '$1s')
          : 'values'
      }`
    }
    default:
      return 'a value'
  }
}
