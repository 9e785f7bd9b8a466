import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { DEFAULT_SIZES, layoutDag, type LayoutInput } from '../../../src/sandbox/board/dag-layout.js'

/** Random DAGs: each bead may depend only on beads with lower numbers, so there is never a cycle. */
const dags = fc
  .array(fc.array(fc.nat(40), { maxLength: 4 }), { minLength: 1, maxLength: 18 })
  .map((depLists) =>
    depLists.map((picks, index) => ({
      number: index + 1,
      deps: index === 0 ? [] : picks.map((pick) => (pick % index) + 1),
    })),
  )

function overlaps(a: { x: number; y: number }, b: { x: number; y: number }): boolean {
  return Math.abs(a.x - b.x) < DEFAULT_SIZES.nodeWidth && Math.abs(a.y - b.y) < DEFAULT_SIZES.nodeHeight
}

describe('layoutDag', () => {
  it('lays the todo plan out in layers, left to right', () => {
    const layout = layoutDag([
      { number: 4, deps: [3] },
      { number: 2, deps: [] },
      { number: 5, deps: [3] },
      { number: 3, deps: [2] },
    ])
    expect(layout.nodes.map((n) => [n.number, n.layer, n.order, n.x, n.y])).toEqual([
      [2, 0, 0, 12, 44],
      [3, 1, 0, 258, 44],
      [4, 2, 0, 504, 12],
      [5, 2, 1, 504, 76],
    ])
    expect(layout.edges).toEqual([
      { from: 2, to: 3, path: 'M202 67 C230 67 230 67 258 67' },
      { from: 3, to: 4, path: 'M448 67 C476 67 476 35 504 35' },
      { from: 3, to: 5, path: 'M448 67 C476 67 476 99 504 99' },
    ])
    expect([layout.width, layout.height]).toEqual([706, 134])
  })

  it('ignores dependencies on beads it was not given, and breaks a cycle instead of looping', () => {
    const layout = layoutDag([
      { number: 1, deps: [99, 2] },
      { number: 2, deps: [1] },
      { number: 3, deps: [3] },
    ])
    expect(layout.nodes.map((n) => n.number)).toEqual([1, 2, 3])
    for (const edge of layout.edges) {
      const from = layout.nodes.find((n) => n.number === edge.from)!
      const to = layout.nodes.find((n) => n.number === edge.to)!
      expect(from.layer).toBeLessThan(to.layer)
    }
    expect(layout.edges.some((edge) => edge.from === 99 || edge.from === edge.to)).toBe(false)
  })

  it('draws nothing for no beads', () => {
    expect(layoutDag([])).toMatchObject({ nodes: [], edges: [], width: 0, height: 0 })
  })

  it('puts every bead after all of its dependencies, with one edge per dependency', () => {
    fc.assert(
      fc.property(dags, (beads) => {
        const layout = layoutDag(beads)
        const at = new Map(layout.nodes.map((n) => [n.number, n]))
        const edgeCount = beads.reduce((sum, b) => sum + new Set(b.deps).size, 0)
        expect(layout.edges).toHaveLength(edgeCount)
        for (const b of beads)
          for (const dep of b.deps) expect(at.get(dep)!.layer).toBeLessThan(at.get(b.number)!.layer)
        // Longest-path layering: a bead with dependencies sits right after its deepest one.
        for (const b of beads) {
          const deepest = Math.max(-1, ...b.deps.map((dep) => at.get(dep)!.layer))
          expect(at.get(b.number)!.layer).toBe(deepest + 1)
        }
      }),
    )
  })

  it('never lets two boxes overlap, and keeps them inside the drawing', () => {
    fc.assert(
      fc.property(dags, (beads) => {
        const layout = layoutDag(beads)
        layout.nodes.forEach((a, i) => {
          expect(a.x + layout.nodeWidth).toBeLessThanOrEqual(layout.width)
          expect(a.y + layout.nodeHeight).toBeLessThanOrEqual(layout.height)
          for (const b of layout.nodes.slice(i + 1)) expect(overlaps(a, b)).toBe(false)
        })
      }),
    )
  })

  it('gives the same drawing for the same beads in any order', () => {
    fc.assert(
      fc.property(
        dags.chain((beads) =>
          fc.tuple(fc.constant(beads), fc.shuffledSubarray(beads, { minLength: beads.length })),
        ),
        ([beads, shuffled]: [LayoutInput[], LayoutInput[]]) => {
          const reordered = shuffled.map((b) => ({ ...b, deps: [...b.deps].reverse() }))
          expect(layoutDag(reordered)).toEqual(layoutDag(beads))
        },
      ),
    )
  })
})
