/** The run's log and summary text, with the repository secrets and a step's masks hidden. */
import type { RunState } from './run-state.js'
import { maskText } from './workflow-commands.js'

/** Writes to a run's log; every line is masked. */
export interface RunLog {
  /** Appends one line to the run's log, hiding the secrets and `masks`. */
  append(state: RunState, line: string, masks?: Set<string>): void
  /** `text` with the secrets and `masks` hidden. */
  mask(text: string, masks: Set<string>): string
}

/** The log writer of a runner; `secrets` is read at each write, so secrets added later are hidden too. */
export function createRunLog(secrets: Record<string, string>): RunLog {
  const mask = (text: string, masks: Set<string>) => {
    const all = new Set(masks)
    for (const value of Object.values(secrets)) all.add(value)
    return maskText(text, all)
  }
  return {
    append(state, line, masks = new Set()) {
      state.run.log += `${mask(line, masks)}\n`
    },
    mask,
  }
}
