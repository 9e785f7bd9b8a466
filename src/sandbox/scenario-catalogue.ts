/**
 * The built-in scenarios of the sandbox (src/sandbox/scenarios/*.yaml), each with the goal it plays,
 * and the lookup of a scenario by name or path.
 */
import { access } from 'node:fs/promises'
import path from 'node:path'
import { fileURLToPath } from 'node:url'

/** Where the built-in scenario files live; workers read them by this path. */
export const SCENARIO_DIR = fileURLToPath(new URL('./scenarios/', import.meta.url))

/** The goal each built-in scenario was written for. */
export const BUILT_IN_GOALS: Readonly<Record<string, string>> = {
  'todo-api': 'Build a REST API for a todo list with CRUD operations and tests',
  wide: 'Add twelve small, independent string helpers, each in its own module with a test',
  deep: 'Write the six chapters of the onboarding guide, each building on the one before',
  collide:
    'Add shout(), whisper() and sparkle(), each registered in src/features.js and listed in the README',
}

/** The default scenario and goal: the seed's own. */
export const DEFAULT_SCENARIO = 'todo-api'

/** A scenario resolved to its file. */
export interface ResolvedScenario {
  name: string
  path: string
  /** The goal it was written for, for a built-in one. */
  goal?: string
}

/** A scenario by built-in name, or a path to a scenario file; the error lists the built-in names. */
export async function resolveScenario(
  nameOrPath: string,
  cwd: string = process.cwd(),
): Promise<ResolvedScenario> {
  const looksLikePath = /[\\/]/.test(nameOrPath) || /\.ya?ml$/i.test(nameOrPath)
  const file = looksLikePath ? path.resolve(cwd, nameOrPath) : path.join(SCENARIO_DIR, `${nameOrPath}.yaml`)
  try {
    await access(file)
  } catch {
    throw new Error(
      looksLikePath
        ? `No scenario file at ${file}. Give a path to a scenario YAML file (see src/llm/scenario.ts for the format).`
        : `No built-in scenario "${nameOrPath}". The built-in scenarios are ${Object.keys(BUILT_IN_GOALS).join(', ')}; or give a path to a scenario file.`,
    )
  }
  const name = path.basename(file).replace(/\.ya?ml$/i, '')
  const goal = looksLikePath ? undefined : BUILT_IN_GOALS[name]
  return { name, path: file, ...(goal === undefined ? {} : { goal }) }
}
