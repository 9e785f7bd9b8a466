import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import {
  CycleError,
  criticalPath,
  criticalPathLengths,
  descendants,
  findCycle,
  findCycles,
  topologicalOrder,
  type DependencyGraph,
} from '../../src/core/dag.js'

const graph = <Id extends string | number>(entries: [Id, Id[]][]): DependencyGraph<Id> => new Map(entries)

/** A random DAG over ids 0..n-1 where node i may depend only on nodes before it, listed in a shuffled order. */
const dagArbitrary = fc
  .integer({ min: 1, max: 25 })
  .chain((n) =>
    fc.tuple(
      fc.tuple(
        ...Array.from({ length: n }, (_, i) =>
          i === 0 ? fc.constant<number[]>([]) : fc.uniqueArray(fc.nat(i - 1), { maxLength: Math.min(i, 4) }),
        ),
      ),
      fc.shuffledSubarray(
        Array.from({ length: n }, (_, i) => i),
        { minLength: n, maxLength: n },
      ),
    ),
  )
  .map(([deps, order]) => graph(order.map((i) => [i, deps[i]!] as [number, number[]])))

/** True when `path` is closed and each node really depends on the next. */
function isRealCycle<Id extends string | number>(g: DependencyGraph<Id>, path: Id[]): boolean {
  if (path.length < 2 || path[0] !== path[path.length - 1]) return false
  return path.slice(0, -1).every((node, i) => (g.get(node) ?? []).includes(path[i + 1]!))
}

describe('topologicalOrder', () => {
  it('puts every node after its dependencies and keeps graph order among free nodes', () => {
    const g = graph([
      ['docs', ['api']],
      ['schema', []],
      ['api', ['schema']],
      ['ui', []],
      ['tests', ['api', 'schema']],
    ])
    expect(topologicalOrder(g)).toEqual(['schema', 'api', 'docs', 'ui', 'tests'])
  })

  it('works over issue numbers as well as keys', () => {
    expect(
      topologicalOrder(
        graph([
          [12, [14]],
          [14, []],
          [13, [12]],
        ]),
      ),
    ).toEqual([14, 12, 13])
  })

  it('ignores dependencies on ids that are not nodes', () => {
    expect(topologicalOrder(graph([['a', ['ghost']]]))).toEqual(['a'])
  })

  it('throws a CycleError that carries the cycle', () => {
    const g = graph([
      ['schema', ['tests']],
      ['api', ['schema']],
      ['tests', ['api']],
    ])
    const error = (() => {
      try {
        topologicalOrder(g)
      } catch (caught) {
        return caught
      }
    })()
    expect(error).toBeInstanceOf(CycleError)
    expect((error as CycleError<string>).cycle).toEqual(['schema', 'tests', 'api', 'schema'])
    expect((error as Error).message).toContain('schema -> tests -> api -> schema')
  })

  it('orders every random DAG so that dependencies come first', () => {
    fc.assert(
      fc.property(dagArbitrary, (g) => {
        const order = topologicalOrder(g)
        expect([...order].sort((a, b) => a - b)).toEqual([...g.keys()].sort((a, b) => a - b))
        const position = new Map(order.map((id, i) => [id, i]))
        for (const [node, deps] of g)
          for (const dep of deps) expect(position.get(dep)!).toBeLessThan(position.get(node)!)
      }),
    )
  })

  it('is stable: at each step it takes the earliest listed node whose dependencies are placed', () => {
    fc.assert(
      fc.property(dagArbitrary, (g) => {
        const order = topologicalOrder(g)
        const listed = [...g.keys()]
        const placed = new Set<number>()
        for (const node of order) {
          const first = listed.find((id) => !placed.has(id) && g.get(id)!.every((d) => placed.has(d)))
          expect(node).toBe(first)
          placed.add(node)
        }
      }),
    )
  })

  it('handles a chain of 200 000 nodes without overflowing the stack', () => {
    const n = 200_000
    const g = graph(Array.from({ length: n }, (_, i): [number, number[]] => [i, i === 0 ? [] : [i - 1]]))
    const order = topologicalOrder(g)
    expect(order[0]).toBe(0)
    expect(order[n - 1]).toBe(n - 1)
  })
})

describe('findCycle', () => {
  it('finds nothing in an acyclic graph', () => {
    fc.assert(
      fc.property(dagArbitrary, (g) => {
        expect(findCycle(g)).toBeUndefined()
      }),
    )
  })

  it('reports a self-dependency as a cycle of one node', () => {
    expect(findCycle(graph([['a', ['a']]]))).toEqual(['a', 'a'])
  })

  it('returns a closed path where each node depends on the next', () => {
    const g = graph([
      ['schema', ['api']],
      ['api', ['tests']],
      ['tests', ['schema']],
    ])
    expect(findCycle(g)).toEqual(['schema', 'api', 'tests', 'schema'])
  })

  it('always reports a real cycle once a back edge is added to a random DAG', () => {
    fc.assert(
      fc.property(dagArbitrary, fc.nat(), fc.nat(), (g, a, b) => {
        const n = g.size
        const low = Math.min(a % n, b % n)
        const high = Math.max(a % n, b % n)
        // node `low` depends on `high`, which (through a chain we add) depends on `low`.
        const cyclic = new Map([...g].map(([id, deps]) => [id, [...deps]]))
        cyclic.get(low)!.push(high)
        if (high !== low) cyclic.get(high)!.push(low)
        const cycle = findCycle(cyclic)
        expect(cycle).toBeDefined()
        expect(isRealCycle(cyclic, cycle!)).toBe(true)
      }),
    )
  })
})

