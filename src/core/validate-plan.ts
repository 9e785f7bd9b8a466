/**
 * Validation of a plan from the planner model, reporting every problem at once (shape, roles, keys,
 * dependencies, cycles, limits), and the repair message that asks the model for a corrected plan.
 */
import { findCycles } from './dag.js'
import { PLAN_KEY_PATTERN, planBeadSchema, type Plan, type PlanBead } from './plan.js'

/** Every kind of problem a plan can have. */
export const PLAN_PROBLEM_CODES = [
  'invalid_json',
  'not_object',
  'invalid_shape',
  'empty_plan',
  'too_many_beads',
  'unknown_role',
  'duplicate_key',
  'missing_dependency',
  'self_dependency',
  'cycle',
  'title_too_long',
  'description_too_long',
] as const

/** A kind of plan problem. */
export type PlanProblemCode = (typeof PLAN_PROBLEM_CODES)[number]

/** One problem of a plan: what kind, where (a zod-style path), and a sentence that says how to fix it. */
export interface Problem {
  code: PlanProblemCode
  path: (string | number)[]
  message: string
  /** For a `cycle`: the closed path of keys, each depending on the next. */
  cycle?: string[]
}

/** What a plan is checked against: the roles on offer and the size limits. */
export interface ValidatePlanOptions {
  roles: readonly string[]
  maxBeads: number
  maxTitle?: number
  maxDescription?: number
}

/** The outcome of `validatePlan`. */
export type PlanValidation = { ok: true; plan: Plan } | { ok: false; problems: Problem[] }

const DEFAULT_MAX_TITLE = 120
const DEFAULT_MAX_DESCRIPTION = 8000

/** A path as people read it: `beads[2].depends_on[0]`. */
export function formatPath(path: readonly (string | number)[]): string {
  return path.reduce<string>(
    (text, part) => (typeof part === 'number' ? `${text}[${part}]` : text ? `${text}.${part}` : part),
    '',
  )
}

/** A value from the model quoted in a message, cut short so a long or hostile value cannot flood it. */
function quote(value: unknown): string {
  const text = JSON.stringify(value) ?? String(value)
  return text.length > 60 ? `${text.slice(0, 57)}...` : text
}

/** Edit distance between two strings (insertions, deletions, substitutions). */
function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j)
  for (let i = 1; i <= a.length; i += 1) {
    const current = [i]
    for (let j = 1; j <= b.length; j += 1) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1
      current.push(Math.min(previous[j]! + 1, current[j - 1]! + 1, previous[j - 1]! + cost))
    }
    previous = current
  }
  return previous[b.length]!
}

/**
 * The candidate closest to `word` (case-insensitive edit distance), if it is close enough to be a likely
 * typo; for "did you mean" hints.
 */
export function closestMatch(word: string, candidates: Iterable<string>): string | undefined {
  const target = word.toLowerCase()
  let best: string | undefined
  let bestDistance = Infinity
  for (const candidate of candidates) {
    const distance = editDistance(target, candidate.toLowerCase())
    if (distance < bestDistance) {
      best = candidate
      bestDistance = distance
    }
  }
  const allowed = Math.max(2, Math.floor(Math.max(target.length, best?.length ?? 0) * 0.4))
  return best !== undefined && bestDistance <= allowed ? best : undefined
}

