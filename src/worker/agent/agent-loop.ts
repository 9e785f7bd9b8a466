/**
 * The agent loop: ask the model, run the tool calls it makes inside the jail, answer with their
 * results, until it calls finish or a budget runs out. Holds no GitHub token and does no GitHub I/O;
 * it returns an AgentOutcome whose effects trusted code validates and applies.
 *
 * A reply with text and no tool call ends the run as finished, with that text as the summary (the
 * seed's worker does the same, and many models end this way); `finishedBy: 'reply'` tells it apart
 * from a finish call. A reply cut off by the token limit, or an empty one, gets one nudge to go on.
 */
import { realpath } from 'node:fs/promises'
import { z } from 'zod'
import type { ChatMessage, ChatModel, ChatPurpose, ToolCall } from '../../llm/chat-model.js'
import { collectChangedFiles } from './changed-files.js'
import { buildCommandEnv } from './command-env.js'
import type { CommandIsolation } from './command-isolation.js'
import { compileCommandPolicy, DEFAULT_COMMAND_DENY, type CommandPolicy } from './command-policy.js'
import { estimateTokens, fitContext } from './context-window.js'
import type { AgentOutcome, BudgetName, CommandRecord, Review, TrajectoryStep } from './effects.js'
import { DEFAULT_PROTECTED_PATHS, JailError } from './jail.js'
import { runTrustedGit } from './trusted-git.js'
import { snapshotWorkspaceGit } from './workspace-git.js'
import { selectTools, toToolSpec, TOOLS } from './tools/index.js'
import { fail, type Tool, type ToolContext, type ToolResult } from './tools/tool.js'

/** Limits of one run; each one left out is unlimited, except iterations (default 30). */
export interface AgentBudgets {
  /** Model calls. */
  iterations?: number
  /** Tokens over all model calls, prompt and completion. */
  tokens?: number
  /** Milliseconds of the injected clock since the run started. */
  wallTimeMs?: number
  costUsd?: number
}

/** A source of milliseconds; injected so that tests control the wall-time budget. */
export interface Clock {
  now(): number
}

/** Tokens and cost spent so far. */
export type AgentUsage = AgentOutcome['usage']

/** What the loop reports while it runs, for the progress comment and the logs. */
export type AgentEvent =
  | { type: 'model_call'; iteration: number; finishReason: string; toolCalls: number; usage: AgentUsage }
  | { type: 'tool_call'; iteration: number; tool: string; args: string; usage: AgentUsage }
  | {
      type: 'tool_result'
      iteration: number
      tool: string
      ok: boolean
      summary: string
      ms: number
      usage: AgentUsage
    }
  | { type: 'done'; status: AgentOutcome['status']; budget?: BudgetName; summary: string; usage: AgentUsage }

/** Everything one run needs; the GitHub token is not among it, by design. */
export interface RunAgentOptions {
  model: ChatModel
  systemPrompt: string
  userPrompt: string
  /** The tools of the role, by name (see tools/index.ts); finish is always added. */
  tools: readonly string[]
  /** The root of a git checkout. */
  workspace: string
  purpose: ChatPurpose
  budgets?: AgentBudgets
  clock: Clock
  /** Globs the file tools may not write; default `.github/**` and `.gitattributes`. */
  protectedPaths?: readonly string[]
  /** Commands refused before they run; default refuses `git push` and `sudo`. */
  commandPolicy?: CommandPolicy
  /** The model's context window in tokens; default 128,000. */
  contextWindowTokens?: number
  /** The most tokens of one reply; also reserved in the context window. */
  maxTokensPerTurn?: number
  /** Called on every event; may be async, its errors and slowness never stop the run. */
  onProgress?: (event: AgentEvent) => void | Promise<void>
  /** Where trusted git keeps its short-lived git directories; default the system's temp directory. */
  tmpRoot?: string
  /** The environment that commands' environment is scrubbed from; default process.env. */
  env?: NodeJS.ProcessEnv
  /** Variables added to commands' environment; a name that looks like a secret throws. */
  envExtras?: Readonly<Record<string, string>>
  /** The longest one command may run; default 10 minutes, and never beyond the wall-time budget. */
  commandTimeoutMs?: number
  /** How commands are isolated from the worker's processes (command-isolation.ts); none when absent. */
  commandIsolation?: CommandIsolation | null
  /** Output of one command kept for the model (head and tail); default 32 KiB. */
  maxCommandOutputBytes?: number
  /** The PRs submit_review may target (reviewer runs). */
  reviewPrNumbers?: readonly number[]
  /** Whether submit_review may APPROVE; default false. */
  allowApprove?: boolean
  /** The tools by name; default the built-in ones (tools/index.ts). */
  catalogue?: ReadonlyMap<string, Tool>
  signal?: AbortSignal
}

