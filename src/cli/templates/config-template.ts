/**
 * The `.github/gastown.yml` that `gastown init` writes: every setting with its description and default,
 * commented out, so the file means "all defaults" until a person uncomments a line.
 */
import yaml from 'js-yaml'
import { configFields, type ConfigField } from './config-fields.js'

const HEADER = [
  '# Gas Town configuration, read by the Mayor and the workers from the default branch.',
  '# Every setting is shown with its default, commented out: delete the `#` before a setting (and before',
  '# its section, e.g. `#budgets:`) to change it. Reference: docs/configuration.md of gastown-github.',
]

/** Options of `renderConfigFile`. */
export interface RenderConfigOptions {
  /** Settings as live YAML instead of comments: the same defaults, stated (tests parse it). */
  active?: boolean
}

/** The text of `.github/gastown.yml` with every setting, its description and its default. */
export function renderConfigFile(options: RenderConfigOptions = {}): string {
  const setting = options.active ? '' : '#'
  const lines = [...HEADER]
  for (const field of configFields()) {
    lines.push('', ...docLines(field, '# '))
    lines.push(...settingLines(field, 0, setting))
  }
  return `${lines.join('\n')}\n`
}

/** A field's description, then the fields of its entries (roles, the project board), as comments. */
function docLines(field: ConfigField, prefix: string): string[] {
  const lines = [`${prefix}${field.description}`]
  for (const entry of field.entryFields) {
    const fallback = entry.default === undefined ? '' : ` Default: ${inline(entry.default)}.`
    lines.push(`${prefix}  ${entry.path.at(-1)}: ${entry.description}${fallback}`)
  }
  return lines
}

function settingLines(field: ConfigField, depth: number, setting: string): string[] {
  const indent = '  '.repeat(depth)
  const key = field.path.at(-1)!
  if (field.children.length === 0) return [`${setting}${indent}${key}: ${inline(field.default)}`]
  const lines = [`${setting}${indent}${key}:`]
  for (const child of field.children) {
    lines.push(...docLines(child, `${setting}${indent}  # `))
    lines.push(...settingLines(child, depth + 1, setting))
  }
  return lines
}

/** A value on one line, in YAML flow style: `4`, `null`, `['.github/workflows/**']`, `{}`. */
export function inline(value: unknown): string {
  return yaml.dump(value, { flowLevel: 0, lineWidth: -1 }).trim()
}
