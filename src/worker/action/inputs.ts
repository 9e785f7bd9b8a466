/**
 * The action's inputs (action.yml) and the runner's GITHUB_* context, as one zod schema each. Every
 * error names the input or variable and says what to set.
 */
import { z } from 'zod'
import { getInput } from './runner-io.js'

const wholeText = (what: string) =>
  z
    .string()
    .regex(/^[1-9][0-9]{0,9}$/, `must be ${what}, a whole number from 1`)
    .transform(Number)

const optionalWhole = (what: string) =>
  z
    .string()
    .regex(/^([1-9][0-9]{0,9})?$/, `must be empty or ${what}, a whole number from 1`)
    .transform((text) => (text === '' ? undefined : Number(text)))

/** The inputs of action.yml, as the runner passes them (text). */
export const inputsSchema = z.object({
  bead: wholeText("the bead's issue number"),
  attempt: wholeText('the attempt number the Mayor dispatched'),
  'github-token': z
    .string()
    .min(
      1,
      'is empty: pass a token with contents, pull-requests and issues write (e.g. secrets.GASTOWN_TOKEN or github.token)',
    ),
  'api-key': z.string(),
  'base-url': z
    .string()
    .refine(
      (text) => text === '' || /^https?:\/\/\S+$/.test(text),
      'must be empty or an http(s) URL such as https://openrouter.ai/api/v1',
    ),
  model: z.string(),
  scenario: z.string(),
  'max-iterations': optionalWhole('a number of model turns'),
  'max-tokens': optionalWhole('a number of tokens'),
  'max-minutes': optionalWhole('a number of minutes'),
  'max-cost-usd': z
    .string()
    .regex(/^(\d+(\.\d+)?)?$/, 'must be empty or a number of US dollars such as 1.5')
    .transform((text) => (text === '' ? undefined : Number(text))),
  'write-spacing-ms': optionalWhole('a number of milliseconds'),
})

/** The parsed inputs. */
export type ActionInputs = z.infer<typeof inputsSchema>

/** The names of every input, as action.yml declares them. */
export const INPUT_NAMES = Object.keys(inputsSchema.shape) as (keyof typeof inputsSchema.shape)[]

/** The runner's variables the worker reads. */
export const runnerContextSchema = z.object({
  GITHUB_REPOSITORY: z
    .string()
    .regex(/^[A-Za-z0-9_.-]+\/[A-Za-z0-9_.-]+$/, 'must be owner/name; run the action inside GitHub Actions'),
  GITHUB_RUN_ID: z
    .string()
    .regex(/^[0-9]+$/, 'must be the numeric run id; run the action inside GitHub Actions'),
  GITHUB_SERVER_URL: z.url({ protocol: /^https?$/ }).default('https://github.com'),
  GITHUB_API_URL: z.url({ protocol: /^https?$/ }).default('https://api.github.com'),
  GITHUB_WORKSPACE: z.string().min(1, 'must name the checkout; add actions/checkout before this step'),
  // Who dispatched the run: the Mayor's bot, whose bead issues alone the worker trusts.
  GITHUB_ACTOR: z.string().min(1, 'must name who dispatched the run; run the action inside GitHub Actions'),
  // The ref and commit the run was dispatched at: the claim points at them when they are the default branch.
  GITHUB_REF: z.string().optional(),
  GITHUB_SHA: z.string().optional(),
  RUNNER_TEMP: z.string().optional(),
  RUNNER_DEBUG: z.string().optional(),
})

/** The parsed runner context. */
export type RunnerContext = z.infer<typeof runnerContextSchema>

/** A mistake in the inputs or the runner's environment, every problem named. */
export class InputError extends Error {
  override readonly name = 'InputError'
  constructor(readonly problems: string[]) {
    super(`The worker cannot start:\n${problems.map((problem) => `- ${problem}`).join('\n')}`)
  }
}

/** Reads and checks the inputs and the runner context from the environment; throws InputError. */
export function parseInputs(env: Readonly<Record<string, string | undefined>>): {
  inputs: ActionInputs
  context: RunnerContext
} {
  const raw = Object.fromEntries(INPUT_NAMES.map((name) => [name, getInput(env, name)]))
  const inputs = inputsSchema.safeParse(raw)
  const contextRaw = Object.fromEntries(
    Object.keys(runnerContextSchema.shape)
      .map((name) => [name, env[name] === '' ? undefined : env[name]])
      .filter(([, value]) => value !== undefined),
  )
  const context = runnerContextSchema.safeParse(contextRaw)
  const problems: string[] = []
  if (!inputs.success) {
    for (const issue of inputs.error.issues) {
      const name = String(issue.path[0] ?? '')
      const given = raw[name] ?? ''
      problems.push(
        `input \`${name}\` ${issue.message}${given === '' || /token|key/.test(name) ? '' : ` (got "${given}")`}; set it under \`with:\` in the workflow step`,
      )
    }
  }
  if (!context.success) {
    for (const issue of context.error.issues) {
      const name = String(issue.path[0] ?? '')
      problems.push(
        `environment variable ${name} ${issue.message === 'Invalid input: expected string, received undefined' ? 'is missing' : issue.message}; the GitHub Actions runner sets it`,
      )
    }
  }
  if (!inputs.success || !context.success) throw new InputError(problems)
  return { inputs: inputs.data, context: context.data }
}