function didYouMean(word: string, candidates: Iterable<string>): string {
  const match = closestMatch(word, candidates)
  return match === undefined ? '' : `; did you mean ${quote(match)}?`
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

/** Parses the model's text; a single fenced block around the JSON is tolerated. */
function parseText(text: string): { value: unknown } | { problem: Problem } {
  const fenced = /^\s*```[a-zA-Z]*\s*\n([\s\S]*?)\n\s*```\s*$/.exec(text)
  try {
    return { value: JSON.parse(fenced ? fenced[1]! : text) }
  } catch (error) {
    return {
      problem: {
        code: 'invalid_json',
        path: [],
        message: `The answer is not valid JSON (${(error as Error).message}). Answer with one JSON object and nothing else.`,
      },
    }
  }
}

/**
 * Checks a plan from the model (the parsed object, or the raw text of the answer) against the shape, the
 * roles on offer and the limits, and lists every problem found, not just the first.
 */
export function validatePlan(raw: unknown, options: ValidatePlanOptions): PlanValidation {
  const maxTitle = options.maxTitle ?? DEFAULT_MAX_TITLE
  const maxDescription = options.maxDescription ?? DEFAULT_MAX_DESCRIPTION
  let value = raw
  if (typeof raw === 'string') {
    const parsed = parseText(raw)
    if ('problem' in parsed) return { ok: false, problems: [parsed.problem] }
    value = parsed.value
  }

  if (!isRecord(value)) {
    const hint = Array.isArray(value)
      ? 'The answer is a bare array; wrap it as {"beads": [...]}.'
      : `The answer is ${value === null ? 'null' : typeof value}; it must be an object {"beads": [...]}.`
    return { ok: false, problems: [{ code: 'not_object', path: [], message: hint }] }
  }
  const beadsValue = value.beads
  if (!Array.isArray(beadsValue)) {
    return {
      ok: false,
      problems: [
        {
          code: 'invalid_shape',
          path: ['beads'],
          message:
            beadsValue === undefined
              ? 'beads: missing; the plan must be an object {"beads": [...]} with one entry per bead.'
              : `beads: expected an array of beads, got ${quote(beadsValue)}.`,
        },
      ],
    }
  }
  if (beadsValue.length === 0) {
    return {
      ok: false,
      problems: [
        {
          code: 'empty_plan',
          path: ['beads'],
          message: 'beads: the plan is empty; list at least one bead of work for the goal.',
        },
      ],
    }
  }

  const problems: Problem[] = []
  if (beadsValue.length > options.maxBeads) {
    problems.push({
      code: 'too_many_beads',
      path: ['beads'],
      message: `beads: the plan has ${beadsValue.length} beads; at most ${options.maxBeads} are allowed (max_beads). Merge small steps into larger beads.`,
    })
  }

  const parsed: (PlanBead | undefined)[] = beadsValue.map((bead, i) => {
    const result = planBeadSchema.safeParse(bead)
    if (result.success) return result.data
    for (const issue of result.error.issues) {
      const path = ['beads', i, ...issue.path.map((p) => (typeof p === 'symbol' ? String(p) : p))]
      problems.push({ code: 'invalid_shape', path, message: `${formatPath(path)}: ${issue.message}.` })
    }
    return undefined
  })

  // The checks below also read beads that failed the shape check, field by field, so that one answer
  // lists every problem rather than revealing them one repair round at a time.
  const fields = beadsValue.map((bead) => (isRecord(bead) ? bead : {}))
  const firstIndexOfKey = new Map<string, number>()
  fields.forEach((bead, i) => {
    if (typeof bead.key !== 'string') return
    const first = firstIndexOfKey.get(bead.key)
    if (first === undefined) {
      firstIndexOfKey.set(bead.key, i)
      return
    }
    problems.push({
      code: 'duplicate_key',
      path: ['beads', i, 'key'],
      message: `beads[${i}].key: ${quote(bead.key)} is already the key of beads[${first}]; every bead needs its own key.`,
    })
  })

  const roles = new Set(options.roles)
  fields.forEach((bead, i) => {
    const { role, title, description } = bead
    if (typeof role === 'string' && role.length > 0 && !roles.has(role)) {
      problems.push({
        code: 'unknown_role',
        path: ['beads', i, 'role'],
        message: `beads[${i}].role: ${quote(role)} is not a known role; use one of ${options.roles.join(', ') || '(none configured)'}${didYouMean(role, options.roles)}`,
      })
    }
    if (typeof title === 'string' && title.length > maxTitle) {
      problems.push({
        code: 'title_too_long',
        path: ['beads', i, 'title'],
        message: `beads[${i}].title: ${title.length} characters; at most ${maxTitle} are allowed. Put the details in the description.`,
      })
    }
    if (typeof description === 'string' && description.length > maxDescription) {
      problems.push({
        code: 'description_too_long',
        path: ['beads', i, 'description'],
        message: `beads[${i}].description: ${description.length} characters; at most ${maxDescription} are allowed. Say it shorter or split the bead.`,
      })
    }
  })

  const keys = [...firstIndexOfKey.keys()]
  const graph = new Map<string, string[]>()
  fields.forEach((bead, i) => {
    const own = typeof bead.key === 'string' ? bead.key : undefined
    const deps = Array.isArray(bead.depends_on) ? bead.depends_on : []
    const edges: string[] = []
    deps.forEach((dep: unknown, j) => {
      // A dependency that is not even a key-shaped string is already reported by the shape check.
      if (typeof dep !== 'string' || !PLAN_KEY_PATTERN.test(dep)) return
      const path = ['beads', i, 'depends_on', j]
      if (dep === own) {
        problems.push({
          code: 'self_dependency',
          path,
          message: `${formatPath(path)}: the bead ${quote(own)} depends on itself; remove it from its own depends_on.`,
        })
      } else if (!firstIndexOfKey.has(dep)) {
        problems.push({
          code: 'missing_dependency',
          path,
          message: `${formatPath(path)}: ${quote(dep)} is not the key of any bead in the plan${didYouMean(dep, keys)}`,
        })
      } else {
        edges.push(dep)
      }
    })
    // Only the first bead of a duplicated key joins the graph, so a duplicate cannot fake a cycle.
    if (own !== undefined && firstIndexOfKey.get(own) === i) graph.set(own, edges)
  })

  for (const cycle of findCycles(graph)) {
    const index = firstIndexOfKey.get(cycle[0]!)!
    problems.push({
      code: 'cycle',
      path: ['beads', index, 'depends_on'],
      message: `beads[${index}].depends_on: dependency cycle ${cycle.join(' -> ')} (each depends on the next); remove one of these dependencies so the work can be ordered.`,
      cycle,
    })
  }

  if (problems.length > 0) return { ok: false, problems }
  const beads = parsed.map((bead) => ({ ...bead!, depends_on: [...new Set(bead!.depends_on)] }))
  return { ok: true, plan: { beads } }
}

/**
 * The user message sent back to the planner model after a rejected plan: every problem, then the rules,
 * and a request for the whole corrected plan. With `options`, the rules name the roles and limits.
 */
export function repairMessage(problems: readonly Problem[], options?: ValidatePlanOptions): string {
  const list = problems.map((problem, i) => `${i + 1}. ${problem.message}`)
  const rules = [
    'The answer is one JSON object {"beads": [...]} and nothing else.',
    'Every bead has all of: key, title, description, role, depends_on, acceptance_criteria.',
    'key: a short slug (a lowercase letter, then up to 39 of a-z, 0-9, -), unique in the plan.',
  ]
  if (options) {
    rules.push(`role: one of ${options.roles.join(', ')}.`)
    rules.push(`At most ${options.maxBeads} beads.`)
  }
  rules.push(
    `title: at most ${options?.maxTitle ?? DEFAULT_MAX_TITLE} characters; description: at most ${options?.maxDescription ?? DEFAULT_MAX_DESCRIPTION} characters.`,
    'depends_on: keys of other beads of this plan that must be done first; no bead depends on itself, and the dependencies never form a cycle.',
  )
  return [
    `Your plan was not accepted: ${problems.length} problem${problems.length === 1 ? '' : 's'} must be fixed.`,
    '',
    ...list,
    '',
    'Rules:',
    ...rules.map((rule) => `- ${rule}`),
    '',
    'Answer with the whole corrected plan, not only the changed beads.',
  ].join('\n')
}
