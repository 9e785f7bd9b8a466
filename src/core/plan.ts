/**
 * The plan: what the planner model returns for a goal, one entry per bead, and its renderings for the
 * goal's plan and progress comments (a markdown table and a Mermaid graph).
 */
import { z } from 'zod'
import type { Bead, BeadStatus } from './bead.js'
import { tableCell } from './markdown-escape.js'

/** A plan key: a short slug, unique within the goal (`api`, `db-schema`). */
export const PLAN_KEY_PATTERN = /^[a-z][a-z0-9-]{0,39}$/

/** A plan key as a schema. */
export const planKeySchema = z
  .string()
  .regex(PLAN_KEY_PATTERN, 'a key is a short slug: a lowercase letter, then up to 39 of a-z, 0-9 and -')
  .describe('Short slug naming this bead, unique in the plan, e.g. "db-schema".')

/** One bead of a plan as the model writes it. */
export const planBeadSchema = z.object({
  key: planKeySchema,
  title: z.string().min(1).describe('One-line title of the work, as for an issue.'),
  description: z.string().describe('What to do and why, with the details a developer needs.'),
  role: z.string().min(1).describe('The role that does the work: one of the roles offered.'),
  depends_on: z
    .array(planKeySchema)
    .describe('Keys of the beads that must be done first; empty when the bead can start at once.'),
  acceptance_criteria: z
    .array(z.string().min(1))
    .describe('Checks that tell the work is done, one per item.'),
})

/** One bead of a plan. */
export type PlanBead = z.infer<typeof planBeadSchema>

/** The whole plan the planner model returns. */
export const planSchema = z.object({
  beads: z.array(planBeadSchema).describe('The beads of the plan, in a sensible order of work.'),
})

/** A plan: the beads of a goal with their dependencies by key. */
export type Plan = z.infer<typeof planSchema>

/**
 * The JSON Schema that the planner asks the model's structured output to follow, kept to the keywords
 * strict mode accepts. With `roles`, the role is an enum of them, so a model that honours the schema
 * cannot invent one.
 */
export function planJsonSchema(roles?: readonly string[]): Record<string, unknown> {
  const schema =
    roles && roles.length > 0
      ? z.object({
          beads: z.array(planBeadSchema.extend({ role: z.enum(roles as [string, ...string[]]) })),
        })
      : planSchema
  return strictSubset(z.toJSONSchema(schema, { target: 'draft-2020-12' })) as Record<string, unknown>
}

/** Keywords that strict structured output (OpenAI and look-alikes) refuses; `validatePlan` checks them. */
const UNSUPPORTED_KEYWORDS = new Set(['$schema', 'minLength', 'maxLength'])

function strictSubset(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(strictSubset)
  if (typeof node !== 'object' || node === null) return node
  return Object.fromEntries(
    Object.entries(node)
      .filter(([key]) => !UNSUPPORTED_KEYWORDS.has(key))
      .map(([key, value]) => [key, strictSubset(value)]),
  )
}

/**
 * The plan as a markdown table, one row per bead, for the goal's plan and progress comments. With
 * `statuses` (by key), a status column is added.
 */
export function renderPlanTable(plan: Plan, statuses?: Readonly<Record<string, BeadStatus>>): string {
  const header = ['#', 'Key', 'Title', 'Role', 'Depends on', 'Acceptance criteria']
  if (statuses) header.push('Status')
  const rows = plan.beads.map((bead, i) => {
    const cells = [
      String(i + 1),
      `\`${bead.key}\``,
      tableCell(bead.title),
      tableCell(bead.role),
      bead.depends_on.length > 0 ? bead.depends_on.map((key) => `\`${key}\``).join(', ') : '—',
      bead.acceptance_criteria.length > 0
        ? bead.acceptance_criteria.map((c) => `• ${tableCell(c)}`).join('<br>')
        : '—',
    ]
    if (statuses) cells.push(statuses[bead.key] ?? '—')
    return cells
  })
  const line = (cells: string[]) => `| ${cells.join(' | ')} |`
  return [line(header), line(header.map(() => '---')), ...rows.map(line)].join('\n')
}

