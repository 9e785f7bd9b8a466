/** The report as one self-contained HTML page: numbers, the DAG and the timeline as inline SVG, tables. */
import type { TownSummary } from '../town-events.js'
import { secondsOrDash } from './report-markdown.js'
import { dagSvg, escapeXml, ganttSvg, STATUS_COLOURS } from './report-svg.js'

/** Renders report.html. */
export function renderHtml(summary: TownSummary): string {
  const e = escapeXml
  const outcome = summary.ok
    ? `Every bead completed and goal #${summary.goal.number} was closed.`
    : `The town stopped (${e(summary.stopped ?? 'unfinished')}): ${summary.totals.completed} of ${summary.totals.beads} beads completed.`
  const model =
    summary.model.kind === 'scripted'
      ? `scripted model replaying scenario <code>${e(summary.model.name)}</code> (a test double, not an LLM)`
      : `<code>${e(summary.model.name)}</code>`
  const numbers: [string, string][] = [
    ['makespan', secondsOrDash(summary.makespanMs)],
    [`lower bound on ${summary.workers} workers`, secondsOrDash(summary.lowerBoundMs)],
    [
      'beads / completed / failed',
      `${summary.totals.beads} / ${summary.totals.completed} / ${summary.totals.failed}`,
    ],
    [
      'attempts / runs / failed runs',
      `${summary.totals.attempts} / ${summary.totals.runs} / ${summary.totals.failedRuns}`,
    ],
    ['review rounds', String(summary.totals.reviewRounds)],
    ['PRs merged', String(summary.totals.prsMerged)],
    ['tokens / cost', `${summary.totals.tokens} / $${summary.totals.costUsd.toFixed(4)}`],
    ['API calls (per bead)', `${summary.api.calls} (${summary.api.perBead})`],
    [
      'webhook deliveries (p50 / p99)',
      `${summary.webhooks.deliveries} (${summary.webhooks.p50Ms} ms / ${summary.webhooks.p99Ms} ms)`,
    ],
  ]
  const beadRows = summary.beads
    .map(
      (bead) =>
        `<tr><td>#${bead.number}</td><td>${e(bead.key)}</td><td>${e(bead.title)}</td><td>${e(bead.role)}</td><td><span class="status" style="color:${STATUS_COLOURS[bead.status] ?? '#57606a'}">${bead.status}</span></td><td>${bead.attempts}</td><td>${bead.runs}</td><td>${bead.pr === null ? '–' : `#${bead.pr}`}</td><td>${e(bead.startedAt ?? '–')}</td><td>${e(bead.endedAt ?? '–')}</td><td>${secondsOrDash(bead.durationMs)}</td><td>${bead.tokens}</td><td>$${bead.costUsd.toFixed(4)}</td></tr>`,
    )
    .join('\n')
  const routeRows = summary.api.byRoute
    .map(
      (route) =>
        `<tr><td><code>${e(route.route)}</code></td><td>${route.count}</td><td>${route.errors}</td></tr>`,
    )
    .join('\n')
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>Gas Town sandbox report: ${e(summary.repo)}</title>
<style>
body { font-family: system-ui, sans-serif; margin: 2rem auto; max-width: 1100px; color: #1f2328; padding: 0 1rem; }
table { border-collapse: collapse; margin: 1rem 0; font-size: 0.9rem; }
th, td { border: 1px solid #d0d7de; padding: 0.3rem 0.6rem; text-align: left; }
th { background: #f6f8fa; }
.status { font-weight: 600; }
figure { margin: 1rem 0; overflow-x: auto; }
</style>
</head>
<body>
<h1>Gas Town sandbox report: ${e(summary.repo)}</h1>
<p>Goal #${summary.goal.number}: ${e(summary.goal.title)} (${summary.goal.state}). ${outcome}</p>
<p>Model: ${model}. Workers: ${summary.workers}. Merge: ${summary.merge}. From ${e(summary.startedAt)} to ${e(summary.endedAt)}.</p>
<h2>Numbers</h2>
<table>${numbers.map(([k, v]) => `<tr><th>${e(k)}</th><td>${e(v)}</td></tr>`).join('')}</table>
<h2>Beads and their dependencies</h2>
<figure>${dagSvg(summary.beads)}</figure>
<h2>Timeline of the worker runs</h2>
<figure>${ganttSvg(summary)}</figure>
<table>
<tr><th>bead</th><th>key</th><th>title</th><th>role</th><th>status</th><th>attempts</th><th>runs</th><th>PR</th><th>started</th><th>ended</th><th>took</th><th>tokens</th><th>cost</th></tr>
${beadRows}
</table>
<h2>API calls by route</h2>
<table>
<tr><th>route</th><th>calls</th><th>errors</th></tr>
${routeRows}
</table>
</body>
</html>
`
}
