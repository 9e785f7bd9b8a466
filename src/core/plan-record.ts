/**
 * The plan record: the validated plan of a goal, kept in a hidden marker of the plan comment on the goal,
 * so beads can be created from it after a crash (or after `/gastown approve`) without asking the model
 * again. The comment shows the plan to people; the marker is what the Mayor reads back.
 */
import { z } from 'zod'
import { planSchema, type Plan } from './plan.js'

/** The record's JSON. */
export const planRecordSchema = z.strictObject({
  v: z.literal(1),
  goal: z.int().min(1),
  /** 1 for the first plan; each `/gastown replan` adds one. */
  round: z.int().min(1),
  /** False while the plan waits for `/gastown approve`. */
  approved: z.boolean(),
  plan: planSchema,
})

/** The plan record of a goal. */
export type PlanRecord = z.infer<typeof planRecordSchema>

const OPEN = '<!-- gastown:plan '
const CLOSE = ' -->'

/** The record as a hidden marker; `<` and `>` are escaped so no text can end the comment early. */
export function formatPlanRecord(record: PlanRecord): string {
  const json = JSON.stringify(planRecordSchema.parse(record))
    .replace(/</g, '\\u003c')
    .replace(/>/g, '\\u003e')
  return `${OPEN}${json}${CLOSE}`
}

/** Reads the plan record from a comment body: undefined when there is none, an error when unreadable. */
export function parsePlanRecord(
  body: string,
): { ok: true; record: PlanRecord } | { ok: false; error: string } | undefined {
  const start = body.lastIndexOf(OPEN)
  if (start < 0) return undefined
  const end = body.indexOf(CLOSE, start + OPEN.length)
  if (end < 0) return { ok: false, error: 'the plan marker is not closed' }
  let json: unknown
  try {
    json = JSON.parse(body.slice(start + OPEN.length, end))
  } catch (error) {
    return { ok: false, error: `the plan marker is not JSON (${(error as Error).message})` }
  }
  const parsed = planRecordSchema.safeParse(json)
  if (!parsed.success) {
    return {
      ok: false,
      error: `the plan marker is not a plan (${parsed.error.issues[0]?.message ?? 'invalid'})`,
    }
  }
  return { ok: true, record: parsed.data }
}

/** Plan keys in an order where each bead comes after its dependencies (the plan is validated: no cycles). */
export function creationOrder(plan: Plan): string[] {
  const byKey = new Map(plan.beads.map((bead) => [bead.key, bead]))
  const done = new Set<string>()
  const order: string[] = []
  const visit = (key: string, path: Set<string>) => {
    if (done.has(key) || path.has(key)) return
    path.add(key)
    for (const dep of byKey.get(key)?.depends_on ?? []) visit(dep, path)
    path.delete(key)
    done.add(key)
    order.push(key)
  }
  for (const bead of plan.beads) visit(bead.key, new Set())
  return order
}
