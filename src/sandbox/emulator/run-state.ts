/**
 * One run inside the emulator's Actions runner: its public record, its workflow, its concurrency group, and
 * what it takes to stop it (its processes and the reason it was killed).
 */
import type { ChildProcess } from 'node:child_process'
import type { WorkflowRun } from './contracts.js'
import type { Workflow } from './workflow-file.js'

/** A run the runner holds, queued, in progress or completed. */
export interface RunState {
  run: WorkflowRun
  workflow: Workflow
  group: string | null
  cancelInProgress: boolean
  /** The run's working directory (jobs, event file, the refused `unshare`). */
  dir: string
  children: Set<ChildProcess>
  killed: 'cancelled' | 'failure' | null
  done: Promise<void>
  finish: () => void
}

/** A run's conclusion once it has run. */
export type RunConclusion = 'success' | 'failure' | 'cancelled'