const DEFAULT_ITERATIONS = 30
const DEFAULT_CONTEXT_WINDOW = 128_000
const DEFAULT_COMMAND_TIMEOUT_MS = 10 * 60 * 1000
const DEFAULT_COMMAND_OUTPUT_BYTES = 32 * 1024
const ARGS_SUMMARY_CHARS = 200
const WATCHDOG_GRACE_MS = 5_000

/**
 * Runs the agent to an outcome. Never throws for what the model does (bad tool calls, failing
 * commands, a failed model call end up in the outcome); throws only for a configuration mistake:
 * an unknown tool name, an invalid command policy, a workspace that is not a git checkout's root.
 */
export async function runAgent(options: RunAgentOptions): Promise<AgentOutcome> {
  const { clock, model } = options
  const started = clock.now()
  const commandEnv = buildCommandEnv(options.env ?? process.env, options.envExtras)
  const workspace = await checkWorkspace(options.workspace)
  // Before any tool runs: from here on trusted git never reads the workspace's own .git.
  const git = await snapshotWorkspaceGit(workspace, options.tmpRoot)
  const catalogue = options.catalogue ?? TOOLS
  const tools = selectTools(options.tools, catalogue)
  const allowed = new Set(tools.map((tool) => tool.name))
  const specs = tools.map(toToolSpec)
  const budgets = { ...options.budgets, iterations: options.budgets?.iterations ?? DEFAULT_ITERATIONS }
  const commandTimeoutMs = options.commandTimeoutMs ?? DEFAULT_COMMAND_TIMEOUT_MS
  const context: ToolContext = {
    workspace,
    git,
    protectedPaths: options.protectedPaths ?? DEFAULT_PROTECTED_PATHS,
    commandDeny: compileCommandPolicy(options.commandPolicy ?? { deny: DEFAULT_COMMAND_DENY }),
    commandEnv,
    commandIsolation: options.commandIsolation ?? null,
    commandTimeoutMs: () => Math.max(1, Math.min(commandTimeoutMs, wallTimeLeft())),
    maxCommandOutputBytes: options.maxCommandOutputBytes ?? DEFAULT_COMMAND_OUTPUT_BYTES,
    allowApprove: options.allowApprove ?? false,
    now: () => clock.now(),
    ...(options.reviewPrNumbers === undefined ? {} : { reviewPrNumbers: options.reviewPrNumbers }),
    ...(options.signal === undefined ? {} : { signal: options.signal }),
  }
  const window = options.contextWindowTokens ?? DEFAULT_CONTEXT_WINDOW
  const reserve = options.maxTokensPerTurn ?? Math.min(4_096, Math.floor(window / 4))
  const messageBudget = Math.max(1, window - reserve - estimateTokens(JSON.stringify(specs)))

  const usage: AgentUsage = { tokens: 0, promptTokens: 0, completionTokens: 0, costUsd: 0, modelCalls: 0 }
  const trajectory: TrajectoryStep[] = []
  const commands: CommandRecord[] = []
  const reviews = new Map<number, Review>()
  let messages: ChatMessage[] = [
    { role: 'system', content: options.systemPrompt },
    { role: 'user', content: options.userPrompt },
  ]
  let lastText = ''
  let nudges = 0

  const emit = (event: AgentEvent): void => {
    try {
      const pending = options.onProgress?.(event)
      if (pending instanceof Promise) pending.catch(() => undefined)
    } catch {
      // Progress is for people watching; a failing reporter must not end the work.
    }
  }
  const exhausted = (): BudgetName | undefined => {
    if (usage.modelCalls >= budgets.iterations) return 'iterations'
    if (budgets.tokens !== undefined && usage.tokens >= budgets.tokens) return 'tokens'
    if (wallTimeOut()) return 'wall_time'
    if (budgets.costUsd !== undefined && usage.costUsd >= budgets.costUsd) return 'cost'
    return undefined
  }
  const wallTimeLeft = (): number => Math.max(0, (budgets.wallTimeMs ?? Infinity) - (clock.now() - started))
  const wallTimeOut = (): boolean => wallTimeLeft() <= 0

  const end = async (
    ending: Pick<AgentOutcome, 'status' | 'summary'> &
      Partial<Pick<AgentOutcome, 'budget' | 'error' | 'finishedBy'>>,
  ): Promise<AgentOutcome> => {
    let outcome: AgentOutcome = {
      ...ending,
      trajectory,
      commands,
      reviews: [...reviews.values()],
      usage: { ...usage },
      changedFiles: [],
    }
    try {
      outcome.changedFiles = await collectChangedFiles(git)
    } catch (error) {
      outcome = {
        ...outcome,
        status: 'failed',
        error: `${ending.error === undefined ? '' : `${ending.error}; `}${describe(error)}`,
      }
    }
    emit({
      type: 'done',
      status: outcome.status,
      summary: outcome.summary,
      usage: { ...usage },
      ...(outcome.budget === undefined ? {} : { budget: outcome.budget }),
    })
    return outcome
  }
  const budgetEnd = (budget: BudgetName): Promise<AgentOutcome> =>
    end({
      status: 'budget_exhausted',
      budget,
      summary:
        `The ${budget.replace('_', ' ')} budget ran out (${describeBudget(budget, budgets, usage, clock.now() - started)}) ` +
        `before the agent called finish.${lastText === '' ? '' : `\n\nThe model's last words:\n${lastText}`}`,
    })

  try {
    for (;;) {
      if (options.signal?.aborted)
        return await end({ status: 'failed', summary: 'The run was cancelled.', error: 'aborted' })
      const budget = exhausted()
      if (budget !== undefined) return await budgetEnd(budget)

      messages = fitContext(messages, { maxTokens: messageBudget }).messages
      const iteration = usage.modelCalls + 1
      // A slow model call must not outlast the wall-time budget: it is aborted when the time is up.
      const wallTimer = new AbortController()
      const timer =
        budgets.wallTimeMs === undefined
          ? undefined
          : setTimeout(() => wallTimer.abort(new Error('the wall time budget ran out')), wallTimeLeft())
      const signals = [wallTimer.signal, ...(options.signal === undefined ? [] : [options.signal])]
      let response
      try {
        response = await model.complete({
          messages,
          tools: specs,
          purpose: options.purpose,
          ...(options.maxTokensPerTurn === undefined ? {} : { maxTokens: options.maxTokensPerTurn }),
          signal: AbortSignal.any(signals),
        })
      } catch (error) {
        if (wallTimer.signal.aborted) return await budgetEnd('wall_time')
        if (options.signal?.aborted)
          return await end({ status: 'failed', summary: 'The run was cancelled.', error: 'aborted' })
        const message = `model call ${iteration} failed: ${describe(error)}`
        return await end({ status: 'failed', summary: message, error: message })
      } finally {
        clearTimeout(timer)
      }
      usage.modelCalls = iteration
      usage.tokens += response.usage.totalTokens
      usage.promptTokens += response.usage.promptTokens
      usage.completionTokens += response.usage.completionTokens
      usage.costUsd += response.costUsd
      const reply = response.message
      const calls = reply.toolCalls ?? []
      messages.push({
        role: 'assistant',
        content: reply.content,
        ...(calls.length > 0 ? { toolCalls: calls } : {}),
      })
      emit({
        type: 'model_call',
        iteration,
        finishReason: response.finishReason,
        toolCalls: calls.length,
        usage: { ...usage },
      })
      const text = reply.content?.trim() ?? ''
      if (text !== '') lastText = text

      if (calls.length === 0) {
        if (response.finishReason !== 'length' && text !== '') {
          return await end({ status: 'finished', finishedBy: 'reply', summary: text })
        }
        nudges += 1
        if (nudges > 2) {
          const message = 'the model kept answering without text or a tool call'
          return await end({ status: 'failed', summary: message, error: message })
        }
        messages.push({
          role: 'user',
          content:
            response.finishReason === 'length'
              ? 'Your reply was cut off at the token limit. Go on in smaller steps, using the tools; call finish when done.'
              : 'Your reply was empty. Use the tools to go on, or call finish with a summary.',
        })
        continue
      }

      for (const call of calls) {
        if (wallTimeOut()) return await budgetEnd('wall_time')
        const args = summarizeArgs(call)
        emit({ type: 'tool_call', iteration, tool: call.name, args, usage: { ...usage } })
        const before = clock.now()
        const result = await withWatchdog(
          wallTimeLeft,
          budgets.wallTimeMs !== undefined,
          context,
          (bounded) => executeCall(call, allowed, bounded, catalogue),
        )
        if (result === undefined) {
          trajectory.push({
            iteration,
            tool: call.name,
            args,
            ok: false,
            result: 'stopped: the wall time ran out',
            ms: Math.max(0, clock.now() - before),
          })
          return await budgetEnd('wall_time')
        }
        const ms = Math.max(0, clock.now() - before)
        messages.push({ role: 'tool', toolCallId: call.id, content: result.output })
        trajectory.push({ iteration, tool: call.name, args, ok: result.ok, result: result.summary, ms })
        emit({
          type: 'tool_result',
          iteration,
          tool: call.name,
          ok: result.ok,
          summary: result.summary,
          ms,
          usage: { ...usage },
        })
        const effect = result.effect
        if (effect?.kind === 'command') commands.push(effect.record)
        if (effect?.kind === 'review') reviews.set(effect.review.pr, effect.review)
        // Calls after finish in the same turn are not run: finish means the work is done.
        if (effect?.kind === 'finish')
          return await end({ status: 'finished', finishedBy: 'finish_tool', summary: effect.summary })
      }
    }
  } catch (error) {
    const message = `the agent loop stopped on an unexpected error: ${describe(error)}`
    return await end({ status: 'failed', summary: message, error: message })
  }
}

