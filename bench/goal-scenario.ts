/**
 * A benchmark goal as the scripted model plays it: a layered plan of code beads for the planner, and for
 * each bead one conversation that writes a file and finishes, so the worker's model time is nil.
 */
import yaml from 'js-yaml'
import { mulberry32 } from '../src/core/random.js'

/** One bead of the benchmark plan. */
export interface PlannedBead {
  key: string
  role: string
  deps: string[]
}

/** Roles whose output is a pull request, so each bead's dependents wait on a merge. */
const CODE_ROLES = ['developer', 'developer', 'tester', 'documenter'] as const

/** A layered plan of `size` beads, 1 to 3 beads a layer, each waiting on 1 or 2 beads of the layer before. */
export function layeredPlan(size: number, seed: number): PlannedBead[] {
  const random = mulberry32(seed)
  const beads: PlannedBead[] = []
  let previous: string[] = []
  while (beads.length < size) {
    const width = Math.min(1 + Math.floor(random() * 3), size - beads.length)
    const layer: string[] = []
    for (let k = 0; k < width; k += 1) {
      const key = `b${beads.length + 1}`
      const deps = new Set<string>()
      const wanted = previous.length === 0 ? 0 : 1 + Math.floor(random() * 2)
      for (let d = 0; d < wanted; d += 1) deps.add(previous[Math.floor(random() * previous.length)]!)
      beads.push({
        key,
        role: CODE_ROLES[Math.floor(random() * CODE_ROLES.length)]!,
        deps: [...deps].sort(),
      })
      layer.push(key)
    }
    previous = layer
  }
  return beads
}

/** The planner's answer for a plan, in the JSON the planner asks for. */
export function planAnswer(beads: readonly PlannedBead[]): string {
  return JSON.stringify({
    beads: beads.map((bead) => ({
      key: bead.key,
      title: `Add ${bead.key}`,
      description: `Add the module ${bead.key}.`,
      role: bead.role,
      depends_on: bead.deps,
      acceptance_criteria: [`src/${bead.key}.js exists`],
    })),
  })
}

/** The scenario file: one planner conversation and one tiny conversation per bead. */
export function goalScenario(name: string, beads: readonly PlannedBead[]): string {
  const usage = { prompt_tokens: 900, completion_tokens: 60 }
  return yaml.dump(
    {
      name,
      description: 'Benchmark goal: every bead writes one file and finishes (a test double, not an LLM).',
      plan: [{ turns: [{ content: planAnswer(beads) }] }],
      beads: Object.fromEntries(
        beads.map((bead) => [
          bead.key,
          [
            {
              turns: [
                {
                  tool_calls: [
                    {
                      name: 'write_file',
                      arguments: {
                        path: `src/${bead.key}.js`,
                        content: `export const ${bead.key} = '${bead.key}'\n`,
                      },
                    },
                  ],
                  usage,
                },
                {
                  tool_calls: [{ name: 'finish', arguments: { summary: `Added src/${bead.key}.js.` } }],
                  usage,
                },
              ],
            },
          ],
        ]),
      ),
    },
    { lineWidth: -1 },
  )
}
