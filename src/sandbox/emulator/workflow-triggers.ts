/**
 * Which workflows an event starts, as GitHub decides: those whose `on:` names the event and whose filters
 * (`types`, `branches`, `branches-ignore`, `workflows`) match it, and none at all when the event was caused
 * by a GITHUB_TOKEN, except `workflow_dispatch` and `repository_dispatch`.
 * https://docs.github.com/en/actions/writing-workflows/choosing-when-your-workflow-runs/triggering-a-workflow#triggering-a-workflow-from-a-workflow
 * https://docs.github.com/en/actions/writing-workflows/choosing-when-your-workflow-runs/events-that-trigger-workflows
 */
import picomatch from 'picomatch'
import { z } from 'zod'
import type { Workflow } from './workflow-file.js'

/** The login every GITHUB_TOKEN acts as: the GitHub Actions app's bot. */
export const GITHUB_TOKEN_ACTOR = 'github-actions[bot]'

/**
 * Whether an event caused by `actor` may start workflow runs. "Events triggered by the GITHUB_TOKEN, with
 * the exception of workflow_dispatch and repository_dispatch, will not create a new workflow run" (see the
 * first link above). GitHub now creates `pull_request` runs of a GITHUB_TOKEN's PR in an approval-required
 * state that a person must start; the emulator has no one to approve them, so it starts none.
 * A `workflow_run` event's actor is the actor of the run that ended: a run a GITHUB_TOKEN dispatched
 * starts no `workflow_run` workflow either (GitHub documents no exception for it).
 */
export function startsWorkflows(event: string, actor: string): boolean {
  if (event === 'workflow_dispatch' || event === 'repository_dispatch') return true
  return actor !== GITHUB_TOKEN_ACTOR
}

/**
 * Activity types that start a workflow whose trigger lists no `types`: every type, but for `pull_request`
 * opened, synchronize and reopened ("By default, a workflow only runs when a pull_request event's activity
 * type is opened, synchronize, or reopened", events-that-trigger-workflows#pull_request).
 */
const DEFAULT_TYPES: Record<string, string[]> = {
  pull_request: ['opened', 'synchronize', 'reopened'],
  pull_request_target: ['opened', 'synchronize', 'reopened'],
}

const names = z.union([z.string().transform((name) => [name]), z.array(z.string())])
const filterSchema = z
  .object({
    types: names.optional(),
    branches: names.optional(),
    'branches-ignore': names.optional(),
    workflows: names.optional(),
  })
  .loose()
  .nullable()
  .catch(null)

/** The `cron` lines of a workflow's `schedule` trigger. */
export function cronsOf(workflow: Workflow): string[] {
  const schedule = workflow.on.filters['schedule']
  const parsed = z.array(z.object({ cron: z.string() })).safeParse(schedule)
  return parsed.success ? parsed.data.map((entry) => entry.cron) : []
}

const text = (value: unknown): string | undefined => (typeof value === 'string' ? value : undefined)
const field = (value: unknown, key: string): unknown =>
  value && typeof value === 'object' ? (value as Record<string, unknown>)[key] : undefined

/** The branch a `branches` filter is matched against, by event; undefined when the event has none. */
function filteredBranch(event: string, payload: Record<string, unknown>): string | undefined {
  switch (event) {
    case 'push': {
      const ref = text(payload['ref']) ?? ''
      return ref.startsWith('refs/heads/') ? ref.slice('refs/heads/'.length) : undefined
    }
    case 'pull_request':
    case 'pull_request_target':
      // "The branches filter … evaluates against the base branch" (events-that-trigger-workflows#pull_request).
      return text(field(field(payload['pull_request'], 'base'), 'ref'))
    case 'workflow_run':
      return text(field(payload['workflow_run'], 'head_branch'))
    default:
      return undefined
  }
}

/** Whether `workflow` runs for `event` with `payload` (the actor rule is `startsWorkflows`'). */
export function matchesTrigger(workflow: Workflow, event: string, payload: Record<string, unknown>): boolean {
  if (!workflow.on.events.includes(event)) return false
  if (event === 'schedule') return cronsOf(workflow).length > 0
  const filter = filterSchema.parse(workflow.on.filters[event] ?? null)
  const action = text(payload['action'])
  const types = filter?.types ?? DEFAULT_TYPES[event]
  if (types && action !== undefined && !types.includes(action)) return false
  if (event === 'workflow_run') {
    // "workflows" is required: it names the workflows (by `name:`) whose runs start this one.
    const name = text(field(payload['workflow_run'], 'name'))
    if (!filter?.workflows || name === undefined || !filter.workflows.includes(name)) return false
  }
  const branch = filteredBranch(event, payload)
  if (filter?.branches) {
    if (branch === undefined || !picomatch.isMatch(branch, filter.branches)) return false
  }
  if (filter?.['branches-ignore'] && branch !== undefined) {
    if (picomatch.isMatch(branch, filter['branches-ignore'])) return false
  }
  return true
}
