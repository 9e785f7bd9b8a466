/**
 * The report's pictures as self-contained inline SVG: the beads' DAG in layers (dependencies to the left)
 * and a Gantt timeline of the worker runs.
 */
import type { BeadSummary, TownSummary } from '../town-events.js'

/** Colours by bead status and run conclusion. */
export const STATUS_COLOURS: Readonly<Record<string, string>> = {
  completed: '#2da44e',
  in_review: '#8250df',
  in_progress: '#bf8700',
  ready: '#0969da',
  pending: '#8c959f',
  failed: '#cf222e',
  blocked: '#cf222e',
  cancelled: '#57606a',
  success: '#2da44e',
  failure: '#cf222e',
}

/** Escapes text for XML and HTML. */
export function escapeXml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`)
}

/** Each bead's layer: 0 without dependencies, else one more than its deepest dependency. */
export function layersOf(beads: readonly BeadSummary[]): Map<number, number> {
  const byNumber = new Map(beads.map((bead) => [bead.number, bead]))
  const layers = new Map<number, number>()
  const visit = (number: number, trail: Set<number>): number => {
    const known = layers.get(number)
    if (known !== undefined) return known
    if (trail.has(number)) return 0
    trail.add(number)
    const deps = byNumber.get(number)?.dependencies.filter((dep) => byNumber.has(dep)) ?? []
    const layer = deps.length === 0 ? 0 : Math.max(...deps.map((dep) => visit(dep, trail))) + 1
    trail.delete(number)
    layers.set(number, layer)
    return layer
  }
  for (const bead of beads) visit(bead.number, new Set())
  return layers
}

/** The DAG: one column per layer, one box per bead coloured by status, an arrow per dependency. */
export function dagSvg(beads: readonly BeadSummary[]): string {
  const layers = layersOf(beads)
  const columns = new Map<number, BeadSummary[]>()
  for (const bead of beads) {
    const layer = layers.get(bead.number) ?? 0
    columns.set(layer, [...(columns.get(layer) ?? []), bead])
  }
  const boxW = 210
  const boxH = 46
  const gapX = 60
  const gapY = 16
  const rows = Math.max(1, ...[...columns.values()].map((column) => column.length))
  const width = Math.max(1, columns.size) * (boxW + gapX) - gapX + 20
  const height = rows * (boxH + gapY) - gapY + 20
  const at = new Map<number, { x: number; y: number }>()
  for (const [layer, column] of columns) {
    const offset = ((rows - column.length) * (boxH + gapY)) / 2
    column.forEach((bead, index) =>
      at.set(bead.number, { x: 10 + layer * (boxW + gapX), y: 10 + offset + index * (boxH + gapY) }),
    )
  }
  const edges = beads.flatMap((bead) =>
    bead.dependencies.flatMap((dep) => {
      const from = at.get(dep)
      const to = at.get(bead.number)
      if (!from || !to) return []
      const x1 = from.x + boxW
      const y1 = from.y + boxH / 2
      const x2 = to.x
      const y2 = to.y + boxH / 2
      const mid = (x1 + x2) / 2
      return [
        `<path d="M${x1},${y1} C${mid},${y1} ${mid},${y2} ${x2 - 6},${y2}" fill="none" stroke="#8c959f" stroke-width="1.5" marker-end="url(#arrow)"/>`,
      ]
    }),
  )
  const nodes = beads.map((bead) => {
    const { x, y } = at.get(bead.number)!
    const colour = STATUS_COLOURS[bead.status] ?? '#8c959f'
    return [
      `<g><title>${escapeXml(`#${bead.number} ${bead.title} (${bead.role}, ${bead.status})`)}</title>`,
      `<rect x="${x}" y="${y}" width="${boxW}" height="${boxH}" rx="6" fill="#ffffff" stroke="${colour}" stroke-width="2"/>`,
      `<text x="${x + 8}" y="${y + 19}" font-size="13" font-weight="600" fill="#1f2328">#${bead.number} ${escapeXml(bead.key)}</text>`,
      `<text x="${x + 8}" y="${y + 36}" font-size="11" fill="${colour}">${escapeXml(`${bead.role} · ${bead.status}${bead.attempts > 1 ? ` · ${bead.attempts} attempts` : ''}`)}</text>`,
      '</g>',
    ].join('')
  })
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="system-ui, sans-serif" role="img" aria-label="The beads and their dependencies">`,
    '<defs><marker id="arrow" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" fill="#8c959f"/></marker></defs>',
    ...edges,
    ...nodes,
    '</svg>',
  ].join('\n')
}

/** The timeline: a row per bead, a bar per worker run from its start to its end, coloured by conclusion. */
export function ganttSvg(summary: TownSummary): string {
  const times = (summary.runs ?? []).flatMap((run) =>
    [run.startedAt, run.endedAt].flatMap((t) => (t === null ? [] : [Date.parse(t)])),
  )
  const beadEnds = summary.beads.flatMap((bead) => (bead.endedAt === null ? [] : [Date.parse(bead.endedAt)]))
  const origin = times.length > 0 ? Math.min(...times) : Date.parse(summary.startedAt)
  const end = Math.max(origin + 1, ...times, ...beadEnds)
  const labelW = 170
  const chartW = 640
  const rowH = 24
  const top = 24
  const scale = (ms: number) => labelW + ((ms - origin) / (end - origin)) * chartW
  const width = labelW + chartW + 20
  const height = top + summary.beads.length * rowH + 10
  const rows = summary.beads.map((bead, index) => {
    const y = top + index * rowH
    const bars = (summary.runs ?? [])
      .filter((run) => run.bead === bead.number && run.startedAt !== null)
      .map((run) => {
        const start = Date.parse(run.startedAt!)
        const stop = run.endedAt === null ? end : Date.parse(run.endedAt)
        const colour = STATUS_COLOURS[run.conclusion ?? ''] ?? '#bf8700'
        return `<rect x="${scale(start).toFixed(1)}" y="${y + 5}" width="${Math.max(2, scale(stop) - scale(start)).toFixed(1)}" height="${rowH - 10}" rx="3" fill="${colour}"><title>${escapeXml(`run ${run.id}, attempt ${run.attempt ?? '?'}: ${run.conclusion ?? 'running'}, ${((stop - start) / 1000).toFixed(1)} s`)}</title></rect>`
      })
    const done =
      bead.endedAt === null
        ? ''
        : `<line x1="${scale(Date.parse(bead.endedAt)).toFixed(1)}" x2="${scale(Date.parse(bead.endedAt)).toFixed(1)}" y1="${y + 3}" y2="${y + rowH - 3}" stroke="#1f2328" stroke-width="2"><title>${escapeXml(`#${bead.number} ${bead.status} at +${((Date.parse(bead.endedAt) - origin) / 1000).toFixed(1)} s`)}</title></line>`
    return `<text x="4" y="${y + 16}" font-size="12" fill="#1f2328">${escapeXml(`#${bead.number} ${bead.key}`)}</text><line x1="${labelW}" x2="${labelW + chartW}" y1="${y + rowH / 2}" y2="${y + rowH / 2}" stroke="#eaeef2"/>${bars.join('')}${done}`
  })
  const ticks = Array.from({ length: 6 }, (_, i) => {
    const ms = origin + ((end - origin) * i) / 5
    const x = scale(ms).toFixed(1)
    return `<line x1="${x}" x2="${x}" y1="${top - 4}" y2="${height - 10}" stroke="#d0d7de" stroke-dasharray="2,3"/><text x="${x}" y="${top - 8}" font-size="10" text-anchor="middle" fill="#57606a">${((ms - origin) / 1000).toFixed(0)} s</text>`
  })
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="system-ui, sans-serif" role="img" aria-label="Timeline of the worker runs">`,
    ...ticks,
    ...rows,
    '</svg>',
  ].join('\n')
}
