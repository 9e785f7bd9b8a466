/** The report as Markdown: outcome, the DAG as a Mermaid block, the beads, the API calls. */
import { tableCell } from '../../core/markdown-escape.js'
import type { TownSummary } from '../town-events.js'

/** Seconds with one decimal, or a dash. */
export function secondsOrDash(ms: number | null): string {
  return ms === null ? '–' : `${(ms / 1000).toFixed(1)} s`
}

/** The DAG as a Mermaid flowchart. */
export function mermaidDag(summary: TownSummary): string {
  const lines = ['flowchart LR']
  for (const bead of summary.beads) {
    const label = `#${bead.number} ${bead.key}<br/>${bead.role} · ${bead.status}`.replace(/"/g, "'")
    lines.push(`  b${bead.number}["${label}"]`)
  }
  for (const bead of summary.beads) {
    for (const dep of bead.dependencies) lines.push(`  b${dep} --> b${bead.number}`)
  }
  for (const bead of summary.beads) lines.push(`  class b${bead.number} ${bead.status}`)
  lines.push(
    '  classDef completed stroke:#2da44e,stroke-width:2px',
    '  classDef failed stroke:#cf222e,stroke-width:2px',
    '  classDef blocked stroke:#cf222e,stroke-width:2px',
  )
  return lines.join('\n')
}

/** Renders report.md. */
export function renderMarkdown(summary: TownSummary): string {
  const outcome = summary.ok
    ? `Every bead completed and goal #${summary.goal.number} was closed.`
    : `The town stopped (${summary.stopped ?? 'unfinished'}): ${summary.totals.completed} of ${summary.totals.beads} beads completed.`
  const model =
    summary.model.kind === 'scripted'
      ? `scripted model replaying scenario \`${summary.model.name}\` (a test double, not an LLM)`
      : `\`${summary.model.name}\``
  const beadRows = summary.beads.map(
    (bead) =>
      `| #${bead.number} | ${tableCell(bead.key)} | ${bead.role} | ${bead.status} | ${bead.attempts} | ${bead.rebases} | ${bead.runs} | ${bead.pr === null ? '–' : `#${bead.pr}`} | ${bead.startedAt ?? '–'} | ${bead.endedAt ?? '–'} | ${secondsOrDash(bead.durationMs)} | ${bead.tokens} | $${bead.costUsd.toFixed(4)} |`,
  )
  const routeRows = summary.api.byRoute.map(
    (route) => `| \`${route.route}\` | ${route.count} | ${route.errors} |`,
  )
  const actorRows = Object.entries(summary.api.byActor ?? {})
    .sort((a, b) => b[1] - a[1])
    .map(([actor, count]) => `| ${actor} | ${count} |`)
  return [
    `# Gas Town sandbox report: ${summary.repo}`,
    '',
    `Goal #${summary.goal.number}: ${summary.goal.title} (${summary.goal.state}). ${outcome}`,
    '',
    `Model: ${model}. Workers: ${summary.workers}. Merge: ${summary.merge}. From ${summary.startedAt} to ${summary.endedAt}.`,
    '',
    '## Numbers',
    '',
    '| | |',
    '|---|---|',
    `| makespan | ${secondsOrDash(summary.makespanMs)} |`,
    `| lower bound (critical path and total work on ${summary.workers} workers, observed run times) | ${secondsOrDash(summary.lowerBoundMs)} |`,
    `| beads / completed / failed | ${summary.totals.beads} / ${summary.totals.completed} / ${summary.totals.failed} |`,
    `| attempts / worker runs / failed runs | ${summary.totals.attempts} / ${summary.totals.runs} / ${summary.totals.failedRuns} |`,
    `| review rounds | ${summary.totals.reviewRounds} |`,
    `| PRs merged by the maintainer | ${summary.totals.prsMerged} |`,
    `| tokens / cost | ${summary.totals.tokens} / $${summary.totals.costUsd.toFixed(4)} |`,
    `| API calls (per bead, Mayor and workers) | ${summary.api.calls} (${summary.api.perBead}) |`,
    `| webhook deliveries (p50 / p99) | ${summary.webhooks.deliveries} (${summary.webhooks.p50Ms} ms / ${summary.webhooks.p99Ms} ms) |`,
    '',
    '## Beads',
    '',
    '```mermaid',
    mermaidDag(summary),
    '```',
    '',
    '| bead | key | role | status | attempts | rebases | runs | PR | started | ended | took | tokens | cost |',
    '|---|---|---|---|---|---|---|---|---|---|---|---|---|',
    ...beadRows,
    '',
    '## API calls by route',
    '',
    '| route | calls | errors |',
    '|---|---|---|',
    ...routeRows,
    '',
    '## API calls by actor',
    '',
    '| actor | calls |',
    '|---|---|',
    ...actorRows,
    '',
  ].join('\n')
}