/**
 * Runs one tool call; every problem with the call (unknown or disallowed tool, bad JSON, wrong
 * arguments, a refused path, a thrown error) becomes a tool error for the model to read and fix.
 */
async function executeCall(
  call: ToolCall,
  allowed: ReadonlySet<string>,
  context: ToolContext,
  catalogue: ReadonlyMap<string, Tool>,
): Promise<ToolResult> {
  const tool = catalogue.get(call.name)
  const available = [...allowed].join(', ')
  if (tool === undefined)
    return fail(`there is no tool named ${JSON.stringify(call.name)}; the tools you have are: ${available}`)
  if (!allowed.has(call.name))
    return fail(`the tool ${call.name} is not available in this run; the tools you have are: ${available}`)
  let raw: unknown
  try {
    raw = JSON.parse(call.arguments.trim() === '' ? '{}' : call.arguments)
  } catch (error) {
    return fail(
      `the arguments of ${call.name} are not valid JSON (${describe(error)}); send one JSON object that matches the tool's parameters`,
    )
  }
  const parsed = tool.schema.safeParse(raw)
  if (!parsed.success) return fail(`wrong arguments for ${call.name}:\n${z.prettifyError(parsed.error)}`)
  try {
    return await tool.run(parsed.data, context)
  } catch (error) {
    // A refusal already says what happened and what to do; anything else gets the tool's name.
    return fail(error instanceof JailError ? error.message : `${call.name} failed: ${describe(error)}`)
  }
}

