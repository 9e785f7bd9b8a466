/**
 * The app as this project registers it: app.yml's `default_permissions`, which the emulator's
 * installation tokens carry, so the sandbox and the tests run with the permissions a real install has.
 */
import { readFileSync } from 'node:fs'
import yaml from 'js-yaml'
import type { TokenPermissions } from './contracts.js'

/** Where app.yml lives, from this file in src/sandbox/emulator. */
const APP_YML = new URL('../../../app.yml', import.meta.url)

/** The permissions of app.yml (`metadata` included, as GitHub always grants it). */
export function registeredAppPermissions(path: URL = APP_YML): TokenPermissions {
  const manifest = yaml.load(readFileSync(path, 'utf8')) as { default_permissions?: Record<string, unknown> }
  const granted: TokenPermissions = { metadata: 'read' }
  for (const [name, level] of Object.entries(manifest.default_permissions ?? {})) {
    if (level === 'read' || level === 'write') granted[name] = level
    else
      throw new Error(
        `app.yml: default_permissions.${name} is ${JSON.stringify(level)}; expected read or write.`,
      )
  }
  return granted
}
