/** What the emulator does when a workflow run changes: workflow_run webhooks, and kill-run faults. */
import type { WorkflowRun } from './contracts.js'
import type { Services } from './routes/route-context.js'

/** Reports a run's progress as workflow_run webhooks and applies kill-run faults. */
export function onRunUpdate(services: Services, run: WorkflowRun): void {
  const repo = services.state.repos.get(run.repo.toLowerCase())
  if (!repo) return
  const action = run.status === 'queued' ? 'requested' : run.status
  services.events.emit(
    repo,
    'workflow_run',
    {
      action,
      workflow_run: services.shapes.workflowRun(run),
      workflow: services.shapes.workflow(repo, run.path),
    },
    run.actor.login,
  )
  if (run.status === 'in_progress') {
    const kill = services.faults.forRun(run.path)
    if (kill) void services.runner?.kill(run.id, { asFailure: kill.asFailure })
  }
}
