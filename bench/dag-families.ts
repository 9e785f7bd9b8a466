/**
 * Seeded goal DAGs for the scheduling benchmark: chains, wide fan-outs, stacked diamonds and random
 * layered graphs, with roles drawn to match the seed's pool and durations drawn from a log-normal.
 */
import type { SimulationBead } from '../src/core/schedule-simulation.js'
import type { Random } from '../src/core/random.js'

/** The shapes of goal the benchmark plans. */
export const DAG_FAMILIES = ['chain', 'fan-out', 'diamonds', 'layered'] as const

/** One shape of goal. */
export type DagFamily = (typeof DAG_FAMILIES)[number]

/** A generated goal: its beads and how long each takes (minutes). */
export interface GeneratedGoal {
  family: DagFamily
  size: number
  seed: number
  dag: SimulationBead[]
  durations: Record<number, number>
}

/** The seed's pool was [developer, developer, tester, reviewer]: roles are drawn in those shares. */
const ROLE_SHARES: readonly (readonly [string, number])[] = [
  ['developer', 0.5],
  ['tester', 0.25],
  ['reviewer', 0.25],
]

function drawRole(random: Random): string {
  let roll = random()
  for (const [role, share] of ROLE_SHARES) {
    if (roll < share) return role
    roll -= share
  }
  return 'developer'
}

/** A log-normal duration with a median of 5 minutes, clipped to [0.5, 60]: most beads are short, a few long. */
function drawDuration(random: Random): number {
  // Box-Muller; 1 - random() keeps the logarithm finite.
  const normal = Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random())
  const minutes = 5 * Math.exp(0.75 * normal)
  return Math.round(Math.min(60, Math.max(0.5, minutes)) * 100) / 100
}

/** Which beads each bead depends on, by index (every dependency has a lower index). */
function shapeOf(family: DagFamily, size: number, random: Random): number[][] {
  const deps: number[][] = []
  switch (family) {
    case 'chain':
      for (let i = 0; i < size; i += 1) deps.push(i === 0 ? [] : [i - 1])
      break
    case 'fan-out':
      // One root unblocks everything else at once.
      for (let i = 0; i < size; i += 1) deps.push(i === 0 ? [] : [0])
      break
    case 'diamonds': {
      // A top, 2 to 4 sides, a bottom that is the next diamond's top.
      deps.push([])
      let top = 0
      while (deps.length < size) {
        const width = Math.min(2 + Math.floor(random() * 3), size - deps.length)
        const sides: number[] = []
        for (let k = 0; k < width; k += 1) {
          sides.push(deps.length)
          deps.push([top])
        }
        if (deps.length >= size) break
        top = deps.length
        deps.push(sides)
      }
      break
    }
    case 'layered': {
      // Layers of 1 to 8 beads; each bead waits on 1 to 3 beads of earlier layers, mostly the last one.
      let previous: number[] = []
      const earlier: number[] = []
      while (deps.length < size) {
        const width = Math.min(1 + Math.floor(random() * 8), size - deps.length)
        const layer: number[] = []
        for (let k = 0; k < width; k += 1) {
          const wanted = previous.length === 0 ? 0 : 1 + Math.floor(random() * 3)
          const chosen = new Set<number>()
          for (let d = 0; d < wanted; d += 1) {
            const pool = random() < 0.8 || earlier.length === 0 ? previous : earlier
            chosen.add(pool[Math.floor(random() * pool.length)]!)
          }
          layer.push(deps.length)
          deps.push([...chosen].sort((a, b) => a - b))
        }
        earlier.push(...previous)
        previous = layer
      }
      break
    }
  }
  return deps
}

/** Generates one goal of a family and size; the same seed gives the same goal. */
export function generateGoal(family: DagFamily, size: number, seed: number, random: Random): GeneratedGoal {
  if (!Number.isInteger(size) || size < 1) {
    throw new RangeError(`generateGoal: size must be an integer from 1, got ${size}.`)
  }
  const shape = shapeOf(family, size, random)
  const dag: SimulationBead[] = []
  const durations: Record<number, number> = {}
  shape.forEach((deps, index) => {
    const role = drawRole(random)
    const id = index + 1
    dag.push({
      id,
      role,
      output: role === 'reviewer' ? 'review' : 'pr',
      deps: deps.map((d) => d + 1),
    })
    durations[id] = drawDuration(random)
  })
  return { family, size, seed, dag, durations }
}
