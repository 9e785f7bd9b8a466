/**
 * Dependency graphs over string or number ids: stable topological order, cycles with their path,
 * descendants, and critical-path lengths. Every function is linear in nodes plus edges (the stable order
 * adds a log factor for its heap), and none recurses, so deep chains cannot overflow the stack.
 */
import { MinHeap } from './min-heap.js'

/** A node id: a plan key or an issue number. */
export type NodeId = string | number

/**
 * A dependency graph: every node mapped to the nodes it depends on, in a meaningful order (plan order).
 * Edges to ids that are not keys of the map are ignored here; validation reports them elsewhere.
 */
export type DependencyGraph<Id extends NodeId> = ReadonlyMap<Id, readonly Id[]>

/** Thrown when an operation that needs an acyclic graph meets a cycle; `cycle` is its path. */
export class CycleError<Id extends NodeId> extends Error {
  constructor(readonly cycle: Id[]) {
    super(
      `The dependencies form a cycle: ${cycle.join(' -> ')} (each depends on the next). ` +
        'Remove one of these dependencies so that the work can be ordered.',
    )
    this.name = 'CycleError'
  }
}

/** The graph with nodes numbered by input position, edges both ways, deduplicated. */
interface IndexedGraph<Id> {
  ids: Id[]
  deps: number[][]
  dependents: number[][]
}

function indexGraph<Id extends NodeId>(graph: DependencyGraph<Id>): IndexedGraph<Id> {
  const ids = [...graph.keys()]
  const index = new Map<Id, number>(ids.map((id, i) => [id, i]))
  const deps: number[][] = ids.map(() => [])
  const dependents: number[][] = ids.map(() => [])
  ids.forEach((id, i) => {
    const seen = new Set<number>()
    for (const dep of graph.get(id) ?? []) {
      const j = index.get(dep)
      if (j === undefined || seen.has(j)) continue
      seen.add(j)
      deps[i]!.push(j)
      dependents[j]!.push(i)
    }
  })
  return { ids, deps, dependents }
}

/**
 * Nodes in an order where every node comes after its dependencies; among nodes that could come next, the
 * one listed first in the graph wins, so the order is stable. Throws a `CycleError` on a cycle.
 */
export function topologicalOrder<Id extends NodeId>(graph: DependencyGraph<Id>): Id[] {
  const { ids, deps, dependents } = indexGraph(graph)
  const waiting = deps.map((d) => d.length)
  const heap = new MinHeap<number>((a, b) => a < b)
  waiting.forEach((count, i) => {
    if (count === 0) heap.push(i)
  })
  const order: Id[] = []
  while (heap.size > 0) {
    const i = heap.pop()
    order.push(ids[i]!)
    for (const j of dependents[i]!) {
      waiting[j]! -= 1
      if (waiting[j] === 0) heap.push(j)
    }
  }
  if (order.length < ids.length) throw new CycleError(findCycle(graph) ?? [])
  return order
}

/**
 * One cycle, as a closed path `[a, b, c, a]` where each node depends on the next, or undefined when the
 * graph is acyclic. Nodes are explored in graph order, so the answer is deterministic.
 */
export function findCycle<Id extends NodeId>(graph: DependencyGraph<Id>): Id[] | undefined {
  const { ids, deps } = indexGraph(graph)
  // 0 = unseen, 1 = on the current path, 2 = finished (no cycle through it)
  const state = new Uint8Array(ids.length)
  const parent = new Int32Array(ids.length).fill(-1)
  const nextEdge = new Int32Array(ids.length)
  for (let root = 0; root < ids.length; root += 1) {
    if (state[root] !== 0) continue
    const stack = [root]
    state[root] = 1
    while (stack.length > 0) {
      const node = stack[stack.length - 1]!
      const edges = deps[node]!
      if (nextEdge[node]! < edges.length) {
        const dep = edges[nextEdge[node]!]!
        nextEdge[node]! += 1
        if (state[dep] === 0) {
          state[dep] = 1
          parent[dep] = node
          stack.push(dep)
        } else if (state[dep] === 1) {
          // `dep` is on the current path: walk back from `node` to it.
          const path = [dep]
          for (let at = node; at !== dep; at = parent[at]!) path.push(at)
          path.push(dep)
          return path.reverse().map((i) => ids[i]!)
        }
      } else {
        state[node] = 2
        stack.pop()
      }
    }
  }
  return undefined
}

/**
 * Every independent cycle: one closed path per strongly connected component that holds a cycle (a
 * self-dependency included), each starting at the component's first node in graph order and as short as
 * possible. Empty when the graph is acyclic.
 */
export function findCycles<Id extends NodeId>(graph: DependencyGraph<Id>): Id[][] {
  const { ids, deps } = indexGraph(graph)
  const components = stronglyConnectedComponents(deps)
  const component = new Int32Array(ids.length)
  components.forEach((members, c) => members.forEach((m) => (component[m] = c)))
  const cycles: number[][] = []
  for (const members of components) {
    const start = members.reduce((a, b) => Math.min(a, b))
    const selfLoop = deps[start]!.includes(start)
    if (members.length === 1 && !selfLoop) continue
    if (selfLoop) {
      cycles.push([start, start])
      continue
    }
    cycles.push(shortestCycleThrough(start, deps, (n) => component[n] === component[start]))
  }
  cycles.sort((a, b) => a[0]! - b[0]!)
  return cycles.map((cycle) => cycle.map((i) => ids[i]!))
}

