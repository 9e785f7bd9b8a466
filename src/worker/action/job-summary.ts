/** The Actions job summary of a worker run: outcome, steps, commands with exit codes, usage, timings. */
import type { AgentOutcome } from '../agent/effects.js'
import { commandsTable, trajectoryList, usageLine } from './pr-body.js'
import { sanitizeForGitHub } from '../../core/sanitize.js'

/** Where the run's time went, in ms. */
export interface Timings {
  totalMs: number
  /** Waiting for the model. */
  modelMs: number
  /** The agent's tools (commands, file reads and writes). */
  toolMs: number
  /** Everything else: the worker's own GitHub and git work. */
  overheadMs: number
  /** Named phases of the worker (claim, context, prepare, apply). */
  phases: Record<string, number>
}

/** What the summary shows. */
export interface JobSummaryInput {
  bead: number
  attempt: number
  role: string
  status: string
  message: string
  prNumber?: number
  outcome?: AgentOutcome
  timings: Timings
  secrets: readonly string[]
  /** Shown first, as a caution block (commands that ran unisolated). */
  warning?: string | undefined
}

const seconds = (ms: number): string => `${(ms / 1000).toFixed(2)} s`

/** Renders the summary as markdown. */
export function renderJobSummary(input: JobSummaryInput): string {
  const { outcome } = input
  const lines = [
    `## Gas Town worker: bead #${input.bead} (${input.role}), attempt ${input.attempt}`,
    '',
    ...(input.warning === undefined ? [] : [`> [!CAUTION]\n> ${input.warning}`, '']),
    `**Status:** ${input.status}${input.prNumber === undefined ? '' : ` · PR #${input.prNumber}`}`,
    '',
    sanitizeForGitHub(input.message, { maxChars: 4_000, secrets: input.secrets }),
    '',
  ]
  if (outcome !== undefined) {
    lines.push(
      `**Usage:** ${usageLine(outcome.usage.tokens, outcome.usage.costUsd)} over ${outcome.usage.modelCalls} model calls`,
      '',
      '### Commands',
      '',
      commandsTable(outcome.commands, input.secrets),
      '',
      '### Steps',
      '',
      trajectoryList(outcome.trajectory, input.secrets),
      '',
    )
  }
  const phases = Object.entries(input.timings.phases).map(([name, ms]) => `| ${name} | ${seconds(ms)} |`)
  lines.push(
    '### Timings',
    '',
    '| part | time |',
    '|---|---|',
    `| total | ${seconds(input.timings.totalMs)} |`,
    `| model | ${seconds(input.timings.modelMs)} |`,
    `| agent tools | ${seconds(input.timings.toolMs)} |`,
    `| worker overhead | ${seconds(input.timings.overheadMs)} |`,
    ...phases,
    '',
  )
  return lines.join('\n')
}
