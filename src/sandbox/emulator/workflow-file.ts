/**
 * Workflow files (`.github/workflows/*.yml`) as the emulator's runner reads them: the `workflow_dispatch`
 * trigger and its inputs, concurrency, permissions, and jobs of steps. Parsed with js-yaml and checked with
 * zod; an error names the field (and the line, for YAML) and what would be accepted.
 */
import yaml from 'js-yaml'
import { z } from 'zod'
import { ExpressionError, checkExpression } from './workflow-expressions.js'

const scalar = z.union([z.string(), z.number(), z.boolean()])
const envMap = z.record(z.string(), scalar.transform(String))

/** One input of the `workflow_dispatch` trigger. */
export const dispatchInputSchema = z.object({
  description: z.string().optional(),
  required: z.boolean().default(false),
  type: z.enum(['string', 'number', 'boolean', 'choice', 'environment']).default('string'),
  default: scalar.transform(String).optional(),
  options: z.array(scalar.transform(String)).optional(),
})

const permissionLevel = z.enum(['read', 'write', 'none'])
const permissionsSchema = z.union([
  z.enum(['read-all', 'write-all']),
  z.record(z.string(), permissionLevel),
  z.object({}).strict(),
])

const concurrencySchema = z.union([
  z.string().transform((group) => ({ group, 'cancel-in-progress': false })),
  z.object({ group: z.string(), 'cancel-in-progress': z.boolean().default(false) }),
])

/** One step of a job: exactly one of `uses` and `run`. */
export const stepSchema = z
  .object({
    id: z
      .string()
      .regex(
        /^[A-Za-z_][A-Za-z0-9_-]*$/,
        'a step id starts with a letter or "_" and holds letters, digits, "-" and "_"',
      )
      .optional(),
    name: z.string().optional(),
    uses: z.string().optional(),
    run: z.string().optional(),
    with: envMap.optional(),
    env: envMap.optional(),
    if: z.union([z.string(), z.boolean().transform(String)]).optional(),
    shell: z.literal('bash').optional(),
    'working-directory': z.string().optional(),
    'continue-on-error': z.boolean().default(false),
    'timeout-minutes': z.number().positive().optional(),
  })
  .refine((step) => (step.uses === undefined) !== (step.run === undefined), {
    message: 'a step needs exactly one of "uses" and "run"',
  })
/** One step of a job, parsed. */
export type WorkflowStep = z.infer<typeof stepSchema>

/** One job: where it runs and its steps. */
export const jobSchema = z.object({
  name: z.string().optional(),
  'runs-on': z.union([z.string(), z.array(z.string())]),
  needs: z
    .union([z.string(), z.array(z.string())])
    .transform((needs) => (typeof needs === 'string' ? [needs] : needs))
    .default([]),
  if: z.union([z.string(), z.boolean().transform(String)]).optional(),
  env: envMap.default({}),
  permissions: permissionsSchema.optional(),
  concurrency: concurrencySchema.optional(),
  'timeout-minutes': z.number().positive().optional(),
  outputs: z.record(z.string(), z.string()).optional(),
  steps: z.array(stepSchema).min(1, 'a job needs at least one step'),
})
/** One job, parsed. */
export type WorkflowJob = z.infer<typeof jobSchema>

const dispatchTriggerSchema = z
  .object({ inputs: z.record(z.string(), dispatchInputSchema).default({}) })
  .nullable()
  .transform((trigger) => trigger ?? { inputs: {} })

/**
 * A workflow file; `on` keeps the trigger names, the `workflow_dispatch` inputs, and each other trigger's
 * filters as written (`types`, `branches`, `workflows`, `cron`: read by workflow-triggers.ts).
 */
export const workflowSchema = z.object({
  name: z.string().optional(),
  'run-name': z.string().optional(),
  on: z
    .preprocess(
      // `on: workflow_dispatch` and `on: [push, workflow_dispatch]` are short for a map of triggers.
      (on) =>
        typeof on === 'string'
          ? { [on]: null }
          : Array.isArray(on)
            ? Object.fromEntries(on.map((event) => [String(event), null]))
            : on,
      z.object({ workflow_dispatch: dispatchTriggerSchema.optional() }).catchall(z.unknown()),
    )
    .transform((triggers) => ({
      events: Object.keys(triggers),
      dispatch: Object.hasOwn(triggers, 'workflow_dispatch')
        ? (triggers.workflow_dispatch ?? { inputs: {} })
        : null,
      filters: Object.fromEntries(
        Object.entries(triggers).filter(([event]) => event !== 'workflow_dispatch'),
      ) as Record<string, unknown>,
    })),
  env: envMap.default({}),
  permissions: permissionsSchema.optional(),
  concurrency: concurrencySchema.optional(),
  jobs: z
    .record(z.string().regex(/^[A-Za-z_][A-Za-z0-9_-]*$/, 'a job id starts with a letter or "_"'), jobSchema)
    .refine((jobs) => Object.keys(jobs).length > 0, 'a workflow needs at least one job'),
})
/** A workflow file, parsed. */
export type Workflow = z.infer<typeof workflowSchema>

/** A workflow file that cannot be read, with where and why. */
export class WorkflowFileError extends Error {
  constructor(
    readonly path: string,
    readonly problems: string[],
  ) {
    super(`Invalid workflow file ${path}: ${problems.join('; ')}`)
    this.name = 'WorkflowFileError'
  }
}

