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

/** The environment files of one step, each created empty. */
export interface StepFiles {
  GITHUB_OUTPUT: string
  GITHUB_ENV: string
  GITHUB_PATH: string
  GITHUB_STATE: string
  GITHUB_STEP_SUMMARY: string
}

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
  const files: StepFiles = {
    GITHUB_OUTPUT: join(dir, `set_output_${randomUUID()}`),
    GITHUB_ENV: join(dir, `set_env_${randomUUID()}`),
    GITHUB_PATH: join(dir, `add_path_${randomUUID()}`),
    GITHUB_STATE: join(dir, `save_state_${randomUUID()}`),
    GITHUB_STEP_SUMMARY: join(dir, `step_summary_${randomUUID()}`),
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
