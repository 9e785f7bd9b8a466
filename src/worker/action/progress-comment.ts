/**
 * The bead's progress comment: one comment on the bead issue, found by a hidden tag and edited in
 * place as the agent works, at most once per interval of the injected clock, and always at the end.
 * The first write waits an interval too: a run shorter than that writes the comment once, at its end,
 * and none at all when it ended well (its PR or its reviews say what it did). Every edit is a
 * content-creating request, which GitHub limits to 80 a minute and 500 an hour
 * (https://docs.github.com/en/rest/using-the-rest-api/rate-limits-for-the-rest-api#about-secondary-rate-limits),
 * so the interval is a minute: twenty workers editing every few seconds would pass both.
 */
import { formatTag } from '../../core/bead-marker.js'
import { sanitizeForGitHub } from '../../core/sanitize.js'
import type { GitHubApi, RepoRef } from '../../github/client.js'
import { upsertComment, type CommentData } from '../../github/comments.js'
import type { AgentEvent } from '../agent/agent-loop.js'
import type { ActionLogger } from './action-logger.js'
import { cell, usageLine } from './pr-body.js'

/** The hidden tag of a bead's progress comment. */
export function progressTag(bead: number): string {
  return formatTag('worker', { bead })
}

/** What the comment shows. */
export interface ProgressState {
  phase: string
  iteration: number
  tokens: number
  costUsd: number
  steps: { tool: string; ok: boolean; summary: string }[]
  commands: number
  /** Shown under the title until the run ends (commands that run unisolated). */
  warning?: string
}

/** Options of the reporter. */
export interface ProgressOptions {
  api: GitHubApi
  repo: RepoRef
  bead: number
  attempt: number
  runUrl: string
  now: () => number
  logger: ActionLogger
  /** Least time between two edits, in ms of the injected clock. */
  intervalMs?: number
  secrets: readonly string[]
}

const RECENT_STEPS = 8

/** Renders the comment. */
export function renderProgress(
  state: ProgressState,
  options: Pick<ProgressOptions, 'bead' | 'attempt' | 'runUrl' | 'secrets'>,
): string {
  const steps = state.steps
    .slice(-RECENT_STEPS)
    .map(
      (step) =>
        `- ${step.ok ? '✓' : '✗'} \`${step.tool}\` ${cell(sanitizeForGitHub(step.summary, { maxChars: 300, secrets: options.secrets }), 140)}`,
    )
  return [
    `### Gas Town worker: bead #${options.bead}, attempt ${options.attempt}`,
    '',
    ...(state.warning === undefined ? [] : [`> [!WARNING]\n> ${state.warning}`, '']),
    `**${sanitizeForGitHub(state.phase, { maxChars: 1_500, secrets: options.secrets })}**`,
    '',
    `Iteration ${state.iteration} · ${state.steps.length} tool calls · ${state.commands} commands · ${usageLine(state.tokens, state.costUsd)} · [worker run](${options.runUrl})`,
    ...(steps.length > 0 ? ['', 'Recent steps:', '', ...steps] : []),
    '',
    progressTag(options.bead),
  ].join('\n')
}

/** Edits the progress comment as the run goes. */
export interface ProgressReporter {
  /** Sets the headline (claim, applying, done); writes when the interval has passed since the last write. */
  phase(text: string): Promise<void>
  /** Sets a warning shown under the title for the rest of the run, and writes at once. */
  warn(text: string): Promise<void>
  /** Takes an agent event; writes when the interval has passed since the last write. */
  onEvent(event: AgentEvent): void
  /**
   * Writes the final state, waiting for any write in flight; with `quietIfUnwritten`, attempt 1 writes
   * only when its comment exists already (a run that ended well leaves no comment it never needed). A
   * later attempt always writes: an earlier attempt's comment may say it failed.
   */
  flush(options?: { quietIfUnwritten?: boolean }): Promise<void>
  /** Edits made so far. */
  readonly writes: number
}

/** A reporter for one bead; write failures are logged, never thrown into the run. */
export function createProgressReporter(options: ProgressOptions): ProgressReporter {
  const interval = options.intervalMs ?? 60_000
  const state: ProgressState = {
    phase: 'Claimed',
    iteration: 0,
    tokens: 0,
    costUsd: 0,
    steps: [],
    commands: 0,
  }
  const tag = progressTag(options.bead)
  // Attempt 1 is the bead's first claimed run (the claim ref lets one run hold an attempt), so no
  // progress comment can exist yet: it is created without listing the comments first.
  let known: CommentData[] | undefined = options.attempt === 1 ? [] : undefined
  let lastWrite = options.now()
  let chain: Promise<void> = Promise.resolve()
  let writes = 0
  let dirty = false

  const write = (): Promise<void> => {
    dirty = false
    lastWrite = options.now()
    const body = renderProgress(state, options)
    chain = chain.then(async () => {
      try {
        const { comment } = await upsertComment(options.api, options.repo, options.bead, tag, body, {
          ...(known === undefined ? {} : { known }),
        })
        known = [comment]
        writes += 1
      } catch (error) {
        options.logger.warn({ error, bead: options.bead }, 'could not update the progress comment')
      }
    })
    return chain
  }

  return {
    get writes() {
      return writes
    },
    phase(text) {
      state.phase = text
      dirty = true
      return options.now() - lastWrite >= interval ? write() : Promise.resolve()
    },
    warn(text) {
      state.warning = text
      return write()
    },
    onEvent(event) {
      state.tokens = event.usage.tokens
      state.costUsd = event.usage.costUsd
      if (event.type === 'model_call') state.iteration = event.iteration
      if (event.type === 'tool_result') {
        state.steps.push({ tool: event.tool, ok: event.ok, summary: event.summary })
        if (event.tool === 'run_command') state.commands += 1
      }
      if (event.type === 'done') return
      dirty = true
      if (options.now() - lastWrite >= interval) void write()
    },
    async flush(flushOptions = {}) {
      await chain
      const quiet = flushOptions.quietIfUnwritten === true && options.attempt === 1 && writes === 0
      if (dirty && !quiet) await write()
      await chain
    },
  }
}
