/**
 * Fail closed: a run whose agent commands cannot be isolated stops before any agent work, unless the
 * repository's config opts out with `isolation: none`; then the run says so loudly wherever it reports.
 */
import { unisolated } from '../agent/command-isolation.js'
import { isolationError } from '../agent/isolation-probe.js'
import type { BeadRun } from './bead-run.js'

/** The warning shown on the progress comment and the job summary of an unisolated run. */
export const UNISOLATED_WARNING =
  "The agent's commands ran WITHOUT isolation (`isolation: none` in .github/gastown.yml): they could read this worker's GitHub token and model key. " +
  'Remove the opt-out and run workers on a runner with passwordless sudo, in a container job, or where user namespaces work.'

/**
 * Answers why the run must stop, or null when it may go on: with an isolation, or opted out (then
 * the commands get the `none` isolation, with private HOME and TMPDIR, and the warning is posted).
 */
export async function checkIsolation(run: BeadRun): Promise<string | null> {
  const { deps } = run
  if (deps.commandIsolation !== null) return null
  if (run.config.isolation !== 'none') return isolationError(deps.isolationTried ?? [])
  deps.commandIsolation = await unisolated()
  run.log.warn({}, UNISOLATED_WARNING)
  await run.progress.warn(UNISOLATED_WARNING)
  return null
}

/** The warning for the job summary when the commands ran unisolated. */
export function isolationWarning(run: Pick<BeadRun, 'deps'>): string | undefined {
  return run.deps.commandIsolation?.kind === 'none' ? UNISOLATED_WARNING : undefined
}
