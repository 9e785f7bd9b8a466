/**
 * The worker workflow the benchmarks run: the example workflow of docs/examples with the scripted
 * scenario as the model, optionally with steps that stamp the time around the checkout and the action.
 */
import { readFileSync } from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import yaml from 'js-yaml'

/** This project's root: the action the emulator's runner runs for `gastown-github/gastown@v1`. */
export const PROJECT_ROOT = fileURLToPath(new URL('../', import.meta.url))

/** The `uses:` mapping that makes the runner start this project's bundled action. */
export const WORKER_ACTIONS: Record<string, string> = { 'gastown-github/gastown@v1': PROJECT_ROOT }

interface Step {
  id?: string
  uses?: string
  run?: string
  with?: Record<string, string>
}

const stamp = (id: string): Step => ({ id, run: 'echo "ms=$(date +%s%3N)" >> "$GITHUB_OUTPUT"' })

/**
 * The example workflow replaying `scenario`; with `stamps`, steps `t0`..`t2` write the epoch milliseconds
 * before the checkout, before the action and after it, so the action's wall time can be read from outputs.
 */
export function workerWorkflow(scenario: string, options: { stamps?: boolean } = {}): string {
  const workflow = yaml.load(
    readFileSync(path.join(PROJECT_ROOT, 'docs/examples/gastown-worker.yml'), 'utf8'),
  ) as { jobs: { work: { steps: Step[] } } }
  const steps = workflow.jobs.work.steps
  const worker = steps.find((step) => step.id === 'worker')
  if (!worker) throw new Error('docs/examples/gastown-worker.yml has no step with id "worker" any more.')
  worker.with = { ...worker.with, scenario }
  if (options.stamps) {
    const at = steps.indexOf(worker)
    workflow.jobs.work.steps = [stamp('t0'), ...steps.slice(0, at), stamp('t1'), worker, stamp('t2')]
  }
  return yaml.dump(workflow, { lineWidth: -1 })
}

/** The `timings` of the worker's "worker done" log line in a run's log, if it wrote one. */
export function workerTimings(
  log: string,
):
  | { totalMs: number; modelMs: number; toolMs: number; overheadMs: number; phases: Record<string, number> }
  | undefined {
  for (const line of log.split('\n')) {
    if (!line.includes('"worker done"')) continue
    const start = line.indexOf('{')
    if (start < 0) continue
    try {
      const parsed = JSON.parse(line.slice(start)) as { timings?: unknown }
      if (parsed.timings && typeof parsed.timings === 'object') return parsed.timings as never
    } catch {
      // A line that only mentions the message is not the log record.
    }
  }
  return undefined
}