/** Tarjan's algorithm without recursion; returns the components' member lists. */
function stronglyConnectedComponents(deps: number[][]): number[][] {
  const n = deps.length
  const index = new Int32Array(n).fill(-1)
  const low = new Int32Array(n)
  const onStack = new Uint8Array(n)
  const nextEdge = new Int32Array(n)
  const stack: number[] = []
  const components: number[][] = []
  let counter = 0
  for (let root = 0; root < n; root += 1) {
    if (index[root] !== -1) continue
    const call = [root]
    index[root] = low[root] = counter++
    stack.push(root)
    onStack[root] = 1
    while (call.length > 0) {
      const node = call[call.length - 1]!
      const edges = deps[node]!
      if (nextEdge[node]! < edges.length) {
        const next = edges[nextEdge[node]!]!
        nextEdge[node]! += 1
        if (index[next] === -1) {
          index[next] = low[next] = counter++
          stack.push(next)
          onStack[next] = 1
          call.push(next)
        } else if (onStack[next]) {
          low[node] = Math.min(low[node]!, index[next]!)
        }
        continue
      }
      call.pop()
      const caller = call[call.length - 1]
      if (caller !== undefined) low[caller] = Math.min(low[caller]!, low[node]!)
      if (low[node] === index[node]) {
        const members: number[] = []
        let member: number
        do {
          member = stack.pop()!
          onStack[member] = 0
          members.push(member)
        } while (member !== node)
        components.push(members)
      }
    }
  }
  return components
}

/** Breadth-first search from `start` back to itself, staying inside its component. */
function shortestCycleThrough(start: number, deps: number[][], inside: (node: number) => boolean): number[] {
  const parent = new Map<number, number>()
  const queue = [start]
  for (let head = 0; head < queue.length; head += 1) {
    const node = queue[head]!
    for (const next of deps[node]!) {
      if (!inside(next)) continue
      if (next === start) {
        const path = [start]
        for (let at = node; at !== start; at = parent.get(at)!) path.push(at)
        path.push(start)
        return path.reverse()
      }
      if (!parent.has(next)) {
        parent.set(next, node)
        queue.push(next)
      }
    }
  }
  // A component with two or more members always has a cycle through each of them.
  throw new Error(`No cycle through node ${start} inside its component: the component is wrong.`)
}

/**
 * Every node that depends, directly or through others, on one of `roots`. A root is included only when it
 * depends on a root itself (or on itself through a cycle).
 */
export function descendants<Id extends NodeId>(graph: DependencyGraph<Id>, roots: Iterable<Id>): Set<Id> {
  const { ids, dependents } = indexGraph(graph)
  const index = new Map<Id, number>(ids.map((id, i) => [id, i]))
  const seen = new Uint8Array(ids.length)
  const queue: number[] = []
  for (const root of roots) {
    const i = index.get(root)
    if (i === undefined) continue
    for (const j of dependents[i]!) {
      if (!seen[j]) {
        seen[j] = 1
        queue.push(j)
      }
    }
  }
  for (let head = 0; head < queue.length; head += 1) {
    for (const j of dependents[queue[head]!]!) {
      if (!seen[j]) {
        seen[j] = 1
        queue.push(j)
      }
    }
  }
  return new Set(queue.map((i) => ids[i]!))
}

/**
 * For each node, the longest weighted path from it to any sink (a node nothing depends on), counting the
 * node's own weight: the work that must still happen, one thing after another, once the node starts.
 * Weights default to 1. Linear in nodes plus edges; throws a `CycleError` on a cycle.
 */
export function criticalPathLengths<Id extends NodeId>(
  graph: DependencyGraph<Id>,
  weight: (id: Id) => number = () => 1,
): Map<Id, number> {
  return longestPaths(graph, weight).lengths
}

/**
 * The longest weighted chain of the graph, from a source to a sink, and its length: the shortest possible
 * duration with unlimited workers. Throws a `CycleError` on a cycle.
 */
export function criticalPath<Id extends NodeId>(
  graph: DependencyGraph<Id>,
  weight: (id: Id) => number = () => 1,
): { length: number; path: Id[] } {
  const { lengths, next, ids } = longestPaths(graph, weight)
  let best = -1
  ids.forEach((id, i) => {
    if (best === -1 || lengths.get(id)! > lengths.get(ids[best]!)!) best = i
  })
  if (best === -1) return { length: 0, path: [] }
  const path: Id[] = []
  for (let at = best; at !== -1; at = next[at]!) path.push(ids[at]!)
  return { length: lengths.get(ids[best]!)!, path }
}

function longestPaths<Id extends NodeId>(
  graph: DependencyGraph<Id>,
  weight: (id: Id) => number,
): { lengths: Map<Id, number>; next: Int32Array; ids: Id[] } {
  const { ids, deps, dependents } = indexGraph(graph)
  // Kahn's algorithm from the sinks backwards: a node is settled once all its dependents are.
  const unsettled = dependents.map((d) => d.length)
  const queue: number[] = []
  unsettled.forEach((count, i) => {
    if (count === 0) queue.push(i)
  })
  const length = new Float64Array(ids.length)
  const next = new Int32Array(ids.length).fill(-1)
  for (let head = 0; head < queue.length; head += 1) {
    const i = queue[head]!
    let tail = 0
    for (const j of dependents[i]!) {
      if (next[i] === -1 || length[j]! > tail) {
        tail = length[j]!
        next[i] = j
      }
    }
    length[i] = weight(ids[i]!) + tail
    for (const j of deps[i]!) {
      unsettled[j]! -= 1
      if (unsettled[j] === 0) queue.push(j)
    }
  }
  if (queue.length < ids.length) throw new CycleError(findCycle(graph) ?? [])
  const lengths = new Map<Id, number>(ids.map((id, i) => [id, length[i]!]))
  return { lengths, next, ids }
}