/** Fill and stroke per status in the Mermaid graph; colour-blind safe enough with the legend of labels. */
const STATUS_STYLES: Record<BeadStatus, string> = {
  pending: 'fill:#f6f8fa,stroke:#8c959f,color:#24292f',
  ready: 'fill:#ddf4ff,stroke:#0969da,color:#0a3069',
  in_progress: 'fill:#fff8c5,stroke:#bf8700,color:#4d2d00',
  in_review: 'fill:#fbefff,stroke:#8250df,color:#3e1f79',
  completed: 'fill:#dafbe1,stroke:#1a7f37,color:#044f1e',
  failed: 'fill:#ffebe9,stroke:#cf222e,color:#82071e',
  blocked: 'fill:#ffebe9,stroke:#cf222e,stroke-dasharray:4 3,color:#82071e',
  cancelled: 'fill:#eaeef2,stroke:#6e7781,stroke-dasharray:4 3,color:#57606a',
}

/** A Mermaid node id for a key: keys hold `-`, which Mermaid reads as an edge, and may be `end`. */
function nodeId(key: string): string {
  return `b_${key.replace(/-/g, '_')}`
}

/**
 * Escapes text for a quoted Mermaid label with Mermaid's `#code;` entities; a backtick is escaped too, since
 * three of them would close the fenced block that holds the graph.
 */
function mermaidLabel(text: string): string {
  return text
    .replace(/\r?\n/g, ' ')
    .trim()
    .replace(/[#&"<>`]/g, (c) => `#${c.charCodeAt(0)};`)
}

/**
 * The plan as a Mermaid `graph TD`: one node per bead (key, title, role), an arrow from each dependency
 * to its dependent, and with `statuses` (by key) each node coloured by its status.
 */
export function renderPlanMermaid(plan: Plan, statuses?: Readonly<Record<string, BeadStatus>>): string {
  const keys = new Set(plan.beads.map((bead) => bead.key))
  const lines = ['graph TD']
  for (const bead of plan.beads) {
    const status = statuses?.[bead.key]
    const detail = status ? `${bead.role} · ${status}` : bead.role
    lines.push(
      `  ${nodeId(bead.key)}["${mermaidLabel(`${bead.key}: ${bead.title}`)}<br/>${mermaidLabel(detail)}"]`,
    )
  }
  for (const bead of plan.beads) {
    for (const dep of bead.depends_on) {
      if (keys.has(dep)) lines.push(`  ${nodeId(dep)} --> ${nodeId(bead.key)}`)
    }
  }
  if (statuses) {
    const used = new Map<BeadStatus, string[]>()
    for (const bead of plan.beads) {
      const status = statuses[bead.key]
      if (status) used.set(status, [...(used.get(status) ?? []), nodeId(bead.key)])
    }
    for (const [status, nodes] of used) {
      lines.push(`  classDef ${status} ${STATUS_STYLES[status]}`)
      lines.push(`  class ${nodes.join(',')} ${status}`)
    }
  }
  return lines.join('\n')
}

/** A plan built back from beads, so the DAG can be drawn from what GitHub holds. */
export function planOfBeads(
  beads: readonly Pick<Bead, 'number' | 'key' | 'title' | 'role' | 'dependencies'>[],
): Plan {
  const keyOf = new Map(beads.map((bead) => [bead.number, bead.key]))
  return {
    beads: beads.map((bead) => ({
      key: bead.key,
      title: bead.title,
      description: '',
      role: bead.role,
      depends_on: bead.dependencies
        .map((dep) => keyOf.get(dep))
        .filter((key): key is string => key !== undefined),
      acceptance_criteria: [],
    })),
  }
}
