/**
 * What a tool is: a name, a description and a zod schema for its arguments (the JSON Schema sent to
 * the model is generated from it), and a function that runs it inside the jail.
 */
import type { z } from 'zod'
import type { CommandIsolation } from '../command-isolation.js'
import type { CommandRecord, Review } from '../effects.js'
import type { WorkspaceGit } from '../workspace-git.js'

/** What every tool may use; built once per run by the agent loop. */
export interface ToolContext {
  /** The workspace as a real path: the root of a git checkout. */
  workspace: string
  /** Git over the workspace with a git directory the agent never had (workspace-git.ts). */
  git: WorkspaceGit
  protectedPaths: readonly string[]
  /** Compiled deny patterns of the command policy. */
  commandDeny: readonly RegExp[]
  /** The scrubbed environment of commands (and of the git the tools run). */
  commandEnv: Record<string, string>
  /** How commands are isolated from the worker (command-isolation.ts), or null. */
  commandIsolation?: CommandIsolation | null
  /** The time a command may take now: the command timeout, capped by the wall time left. */
  commandTimeoutMs: () => number
  maxCommandOutputBytes: number
  /** The PRs a review may target; undefined when the run names none (validation decides later). */
  reviewPrNumbers?: readonly number[]
  allowApprove: boolean
  /** Milliseconds from the run's injected clock. */
  now: () => number
  signal?: AbortSignal
}

/** A tool's side effect that the loop records in the outcome. */
export type ToolEffect =
  | { kind: 'finish'; summary: string }
  | { kind: 'review'; review: Review }
  | { kind: 'command'; record: CommandRecord }

/** The result of one call: `output` goes back to the model, `summary` to the trajectory. */
export interface ToolResult {
  ok: boolean
  output: string
  summary: string
  effect?: ToolEffect
}

/** A tool with typed arguments. */
export interface Tool<Schema extends z.ZodType = z.ZodType> {
  name: string
  description: string
  schema: Schema
  run(args: z.infer<Schema>, context: ToolContext): Promise<ToolResult>
}

/** Declares a tool, keeping the link between its schema and its arguments' type. */
export function defineTool<Schema extends z.ZodType>(tool: Tool<Schema>): Tool {
  return tool as unknown as Tool
}

/** A successful result whose summary is the first line of the output. */
export function ok(output: string, summary?: string, effect?: ToolEffect): ToolResult {
  return {
    ok: true,
    output,
    summary: summary ?? firstLine(output),
    ...(effect === undefined ? {} : { effect }),
  }
}

/** A failed result; the model sees `Error: message`. */
export function fail(message: string): ToolResult {
  return { ok: false, output: `Error: ${message}`, summary: firstLine(message) }
}

function firstLine(text: string): string {
  const line = text.split('\n', 1)[0] ?? ''
  return line.length > 160 ? `${line.slice(0, 157)}...` : line
}
