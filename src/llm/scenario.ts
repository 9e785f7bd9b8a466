/**
 * A scenario: the model turns the scripted model replays, as a YAML file. Turns are filed by purpose:
 * the plan, and each bead key (optionally per attempt), as a list of conversations ("rounds") in order.
 */
import { readFile } from 'node:fs/promises'
import path from 'node:path'
import yaml from 'js-yaml'
import { z } from 'zod'
import { modelPriceSchema } from './pricing.js'

const regexSource = z.string().refine(
  (source) => {
    try {
      new RegExp(source)
      return true
    } catch {
      return false
    }
  },
  { message: 'not a valid regular expression' },
)

/** A check on a piece of text the model was sent. */
export const textCheckSchema = z
  .object({
    contains: z.string().optional().describe('the text must contain this'),
    matches: regexSource.optional().describe('the text must match this regular expression'),
  })
  .strict()

/** A check on one tool result, in the order of the tool calls it answers. */
export const toolResultCheckSchema = textCheckSchema
  .extend({ tool_error: z.boolean().optional().describe('whether the tool reported an error') })
  .strict()

/** One tool call to replay. */
export const scriptedToolCallSchema = z
  .object({
    id: z.string().min(1).optional().describe('the call id; generated when absent'),
    name: z.string().min(1),
    arguments: z.record(z.string(), z.unknown()).optional().describe('sent as JSON text'),
    raw_arguments: z.string().optional().describe('sent as is, e.g. malformed JSON on purpose'),
  })
  .strict()
  .refine((call) => call.arguments === undefined || call.raw_arguments === undefined, {
    message: 'give arguments or raw_arguments, not both',
  })

/** One assistant turn, or a simulated model failure. */
export const scriptedTurnSchema = z
  .object({
    content: z.string().optional(),
    tool_calls: z.array(scriptedToolCallSchema).min(1).optional(),
    latency_ms: z.number().int().nonnegative().optional().describe('simulated time the answer takes'),
    usage: z
      .object({
        prompt_tokens: z.number().int().nonnegative(),
        completion_tokens: z.number().int().nonnegative(),
      })
      .strict()
      .optional()
      .describe('reported usage; estimated from text length when absent'),
    finish_reason: z.enum(['stop', 'tool_calls', 'length', 'content_filter', 'other']).optional(),
    expect: z
      .object({
        user: textCheckSchema.optional().describe('checks on the latest user message'),
        tool_results: z.array(toolResultCheckSchema).optional().describe('checks on the latest tool results'),
      })
      .strict()
      .optional(),
    fail: z
      .object({
        message: z.string().min(1),
        status: z.number().int().min(400).max(599).optional(),
        retryable: z.boolean().optional(),
      })
      .strict()
      .optional()
      .describe('simulate a model error instead of answering'),
  })
  .strict()
  .refine((turn) => turn.fail !== undefined || turn.content !== undefined || turn.tool_calls !== undefined, {
    message: 'a turn needs content, tool_calls or fail',
  })
  .refine(
    (turn) => turn.fail === undefined || (turn.content === undefined && turn.tool_calls === undefined),
    {
      message: 'a failing turn has no content or tool_calls',
    },
  )

/** One conversation: the turns of one run of an agent loop (or of the planner). */
export const scriptedConversationSchema = z
  .object({
    attempt: z
      .number()
      .int()
      .min(1)
      .optional()
      .describe('only for this attempt; absent means any other attempt'),
    turns: z.array(scriptedTurnSchema).min(1),
  })
  .strict()

/** A scenario file. */
export const scenarioSchema = z
  .object({
    name: z
      .string()
      .regex(/^[A-Za-z0-9._-]+$/, 'letters, digits, dot, dash and underscore only')
      .optional()
      .describe('defaults to the file name without extension'),
    description: z.string().optional(),
    pricing: modelPriceSchema.optional().describe('a price, so reports show costs as a real model would'),
    plan: z.array(scriptedConversationSchema).optional().describe('planner conversations, in order'),
    beads: z
      .record(z.string().min(1), z.array(scriptedConversationSchema).min(1))
      .optional()
      .describe('per bead key, its conversations in order'),
  })
  .strict()

/** A scenario file's content. */
export type ScenarioFile = z.infer<typeof scenarioSchema>
/** One replayed turn. */
export type ScriptedTurn = z.infer<typeof scriptedTurnSchema>
/** One replayed conversation. */
export type ScriptedConversation = z.infer<typeof scriptedConversationSchema>
/** A check on text the model was sent. */
export type TextCheck = z.infer<typeof textCheckSchema>
/** A check on one tool result. */
export type ToolResultCheck = z.infer<typeof toolResultCheckSchema>

/** A validated scenario with its name settled and where it came from. */
export type Scenario = ScenarioFile & { name: string; source: string }

/** A scenario file that cannot be used. */
export class ScenarioFileError extends Error {
  override readonly name = 'ScenarioFileError'
}

/** Parses and validates scenario YAML; `source` names it in errors and gives the default name. */
export function parseScenario(text: string, source: string): Scenario {
  let data: unknown
  try {
    data = yaml.load(text, { schema: yaml.CORE_SCHEMA, filename: source })
  } catch (error) {
    if (error instanceof yaml.YAMLException) {
      throw new ScenarioFileError(
        `Scenario ${source} is not valid YAML at line ${error.mark.line + 1}, column ${error.mark.column + 1}: ${error.reason}.`,
        { cause: error },
      )
    }
    throw error
  }
  const parsed = scenarioSchema.safeParse(data ?? {})
  if (!parsed.success) {
    throw new ScenarioFileError(
      `Scenario ${source} does not match the scenario format:\n${z.prettifyError(parsed.error)}\n` +
        'Fix the fields named above (see scenarioSchema in src/llm/scenario.ts).',
      { cause: parsed.error },
    )
  }
  const name = parsed.data.name ?? path.basename(source).replace(/\.ya?ml$/i, '')
  return { ...parsed.data, name, source }
}

/** Reads and validates a scenario file. */
export async function loadScenario(file: string): Promise<Scenario> {
  let text: string
  try {
    text = await readFile(file, 'utf8')
  } catch (error) {
    throw new ScenarioFileError(
      `Cannot read scenario ${file}: ${(error as Error).message}. Check the path.`,
      {
        cause: error,
      },
    )
  }
  return parseScenario(text, file)
}
