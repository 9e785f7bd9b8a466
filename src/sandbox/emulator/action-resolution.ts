/**
 * Where a `uses:` action lives for the emulator: a local `./path` in the workspace, or a directory the
 * runner's `actions` option maps its name to; and its `action.yml`, read and checked.
 */
import { existsSync } from 'node:fs'
import { readFile } from 'node:fs/promises'
import { join, resolve as resolvePath } from 'node:path'
import yaml from 'js-yaml'
import { z } from 'zod'

// https://docs.github.com/en/actions/reference/workflows-and-actions/metadata-syntax
const actionSchema = z.object({
  name: z.string().optional(),
  inputs: z
    .record(
      z.string(),
      z
        .object({
          description: z.string().optional(),
          required: z.boolean().optional(),
          default: z.union([z.string(), z.number(), z.boolean()]).transform(String).optional(),
        })
        .nullable()
        .transform((input) => input ?? {}),
    )
    .default({}),
  runs: z.object({
    using: z.string(),
    main: z.string().optional(),
    post: z.string().optional(),
    'post-if': z.string().optional(),
  }),
})

/** An action's `action.yml`, as far as the emulator reads it. */
export type ActionManifest = z.infer<typeof actionSchema>

/**
 * The directory of a `uses:` action, or null when the emulator does not know it: a `./` path in the
 * workspace, the exact `uses:` value, its name without the version, or the longest mapped prefix of the
 * name (for `owner/repo/path` actions).
 */
export function resolveAction(
  actions: Record<string, string>,
  uses: string,
  workspace: string,
): string | null {
  if (uses.startsWith('./')) return resolvePath(workspace, uses)
  const exact = actions[uses]
  if (exact) return exact
  const name = uses.split('@')[0] ?? uses
  const byName = actions[name]
  if (byName) return byName
  const prefix = Object.keys(actions)
    .filter((key) => name.startsWith(`${key}/`))
    .sort((a, b) => b.length - a.length)[0]
  const base = prefix === undefined ? undefined : actions[prefix]
  return prefix === undefined || base === undefined ? null : join(base, name.slice(prefix.length + 1))
}

/** Reads the `action.yml` (or `action.yaml`) of an action directory; throws naming the file and the field. */
export async function readAction(dir: string): Promise<ActionManifest> {
  const file = ['action.yml', 'action.yaml'].map((name) => join(dir, name)).find((path) => existsSync(path))
  if (!file) throw new Error(`no action.yml in ${dir}`)
  const parsed = actionSchema.safeParse(yaml.load(await readFile(file, 'utf8')))
  if (!parsed.success) {
    throw new Error(
      `${file} is not a valid action: ${parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`).join('; ')}`,
    )
  }
  return parsed.data
}