describe('findCycles', () => {
  it('reports one cycle per independent knot, each a real cycle', () => {
    const g = graph([
      ['a', ['b']],
      ['b', ['a']],
      ['c', []],
      ['d', ['e']],
      ['e', ['f']],
      ['f', ['d', 'c']],
      ['g', ['g']],
    ])
    const cycles = findCycles(g)
    expect(cycles).toEqual([
      ['a', 'b', 'a'],
      ['d', 'e', 'f', 'd'],
      ['g', 'g'],
    ])
  })

  it('finds no cycle in a random DAG, and a real one for every knot tied into it', () => {
    fc.assert(
      fc.property(dagArbitrary, fc.array(fc.tuple(fc.nat(), fc.nat()), { maxLength: 4 }), (g, edges) => {
        expect(findCycles(g)).toEqual([])
        const cyclic = new Map([...g].map(([id, deps]) => [id, [...deps]]))
        for (const [a, b] of edges)
          cyclic.get(Math.min(a % g.size, b % g.size))!.push(Math.max(a % g.size, b % g.size))
        const cycles = findCycles(cyclic)
        for (const cycle of cycles) expect(isRealCycle(cyclic, cycle)).toBe(true)
        expect(cycles.length > 0).toBe(findCycle(cyclic) !== undefined)
      }),
    )
  })
})

describe('descendants', () => {
  const g = graph([
    ['schema', []],
    ['api', ['schema']],
    ['ui', []],
    ['tests', ['api']],
    ['docs', ['tests', 'ui']],
  ])

  it('lists everything that depends on a node, directly or not', () => {
    expect([...descendants(g, ['api'])].sort()).toEqual(['docs', 'tests'])
    expect([...descendants(g, ['ui'])]).toEqual(['docs'])
    expect([...descendants(g, ['docs'])]).toEqual([])
  })

  it('includes a root that depends on another root', () => {
    expect([...descendants(g, ['schema', 'api'])].sort()).toEqual(['api', 'docs', 'tests'])
  })

  it('matches the nodes from which a root is reachable along dependencies', () => {
    fc.assert(
      fc.property(dagArbitrary, fc.nat(), (g, r) => {
        const root = r % g.size
        const reaches = (from: number): boolean => g.get(from)!.some((d) => d === root || reaches(d))
        const expected = [...g.keys()].filter(reaches).sort((a, b) => a - b)
        expect([...descendants(g, [root])].sort((a, b) => a - b)).toEqual(expected)
      }),
    )
  })
})

describe('criticalPathLengths', () => {
  it('gives each node the longest weighted path from it to a sink, its own weight included', () => {
    const g = graph([
      ['schema', []],
      ['api', ['schema']],
      ['ui', ['schema']],
      ['tests', ['api']],
    ])
    const weights: Record<string, number> = { schema: 2, api: 5, ui: 1, tests: 3 }
    const lengths = criticalPathLengths(g, (id) => weights[id]!)
    expect(Object.fromEntries(lengths)).toEqual({ schema: 10, api: 8, ui: 1, tests: 3 })
    expect(criticalPath(g, (id) => weights[id]!)).toEqual({ length: 10, path: ['schema', 'api', 'tests'] })
  })

  it('counts nodes when no weight is given', () => {
    const g = graph([
      [1, []],
      [2, [1]],
      [3, [2]],
    ])
    expect(Object.fromEntries(criticalPathLengths(g))).toEqual({ 1: 3, 2: 2, 3: 1 })
  })

  it('agrees with the definition on random DAGs and weights', () => {
    fc.assert(
      fc.property(
        dagArbitrary,
        fc.array(fc.integer({ min: 0, max: 20 }), { minLength: 25, maxLength: 25 }),
        (g, w) => {
          const lengths = criticalPathLengths(g, (id) => w[id]!)
          const dependents = (id: number) => [...g.keys()].filter((k) => g.get(k)!.includes(id))
          const longest = (id: number): number => w[id]! + Math.max(0, ...dependents(id).map(longest))
          for (const id of g.keys()) expect(lengths.get(id)).toBe(longest(id))
          const { length, path } = criticalPath(g, (id) => w[id]!)
          expect(length).toBe(Math.max(...lengths.values()))
          expect(path.reduce((sum, id) => sum + w[id]!, 0)).toBe(length)
          path.slice(1).forEach((id, i) => expect(g.get(id)).toContain(path[i]))
        },
      ),
    )
  })

  it('asks for each weight once, so the work is linear even with exponentially many paths', () => {
    // 60 diamonds in a row: 2^60 distinct paths, which no path enumeration could finish.
    const entries: [string, string[]][] = [['d0', []]]
    for (let k = 1; k <= 60; k += 1) {
      entries.push([`l${k}`, [`d${k - 1}`]], [`r${k}`, [`d${k - 1}`]], [`d${k}`, [`l${k}`, `r${k}`]])
    }
    const asked: string[] = []
    const lengths = criticalPathLengths(graph(entries), (id) => {
      asked.push(id)
      return 1
    })
    expect(asked.length).toBe(entries.length)
    expect(lengths.get('d0')).toBe(121)
  })

  it('throws a CycleError on a cyclic graph', () => {
    expect(() =>
      criticalPathLengths(
        graph([
          ['a', ['b']],
          ['b', ['a']],
        ]),
      ),
    ).toThrow(CycleError)
  })
})
