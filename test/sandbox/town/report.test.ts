/** The report's renderings: layers of the DAG, Mermaid, and a self-contained HTML page that escapes text. */
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { renderHtml } from '../../../src/sandbox/report/report-html.js'
import { mermaidDag, renderMarkdown } from '../../../src/sandbox/report/report-markdown.js'
import { dagSvg, layersOf } from '../../../src/sandbox/report/report-svg.js'
import type { BeadSummary, TownSummary } from '../../../src/sandbox/town-events.js'

function beadSummary(number: number, dependencies: number[], extra: Partial<BeadSummary> = {}): BeadSummary {
  return {
    number,
    key: `b${number}`,
    title: `Bead ${number}`,
    role: 'developer',
    status: 'completed',
    attempts: 1,
    runs: 1,
    pr: number + 10,
    dependencies,
    startedAt: '2026-01-01T00:00:01.000Z',
    endedAt: '2026-01-01T00:00:05.000Z',
    durationMs: 4000,
    tokens: 100,
    costUsd: 0.01,
    rebases: 0,
    ...extra,
  }
}

function summary(beads: BeadSummary[]): TownSummary {
  return {
    ok: true,
    repo: 'octo/todo-api',
    goal: { number: 1, title: 'Goal', url: 'http://x/1', state: 'closed' },
    model: { kind: 'scripted', name: 'todo-api' },
    workers: 2,
    merge: 'auto',
    startedAt: '2026-01-01T00:00:00.000Z',
    endedAt: '2026-01-01T00:00:10.000Z',
    beads,
    runs: beads.map((b, i) => ({
      id: i + 1,
      bead: b.number,
      attempt: 1,
      conclusion: 'success',
      startedAt: b.startedAt,
      endedAt: b.endedAt,
    })),
    totals: {
      beads: beads.length,
      completed: beads.length,
      failed: 0,
      attempts: beads.length,
      runs: beads.length,
      failedRuns: 0,
      reviewRounds: 0,
      tokens: 0,
      costUsd: 0,
      prsMerged: beads.length,
    },
    makespanMs: 4000,
    lowerBoundMs: 4000,
    api: {
      calls: 10,
      perBead: 5,
      byRoute: [{ route: 'GET /x', count: 10, errors: 0 }],
      byActor: { octo: 10 },
    },
    webhooks: { deliveries: 3, p50Ms: 1, p99Ms: 2 },
  }
}

/** DAGs over beads 1..n where each bead depends only on lower numbers. */
const dags = fc
  .integer({ min: 1, max: 12 })
  .chain((n) =>
    fc.tuple(
      ...Array.from({ length: n }, (_, i) =>
        fc.subarray(Array.from({ length: i }, (_, j) => j + 1)).map((deps) => beadSummary(i + 1, deps)),
      ),
    ),
  )

describe('layersOf', () => {
  it('puts every bead in a later layer than each of its dependencies, and roots in layer 0', () => {
    fc.assert(
      fc.property(dags, (beads) => {
        const layers = layersOf(beads)
        for (const bead of beads) {
          for (const dep of bead.dependencies)
            expect(layers.get(bead.number)!).toBeGreaterThan(layers.get(dep)!)
          if (bead.dependencies.length === 0) expect(layers.get(bead.number)).toBe(0)
        }
      }),
    )
  })

  it('draws one box per bead and one arrow per dependency', () => {
    fc.assert(
      fc.property(dags, (beads) => {
        const svg = dagSvg(beads)
        expect(svg.match(/<rect /g)?.length).toBe(beads.length)
        expect(svg.match(/marker-end=/g)?.length ?? 0).toBe(
          beads.reduce((n, b) => n + b.dependencies.length, 0),
        )
      }),
    )
  })
})

describe('the report', () => {
  it('has the DAG as Mermaid with an edge per dependency in the Markdown', () => {
    const beads = [beadSummary(2, []), beadSummary(3, [2]), beadSummary(4, [2, 3])]
    const mermaid = mermaidDag(summary(beads))
    expect(mermaid).toContain('b2 --> b3')
    expect(mermaid).toContain('b3 --> b4')
    expect(renderMarkdown(summary(beads))).toContain('| #3 | b3 | developer | completed |')
  })

  it('escapes bead text in the HTML and loads nothing from outside', () => {
    const beads = [beadSummary(2, [], { title: '<script>alert(1)</script>', key: 'x"y' })]
    const html = renderHtml(summary(beads))
    expect(html).not.toContain('<script>')
    expect(html).toContain('&#60;script&#62;')
    expect(html).not.toMatch(/<link|src="http|<script/)
    expect(html.match(/<svg/g)).toHaveLength(2)
  })
})
