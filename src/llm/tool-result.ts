/**
 * How a tool result says it failed. The agent loop writes failures with formatToolError so the model,
 * and a scenario's `tool_error` checks, can tell them from output.
 */

/** The content of a tool result reporting a failure. */
export function formatToolError(message: string): string {
  return `error: ${message}`
}

/** True when a tool result's content reports a failure. */
export function isToolError(content: string): boolean {
  return /^\s*error\b/i.test(content)
}
