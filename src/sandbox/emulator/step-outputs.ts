/**
 * What a step hands back to the runner: workflow commands on its output (annotations, `set-output`,
 * `save-state`, groups), and the environment files the runner names for it (`GITHUB_OUTPUT`, `GITHUB_ENV`,
 * `GITHUB_PATH`, `GITHUB_STATE`, `GITHUB_STEP_SUMMARY`).
 * https://docs.github.com/en/actions/reference/workflows-and-actions/workflow-commands#environment-files
 */
import { randomUUID } from 'node:crypto'
import { readFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import type { RunLog } from './run-log.js'
import type { RunState } from './run-state.js'
import type { CommandHandler } from './step-process.js'
import { parseEnvironmentFile } from './workflow-commands.js'

// Each file's name starts as the runner's does; the rest is random, so a step cannot guess another's.
const FILE_PREFIXES = {
  GITHUB_OUTPUT: 'set_output',
  GITHUB_ENV: 'set_env',
  GITHUB_PATH: 'add_path',
  GITHUB_STATE: 'save_state',
  GITHUB_STEP_SUMMARY: 'step_summary',
} as const

/** The environment files of one step, by the variable that names each. */
export type StepFiles = Record<keyof typeof FILE_PREFIXES, string>

/** What a step's files and commands change: its outputs and saved state, and the job's env, PATH and summary. */
export interface StepEffects {
  outputs: Record<string, string>
  stateValues: Record<string, string>
  addEnv(vars: Record<string, string>): void
  prependPath(paths: string[]): void
  addSummary(text: string): void
}

/** Creates the empty environment files of a step in `dir`, each with a name of its own. */
export async function createStepFiles(dir: string): Promise<StepFiles> {
  const files = {} as StepFiles
  for (const [variable, prefix] of Object.entries(FILE_PREFIXES) as [keyof StepFiles, string][]) {
    files[variable] = join(dir, `${prefix}_${randomUUID()}`)
  }
  for (const file of Object.values(files)) await writeFile(file, '')
  return files
}

/** Reads what the step wrote to its files, in order; throws (after applying what came before) on a bad file. */
export async function applyStepFiles(files: StepFiles, effects: StepEffects): Promise<void> {
  Object.assign(
    effects.outputs,
    parseEnvironmentFile(await readFile(files.GITHUB_OUTPUT, 'utf8'), 'GITHUB_OUTPUT'),
  )
  effects.addEnv(parseEnvironmentFile(await readFile(files.GITHUB_ENV, 'utf8'), 'GITHUB_ENV'))
  Object.assign(
    effects.stateValues,
    parseEnvironmentFile(await readFile(files.GITHUB_STATE, 'utf8'), 'GITHUB_STATE'),
  )
  effects.prependPath((await readFile(files.GITHUB_PATH, 'utf8')).split('\n').filter(Boolean))
  const summary = await readFile(files.GITHUB_STEP_SUMMARY, 'utf8')
  if (summary) effects.addSummary(summary)
}

/** Handles the workflow commands of a step: annotations and groups to the log, outputs and state saved. */
export function stepCommands(
  log: RunLog,
  state: RunState,
  masks: Set<string>,
  effects: Pick<StepEffects, 'outputs' | 'stateValues'>,
): CommandHandler {
  return (name, properties, message) => {
    if (name === 'error' || name === 'warning' || name === 'notice') {
      const where = properties.file
        ? ` (${properties.file}${properties.line ? `:${properties.line}` : ''})`
        : ''
      log.append(state, `##[${name}]${message}${where}`, masks)
    } else if (name === 'set-output' && properties.name) {
      effects.outputs[properties.name] = message
    } else if (name === 'save-state' && properties.name) {
      effects.stateValues[properties.name] = message
    } else if (name === 'group' || name === 'endgroup') {
      log.append(state, `##[${name}]${message}`, masks)
    } else if (name !== 'debug') {
      log.append(state, `::${name}::${message}`, masks)
    }
  }
}