/**
 * Runs one tool call under the wall-time budget: when the time left runs out first, the call's signal
 * is aborted (a command is killed) and undefined is answered at once, so a tool stuck on something
 * (a FIFO, a hung child, a slow file system) ends the run with the work so far instead of hanging it
 * until the job's timeout. Without a wall-time budget the call runs to its end. The watchdog waits a
 * grace period past the budget, so a command stopped by its own timeout (capped by the wall time left)
 * still reports what it printed.
 */
async function withWatchdog(
  timeLeft: () => number,
  bounded: boolean,
  context: ToolContext,
  run: (context: ToolContext) => Promise<ToolResult>,
): Promise<ToolResult | undefined> {
  if (!bounded) return run(context)
  const stop = new AbortController()
  const signal = context.signal === undefined ? stop.signal : AbortSignal.any([stop.signal, context.signal])
  let timer: NodeJS.Timeout | undefined
  const expired = new Promise<undefined>((resolve) => {
    timer = setTimeout(() => {
      stop.abort(new Error('the wall time budget ran out'))
      resolve(undefined)
    }, timeLeft() + WATCHDOG_GRACE_MS)
  })
  const call = run({ ...context, signal })
  // The call may still settle after the watchdog fired; nobody waits for it then.
  call.catch(() => undefined)
  try {
    return await Promise.race([call, expired])
  } finally {
    clearTimeout(timer)
  }
}

