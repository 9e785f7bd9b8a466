/**
 * A layered drawing of the bead DAG, left to right: each bead sits one layer after its deepest
 * dependency, beads within a layer are ordered to keep edges short (barycentre sweeps), and edges are
 * cubic curves from a bead's right side to its dependent's left side. Pure and deterministic: the same
 * beads, in any order, give the same drawing.
 */

/** What the layout needs of a bead. */
export interface LayoutInput {
  number: number
  deps: readonly number[]
}

/** A placed bead: its box's top-left corner. */
export interface LayoutNode {
  number: number
  layer: number
  /** Position within its layer, from the top. */
  order: number
  x: number
  y: number
}

/** An edge from a dependency to its dependent, as an SVG path. */
export interface LayoutEdge {
  from: number
  to: number
  path: string
}

/** The whole drawing. */
export interface DagLayout {
  nodes: LayoutNode[]
  edges: LayoutEdge[]
  width: number
  height: number
  nodeWidth: number
  nodeHeight: number
}

/** Sizes of the drawing, in SVG units. */
export interface LayoutSizes {
  nodeWidth: number
  nodeHeight: number
  layerGap: number
  rowGap: number
  margin: number
}

/** The sizes the web board uses. */
export const DEFAULT_SIZES: LayoutSizes = {
  nodeWidth: 190,
  nodeHeight: 46,
  layerGap: 56,
  rowGap: 18,
  margin: 12,
}

/**
 * Lays out beads in layers. Dependencies on beads that are not in the input are ignored; a cycle (which a
 * validated plan never has) is broken at the bead with the lowest number rather than looping.
 */
export function layoutDag(beads: readonly LayoutInput[], sizes: LayoutSizes = DEFAULT_SIZES): DagLayout {
  const numbers = [...new Set(beads.map((bead) => bead.number))].sort((a, b) => a - b)
  const depsOf = new Map<number, number[]>()
  for (const number of numbers) depsOf.set(number, [])
  for (const bead of beads) {
    const deps = depsOf.get(bead.number)!
    for (const dep of bead.deps)
      if (depsOf.has(dep) && dep !== bead.number && !deps.includes(dep)) deps.push(dep)
  }
  for (const deps of depsOf.values()) deps.sort((a, b) => a - b)

  const layerOf = assignLayers(numbers, depsOf)
  const layerCount = Math.max(0, ...[...layerOf.values()].map((layer) => layer + 1))
  const layers: number[][] = Array.from({ length: layerCount }, () => [])
  for (const number of numbers) layers[layerOf.get(number)!]!.push(number)
  const dependents = new Map<number, number[]>(numbers.map((number) => [number, []]))
  for (const [number, deps] of depsOf) for (const dep of deps) dependents.get(dep)!.push(number)
  orderLayers(layers, depsOf, dependents)

  const tallest = Math.max(0, ...layers.map((layer) => layer.length))
  const column = sizes.nodeWidth + sizes.layerGap
  const row = sizes.nodeHeight + sizes.rowGap
  const height = tallest === 0 ? 0 : tallest * row - sizes.rowGap + 2 * sizes.margin
  const width = layerCount === 0 ? 0 : layerCount * column - sizes.layerGap + 2 * sizes.margin
  const nodes: LayoutNode[] = []
  const place = new Map<number, LayoutNode>()
  layers.forEach((layer, index) => {
    // Shorter layers are centred against the tallest one.
    const offset = ((tallest - layer.length) * row) / 2
    layer.forEach((number, order) => {
      const node = {
        number,
        layer: index,
        order,
        x: sizes.margin + index * column,
        y: sizes.margin + offset + order * row,
      }
      nodes.push(node)
      place.set(number, node)
    })
  })
  nodes.sort((a, b) => a.number - b.number)
  const edges: LayoutEdge[] = []
  for (const number of numbers) {
    for (const dep of depsOf.get(number)!) {
      const from = place.get(dep)!
      const to = place.get(number)!
      edges.push({ from: dep, to: number, path: curve(from, to, sizes) })
    }
  }
  return { nodes, edges, width, height, nodeWidth: sizes.nodeWidth, nodeHeight: sizes.nodeHeight }
}

// Longest path from a root; an edge that would close a cycle is ignored when met.
function assignLayers(
  numbers: readonly number[],
  depsOf: ReadonlyMap<number, number[]>,
): Map<number, number> {
  const layerOf = new Map<number, number>()
  const visiting = new Set<number>()
  const visit = (number: number): number => {
    const known = layerOf.get(number)
    if (known !== undefined) return known
    visiting.add(number)
    let layer = 0
    for (const dep of depsOf.get(number)!) {
      if (visiting.has(dep)) continue
      layer = Math.max(layer, visit(dep) + 1)
    }
    visiting.delete(number)
    layerOf.set(number, layer)
    return layer
  }
  for (const number of numbers) visit(number)
  // Edges ignored as cycle-closing can leave a dependency at or after its dependent: drop them from the
  // drawing so every drawn edge points forward.
  for (const number of numbers) {
    const deps = depsOf.get(number)!
    const forward = deps.filter((dep) => layerOf.get(dep)! < layerOf.get(number)!)
    deps.splice(0, deps.length, ...forward)
  }
  return layerOf
}

function orderLayers(
  layers: number[][],
  depsOf: ReadonlyMap<number, number[]>,
  dependents: ReadonlyMap<number, number[]>,
): void {
  const position = new Map<number, number>()
  const remember = (layer: readonly number[]): void =>
    layer.forEach((number, index) => position.set(number, index))
  layers.forEach(remember)
  const sortBy = (layer: number[], neighbours: ReadonlyMap<number, number[]>): void => {
    const key = new Map(
      layer.map((number, index) => {
        const around = neighbours.get(number)!.map((n) => position.get(n)!)
        return [number, around.length === 0 ? index : around.reduce((a, b) => a + b, 0) / around.length]
      }),
    )
    layer.sort((a, b) => key.get(a)! - key.get(b)! || a - b)
    remember(layer)
  }
  // Four sweeps settle small DAGs; more would only cost time on large ones.
  for (let sweep = 0; sweep < 4; sweep++) {
    for (let i = 1; i < layers.length; i++) sortBy(layers[i]!, depsOf)
    for (let i = layers.length - 2; i >= 0; i--) sortBy(layers[i]!, dependents)
  }
}

function curve(from: LayoutNode, to: LayoutNode, sizes: LayoutSizes): string {
  const x1 = from.x + sizes.nodeWidth
  const y1 = from.y + sizes.nodeHeight / 2
  const x2 = to.x
  const y2 = to.y + sizes.nodeHeight / 2
  const bend = (x2 - x1) / 2
  return `M${x1} ${y1} C${x1 + bend} ${y1} ${x2 - bend} ${y2} ${x2} ${y2}`
}
