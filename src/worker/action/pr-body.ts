/**
 * The pull request's body (DESIGN.md, "Branches and PRs"): `Closes #n`, the agent's summary, the
 * commands it ran with their results, tokens and cost, and the trajectory collapsed in <details>.
 * Model text passes through sanitizeForGitHub; the whole stays under GitHub's 65,536 characters.
 */
import { sanitizeForGitHub } from '../../core/sanitize.js'
import type { CommandRecord, TrajectoryStep } from '../agent/effects.js'

/** What the body tells. */
export interface PrBodyInput {
  bead: number
  summary: string
  commands: readonly CommandRecord[]
  trajectory: readonly TrajectoryStep[]
  tokens: number
  costUsd: number
  runUrl: string
  /** Review round, when the PR is updated to address a review. */
  round?: number
  secrets: readonly string[]
}

const MAX_BODY = 60_000

/** A table cell: one line, pipes escaped, cut to `max`. */
export function cell(text: string, max = 120): string {
  const line = text.replace(/\s+/g, ' ').replace(/\|/g, '\\|').trim()
  return line.length > max ? `${line.slice(0, max - 1)}…` : line
}

/** The exit of a command in words: `0`, `1`, `timed out`, `signal SIGKILL`. */
export function exitText(command: CommandRecord): string {
  if (command.timedOut) return 'timed out'
  if (command.exitCode !== null) return String(command.exitCode)
  return command.signal === null ? 'unknown' : `signal ${command.signal}`
}

/** The commands as a markdown table. */
export function commandsTable(commands: readonly CommandRecord[], secrets: readonly string[]): string {
  if (commands.length === 0) return '_No commands were run._'
  const rows = commands.map(
    (command) =>
      `| \`${cell(sanitizeForGitHub(command.command, { maxChars: 500, secrets }), 100).replace(/`/g, "'")}\` | ${exitText(command)} | ${(command.ms / 1000).toFixed(1)} s |`,
  )
  return ['| command | exit code | time |', '|---|---|---|', ...rows].join('\n')
}

/** The trajectory as a numbered list. */
export function trajectoryList(trajectory: readonly TrajectoryStep[], secrets: readonly string[]): string {
  if (trajectory.length === 0) return '_No tool calls._'
  return trajectory
    .map(
      (step, index) =>
        `${index + 1}. \`${step.tool}\` ${cell(sanitizeForGitHub(step.args, { maxChars: 400, secrets }), 160).replace(/`/g, "'")} → ${step.ok ? '' : '**error** '}${cell(sanitizeForGitHub(step.result, { maxChars: 400, secrets }), 160)}`,
    )
    .join('\n')
}

/** The usage line: tokens and cost. */
export function usageLine(tokens: number, costUsd: number): string {
  return `${tokens.toLocaleString('en-US')} tokens, $${costUsd.toFixed(4)}`
}

/** Renders the body. */
export function renderPrBody(input: PrBodyInput): string {
  const summary = sanitizeForGitHub(input.summary, { maxChars: 20_000, secrets: input.secrets }).trim()
  const head = [
    `Closes #${input.bead}`,
    '',
    input.round !== undefined && input.round > 0 ? `_Updated for review round ${input.round}._\n` : '',
    '## Summary',
    '',
    summary === '' ? '_The agent gave no summary._' : summary,
    '',
    '## Commands run',
    '',
    commandsTable(input.commands, input.secrets),
    '',
    `**Usage:** ${usageLine(input.tokens, input.costUsd)} · [worker run](${input.runUrl})`,
    '',
  ]
    .filter((line, index, all) => !(line === '' && all[index - 1] === ''))
    .join('\n')
  const trajectory = trajectoryList(input.trajectory, input.secrets)
  const room = MAX_BODY - head.length - 200
  const steps =
    trajectory.length > room ? `${trajectory.slice(0, Math.max(0, room))}\n\n_(trajectory cut)_` : trajectory
  return `${head}\n<details>\n<summary>Trajectory (${input.trajectory.length} tool calls)</summary>\n\n${steps}\n\n</details>\n`
}
