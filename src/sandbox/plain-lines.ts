/**
 * The town's events as plain lines, one per event: the terminal output when no live board runs (piped
 * output, `--json`, CI), and a log anyone can grep.
 */
import type { TownEvent, TownSummary } from './town-events.js'

/** Milliseconds as seconds with one decimal. */
export function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(1)} s`
}

/** The closing lines of a run: outcome, makespan against its lower bound, API calls, tokens. */
export function summaryLines(summary: TownSummary): string[] {
  const outcome = summary.ok
    ? `done: every bead completed and goal #${summary.goal.number} closed`
    : `stopped (${summary.stopped ?? 'unfinished'}): ${summary.totals.completed} of ${summary.totals.beads} beads completed`
  return [
    outcome,
    `beads ${summary.totals.beads}, runs ${summary.totals.runs} (${summary.totals.failedRuns} failed), review rounds ${summary.totals.reviewRounds}, PRs merged ${summary.totals.prsMerged}`,
    `makespan ${seconds(summary.makespanMs)} against a lower bound of ${seconds(summary.lowerBoundMs)} on ${summary.workers} workers`,
    `API calls ${summary.api.calls} (${summary.api.perBead} per bead by the Mayor and workers), webhook deliveries ${summary.webhooks.deliveries} (p50 ${summary.webhooks.p50Ms} ms, p99 ${summary.webhooks.p99Ms} ms)`,
    `tokens ${summary.totals.tokens}, cost $${summary.totals.costUsd.toFixed(4)} (${summary.model.kind === 'scripted' ? 'scripted: priced as the scenario says' : summary.model.name})`,
  ]
}

/** One line for an event, or null for events that need none. */
export function formatEvent(event: TownEvent, start: number): string | null {
  const at = `+${seconds(Math.max(0, event.at - start)).padStart(7)}`
  switch (event.type) {
    case 'started':
      return `${at} town     ${event.repo}: goal #${event.goal.number} "${event.goal.title}", ${event.workers} workers, merge ${event.merge}; GitHub emulator at ${event.urls.emulator}, Mayor at ${event.urls.mayor}`
    case 'bead': {
      const bead = event.bead
      const from = event.previous === undefined ? 'new' : event.previous
      const extra = [
        `attempt ${bead.attempt}`,
        ...(bead.pr === undefined ? [] : [`PR #${bead.pr}`]),
        ...((bead.round ?? 0) > 0 ? [`review round ${bead.round}`] : []),
        ...(bead.needsHuman ? ['needs a person'] : []),
      ].join(', ')
      return `${at} bead     #${bead.number} ${bead.key} (${bead.role}): ${from} -> ${bead.status} (${extra})`
    }
    case 'run': {
      const run = event.run
      const what = run.bead === undefined ? '' : ` for bead #${run.bead} attempt ${run.attempt ?? '?'}`
      const state = run.status === 'completed' ? `completed: ${run.conclusion ?? 'unknown'}` : run.status
      return `${at} runner   run ${run.id}${what}: ${state}`
    }
    case 'log':
      return `${at} ${event.source.padEnd(8)} ${event.level === 'info' ? '' : `${event.level}: `}${event.message}`
    case 'finished':
      return summaryLines(event.summary)
        .map((line) => `${at} town     ${line}`)
        .join('\n')
  }
}
