/** The agent's budgets and settings: inputs first, then the trusted config. */
import type { Config } from '../../core/config.js'
import type { AgentBudgets, RunAgentOptions } from '../agent/agent-loop.js'
import type { ActionInputs } from './inputs.js'
import type { BeadRun } from './bead-run.js'
import type { ChatModel } from '../../llm/chat-model.js'

/** The budgets of one run: each input when set, else the config's `budgets`. */
export function resolveBudgets(inputs: ActionInputs, config: Config): Required<AgentBudgets> {
  return {
    iterations: inputs['max-iterations'] ?? config.budgets.iterations,
    tokens: inputs['max-tokens'] ?? config.budgets.tokens,
    wallTimeMs: (inputs['max-minutes'] ?? config.budgets.wall_time_minutes) * 60_000,
    costUsd: inputs['max-cost-usd'] ?? config.budgets.cost_usd,
  }
}

/** The options runAgent takes for this run, less the prompt and role-specific ones. */
export function agentOptions(
  run: BeadRun,
  inputs: ActionInputs,
  model: ChatModel,
  userPrompt: string,
): RunAgentOptions {
  const { bead, config } = run
  return {
    model,
    systemPrompt: run.role.prompt,
    userPrompt,
    tools: run.role.tools,
    workspace: run.deps.workspace,
    purpose: { kind: 'bead', role: bead.role, key: bead.key, bead: bead.number!, attempt: bead.attempt },
    budgets: resolveBudgets(inputs, config),
    clock: run.deps.clock,
    protectedPaths: protectedPaths(config),
    commandPolicy: { deny: config.commands.deny },
    contextWindowTokens: config.model.context_window,
    commandTimeoutMs: config.commands.timeout_seconds * 1000,
    maxCommandOutputBytes: config.commands.max_output_bytes,
    onProgress: (event) => run.progress.onEvent(event),
    env: run.deps.agentEnv,
    commandIsolation: run.deps.commandIsolation ?? null,
    tmpRoot: run.deps.tmpRoot,
  }
}

/** The protected paths: the config's, and the workflows always. */
export function protectedPaths(config: Config): string[] {
  return [...new Set(['.github/workflows/**', ...config.protected_paths])]
}

/** Limits on what a run may change, whatever the config says. */
export const CHANGE_LIMITS = { maxFiles: 300, maxFileBytes: 2 * 1024 * 1024 } as const
