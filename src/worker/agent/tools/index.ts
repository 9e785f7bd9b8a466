/**
 * The tool registry: every tool by name, and the ToolSpecs (JSON Schema generated from each zod
 * schema) for the tools a role may use.
 */
import { z } from 'zod'
import type { ToolSpec } from '../../../llm/chat-model.js'
import { editFileTool } from './edit-file.js'
import { finishTool } from './finish.js'
import { listFilesTool } from './list-files.js'
import { readFileTool } from './read-file.js'
import { runCommandTool } from './run-command.js'
import { searchTool } from './search.js'
import { submitReviewTool } from './submit-review.js'
import type { Tool } from './tool.js'
import { writeFileTool } from './write-file.js'

/** Every tool, by name. */
export const TOOLS: ReadonlyMap<string, Tool> = new Map(
  [
    readFileTool,
    writeFileTool,
    editFileTool,
    listFilesTool,
    searchTool,
    runCommandTool,
    finishTool,
    submitReviewTool,
  ].map((tool) => [tool.name, tool]),
)

/** The names of every tool. */
export const TOOL_NAMES: readonly string[] = [...TOOLS.keys()]

/**
 * The tools named, in order; `finish` is added when missing, since without it a run can only end by
 * a budget. An unknown name is a configuration mistake and throws, naming the known ones.
 */
export function selectTools(names: readonly string[], catalogue: ReadonlyMap<string, Tool> = TOOLS): Tool[] {
  const unknown = names.filter((name) => !catalogue.has(name))
  if (unknown.length > 0) {
    throw new Error(
      `unknown tool ${unknown.map((name) => JSON.stringify(name)).join(', ')}; the tools are ${[...catalogue.keys()].join(', ')}`,
    )
  }
  const unique = [...new Set(names.includes('finish') ? names : [...names, 'finish'])]
  return unique.map((name) => catalogue.get(name) as Tool)
}

/** The ToolSpec of a tool, with the JSON Schema that its zod schema generates. */
export function toToolSpec(tool: Tool): ToolSpec {
  const { $schema: _schema, ...parameters } = z.toJSONSchema(tool.schema, { io: 'input' }) as Record<
    string,
    unknown
  >
  return { name: tool.name, description: tool.description, parameters }
}
