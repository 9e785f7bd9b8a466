/**
 * Which beads a merge lets start at once, decided from what the Mayor last knew of the goal rather than
 * from a fresh read: the merged bead's dependents whose other dependencies are done, while the limits
 * leave slots free. The step that follows reads GitHub and either bears each such dispatch out (it
 * writes the attempt into the bead, and the worker goes to work) or leaves it unwritten (the worker
 * finds an earlier attempt and stops as stale). So a wrong guess costs a worker start, never a change.
 */
import { schedule, type SchedulerBead, type SchedulerLimits, type SchedulerWeights } from './scheduler.js'

/**
 * The dependents of `merged` to dispatch now, in the scheduler's priority order. `beads` are as the Mayor
 * last knew them, with every dispatch it has sent since counted `in_progress`. Nothing when the merged
 * bead was not one the Mayor knew as running or in review with a PR (a merge it cannot place).
 */
export function dispatchOnMerge(
  beads: readonly SchedulerBead[],
  merged: number,
  limits: SchedulerLimits,
  weights: SchedulerWeights = {},
): number[] {
  const known = beads.find((bead) => bead.id === merged)
  if (!known || known.output !== 'pr' || (known.status !== 'in_progress' && known.status !== 'in_review')) {
    return []
  }
  const after = beads.map((bead) => (bead.id === merged ? { ...bead, status: 'completed' as const } : bead))
  const dependents = new Set(after.filter((bead) => bead.deps.includes(merged)).map((bead) => bead.id))
  return schedule(after, limits, weights).dispatch.filter((id) => dependents.has(id))
}