/** A short, single-line view of a call's arguments: long strings (file contents) show their length. */
export function summarizeArgs(call: ToolCall): string {
  let value: unknown
  try {
    value = JSON.parse(call.arguments)
  } catch {
    return cut(`(invalid JSON) ${call.arguments}`.replace(/\s+/g, ' '), ARGS_SUMMARY_CHARS)
  }
  const shorten = (item: unknown): unknown => {
    if (typeof item === 'string') return item.length > 80 ? `<${item.length} chars>` : item
    if (Array.isArray(item)) return item.length > 5 ? `<${item.length} items>` : item.map(shorten)
    if (item !== null && typeof item === 'object') {
      return Object.fromEntries(Object.entries(item).map(([key, inner]) => [key, shorten(inner)]))
    }
    return item
  }
  return cut(JSON.stringify(shorten(value)) ?? '', ARGS_SUMMARY_CHARS)
}

async function checkWorkspace(workspace: string): Promise<string> {
  let real: string
  try {
    real = await realpath(workspace)
  } catch (error) {
    throw new Error(`the workspace ${workspace} does not exist; check out the repository first`, {
      cause: error,
    })
  }
  const result = await runTrustedGit(real, ['rev-parse', '--show-toplevel'])
  const top = result.code === 0 ? await realpath(result.stdout.toString('utf8').trim()) : undefined
  if (top !== real) {
    throw new Error(
      `the workspace ${workspace} is not the root of a git checkout; give the checkout's top directory`,
    )
  }
  return real
}

function describeBudget(
  budget: BudgetName,
  budgets: AgentBudgets,
  usage: AgentUsage,
  elapsedMs: number,
): string {
  switch (budget) {
    case 'iterations':
      return `${usage.modelCalls} of ${budgets.iterations} model calls`
    case 'tokens':
      return `${usage.tokens} of ${budgets.tokens} tokens`
    case 'wall_time':
      return `${Math.round(elapsedMs / 1000)} s of ${Math.round((budgets.wallTimeMs ?? 0) / 1000)} s`
    case 'cost':
      return `$${usage.costUsd.toFixed(4)} of $${(budgets.costUsd ?? 0).toFixed(4)}`
  }
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error)
}

function cut(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max - 3)}...` : text
}