/** Every `${{ }}` expression in a text, and every step condition, must parse before anything runs. */
function expressionsOf(text: string): string[] {
  const found: string[] = []
  const pattern = /\$\{\{([\s\S]*?)\}\}/g
  for (let match = pattern.exec(text); match; match = pattern.exec(text)) found.push(match[1] ?? '')
  return found
}

function checkExpressions(workflow: Workflow): string[] {
  const problems: string[] = []
  const check = (where: string, text: string | undefined, isCondition = false) => {
    if (text === undefined) return
    const sources = isCondition && !text.includes('${{') ? [text] : expressionsOf(text)
    for (const source of sources) {
      try {
        checkExpression(source)
      } catch (error) {
        if (error instanceof ExpressionError) problems.push(`${where}: ${error.message}`)
        else throw error
      }
    }
  }
  check('concurrency.group', workflow.concurrency?.group)
  for (const [jobId, job] of Object.entries(workflow.jobs)) {
    check(`jobs.${jobId}.if`, job.if, true)
    for (const [key, value] of Object.entries(job.env)) check(`jobs.${jobId}.env.${key}`, value)
    job.steps.forEach((step, index) => {
      const where = `jobs.${jobId}.steps[${index}]`
      check(`${where}.if`, step.if, true)
      check(`${where}.run`, step.run)
      check(`${where}.name`, step.name)
      for (const [key, value] of Object.entries(step.with ?? {})) check(`${where}.with.${key}`, value)
      for (const [key, value] of Object.entries(step.env ?? {})) check(`${where}.env.${key}`, value)
    })
    for (const need of job.needs) {
      if (!Object.hasOwn(workflow.jobs, need))
        problems.push(`jobs.${jobId}.needs: job "${need}" is not defined in this workflow`)
    }
  }
  return problems
}

/** The repository path of a workflow named by its file (`ci.yml`) or its path (`.github/workflows/ci.yml`). */
export function workflowPath(workflow: string): string {
  return `.github/workflows/${workflow.replace(/^\.github\/workflows\//, '')}`
}

/** Parses a workflow file's text; throws WorkflowFileError naming each field or line at fault. */
export function parseWorkflowFile(path: string, text: string): Workflow {
  let document: unknown
  try {
    document = yaml.load(text, { filename: path })
  } catch (error) {
    if (error instanceof yaml.YAMLException) {
      throw new WorkflowFileError(path, [`YAML error at line ${error.mark.line + 1}: ${error.reason}`])
    }
    throw error
  }
  const parsed = workflowSchema.safeParse(document)
  if (!parsed.success) {
    throw new WorkflowFileError(
      path,
      parsed.error.issues.map((issue) => `${issue.path.map(String).join('.') || '(root)'}: ${issue.message}`),
    )
  }
  const problems = checkExpressions(parsed.data)
  if (problems.length > 0) throw new WorkflowFileError(path, problems)
  return parsed.data
}

/** Jobs in an order that runs each after the jobs it needs; throws on a cycle. */
export function orderJobs(workflow: Workflow): string[] {
  const order: string[] = []
  const state = new Map<string, 'visiting' | 'done'>()
  const visit = (id: string, trail: string[]) => {
    if (state.get(id) === 'done') return
    if (state.get(id) === 'visiting')
      throw new Error(`jobs form a cycle through "needs": ${[...trail, id].join(' -> ')}`)
    state.set(id, 'visiting')
    for (const need of workflow.jobs[id]?.needs ?? []) visit(need, [...trail, id])
    state.set(id, 'done')
    order.push(id)
  }
  for (const id of Object.keys(workflow.jobs)) visit(id, [])
  return order
}

/**
 * Checks the inputs of a `workflow_dispatch` request as GitHub does and fills in defaults; answers GitHub's
 * 422 message when the request would be refused.
 */
export function resolveDispatchInputs(
  workflow: Workflow,
  provided: Record<string, string>,
): { inputs: Record<string, string> } | { error: string } {
  const dispatch = workflow.on.dispatch
  if (!dispatch) return { error: "Workflow does not have 'workflow_dispatch' trigger" }
  const declared = dispatch.inputs
  const unexpected = Object.keys(provided).filter((name) => !Object.hasOwn(declared, name))
  if (unexpected.length > 0) return { error: `Unexpected inputs provided: ${JSON.stringify(unexpected)}` }
  const inputs: Record<string, string> = {}
  for (const [name, input] of Object.entries(declared)) {
    const given = provided[name]
    if (given === undefined && input.required && input.default === undefined) {
      return { error: `Required input '${name}' not provided` }
    }
    const value = given ?? input.default ?? (input.type === 'boolean' ? 'false' : '')
    if (input.type === 'choice' && value !== '' && !(input.options ?? []).includes(value)) {
      return { error: `Provided value '${value}' for input '${name}' not in the list of allowed values` }
    }
    if (input.type === 'boolean' && value !== 'true' && value !== 'false') {
      return { error: `Provided value '${value}' for input '${name}' is not a valid boolean` }
    }
    if (input.type === 'number' && (value.trim() === '' ? input.required : Number.isNaN(Number(value)))) {
      return { error: `Provided value '${value}' for input '${name}' is not a valid number` }
    }
    inputs[name] = value
  }
  return { inputs }
}
