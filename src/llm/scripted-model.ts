/**
 * The scripted model: a test double that replays a scenario's turns instead of calling an LLM. It checks
 * that the conversation it is sent follows the script and fails loudly (naming scenario, purpose, round
 * and turn) when the script runs out, is missing, or the conversation goes elsewhere.
 */
import type {
  AssistantMessage,
  ChatMessage,
  ChatModel,
  ChatPurpose,
  ChatRequest,
  ChatResponse,
  ToolCall,
  Usage,
} from './chat-model.js'
import type { Logger } from './logger.js'
import { ModelError } from './model-error.js'
import { costOf, estimateTokens } from './pricing.js'
import type { Scenario, ScriptedConversation, ScriptedTurn, TextCheck, ToolResultCheck } from './scenario.js'
import { realSleep, type Sleep } from './sleep.js'
import { isToolError } from './tool-result.js'

/** What the scripted model needs besides its scenario. */
export interface ScriptedModelOptions {
  /** Required: every scripted model announces itself, so it is never mistaken for an LLM. */
  logger: Logger
  sleep?: Sleep
  /** Tells failed tool results from output, for `tool_error` checks. */
  isToolError?: (content: string) => boolean
}

/** The conversation went somewhere the script does not, or the script is missing or spent. */
export class ScriptMismatchError extends Error {
  override readonly name = 'ScriptMismatchError'
  constructor(
    message: string,
    readonly where: { scenario: string; purpose: string; round?: number; turn?: number },
  ) {
    super(message)
  }
}

/** Replay position for one purpose (plan, or bead key + attempt). */
interface Cursor {
  /** Index of the current conversation among the purpose's scripts. */
  round: number
  /** Index of the next script turn. */
  turn: number
  /** Assistant messages replayed in this round, which the caller's conversation must hold. */
  replayed: number
  /** Ids of the tool calls of the last replayed turn. */
  lastCallIds: string[]
}

/** A ChatModel replaying a scenario. */
export class ScriptedModel implements ChatModel {
  readonly name: string
  readonly scripted = true
  private readonly cursors = new Map<string, Cursor>()
  private readonly sleep: Sleep
  private readonly isToolError: (content: string) => boolean

  constructor(
    private readonly scenario: Scenario,
    options: ScriptedModelOptions,
  ) {
    this.name = `scripted:${scenario.name}`
    this.sleep = options.sleep ?? realSleep
    this.isToolError = options.isToolError ?? isToolError
    options.logger.warn(
      { model: this.name, scenario: scenario.name, source: scenario.source },
      `scripted model: replaying scenario ${scenario.name} — this is a test double, not an LLM`,
    )
  }

  /** Replays the next turn of the script for the request's purpose. */
  async complete(request: ChatRequest): Promise<ChatResponse> {
    const label = describePurpose(request.purpose)
    const scripts = this.scriptsFor(request.purpose, label)
    const cursorKey =
      request.purpose.kind === 'plan' ? 'plan' : `bead:${request.purpose.key}#${request.purpose.attempt}`
    const cursor = this.advance(cursorKey, request.messages, scripts, label)
    const at = {
      scenario: this.scenario.name,
      purpose: label,
      round: cursor.round + 1,
      turn: cursor.turn + 1,
    }
    const where = `scenario "${this.scenario.name}", ${label}, round ${at.round}, turn ${at.turn}`

    const script = scripts[cursor.round]!
    const turn = script.turns[cursor.turn]
    if (turn === undefined) {
      throw new ScriptMismatchError(
        `Scripted model ran out of turns (${where}): round ${at.round} has ${script.turns.length}. ` +
          'Add turns to the scenario, or find out why the agent asked again.',
        at,
      )
    }
    this.checkExpectations(turn, request.messages, cursor, where, at)
    const toolCalls = this.toolCallsOf(turn, cursor, request, where, at)

    // The cursor moves before waiting, so an overlapping call for the same purpose diverges loudly.
    cursor.turn++
    if (turn.fail === undefined) {
      cursor.replayed++
      cursor.lastCallIds = toolCalls.map((c) => c.id)
    }
    if (turn.latency_ms !== undefined && turn.latency_ms > 0)
      await this.sleep(turn.latency_ms, request.signal)

    if (turn.fail !== undefined) {
      const { message, status, retryable } = turn.fail
      throw new ModelError(`Scripted model failure (${where}): ${message}`, {
        kind: 'scripted',
        ...(status === undefined ? {} : { status }),
        endpoint: `scenario:${this.scenario.source}`,
        model: this.name,
        retryable: retryable ?? true,
        attempts: 1,
        serverMessage: message,
      })
    }

    const content = turn.content ?? null
    const message: AssistantMessage =
      toolCalls.length > 0 ? { role: 'assistant', content, toolCalls } : { role: 'assistant', content }
    const usage = turn.usage
      ? {
          promptTokens: turn.usage.prompt_tokens,
          completionTokens: turn.usage.completion_tokens,
          totalTokens: turn.usage.prompt_tokens + turn.usage.completion_tokens,
        }
      : estimateUsage(request, message)
    return {
      message,
      usage,
      costUsd: costOf(usage, this.scenario.pricing),
      model: this.name,
      finishReason: turn.finish_reason ?? (toolCalls.length > 0 ? 'tool_calls' : 'stop'),
    }
  }

  private scriptsFor(purpose: ChatPurpose, label: string): ScriptedConversation[] {
    const fail = (why: string): never => {
      throw new ScriptMismatchError(
        `Scripted model has no script for ${label} in scenario "${this.scenario.name}" (${this.scenario.source}): ${why}.`,
        { scenario: this.scenario.name, purpose: label },
      )
    }
    if (purpose.kind === 'plan') {
      return this.scenario.plan !== undefined && this.scenario.plan.length > 0
        ? this.scenario.plan
        : fail('the scenario has no plan section')
    }
    const beads = this.scenario.beads ?? {}
    if (!Object.hasOwn(beads, purpose.key)) {
      return fail(`it has no bead key "${purpose.key}" (keys: ${Object.keys(beads).join(', ') || 'none'})`)
    }
    const all = beads[purpose.key]!
    const exact = all.filter((c) => c.attempt === purpose.attempt)
    if (exact.length > 0) return exact
    const anyAttempt = all.filter((c) => c.attempt === undefined)
    return anyAttempt.length > 0
      ? anyAttempt
      : fail(
          `bead "${purpose.key}" has conversations only for attempts ${all.map((c) => c.attempt).join(', ')}`,
        )
  }

  /** Finds where this request stands in the script: a new round, or the next turn of the current one. */
  private advance(
    key: string,
    messages: ChatMessage[],
    scripts: ScriptedConversation[],
    label: string,
  ): Cursor {
    const held = messages.filter((m) => m.role === 'assistant').length
    const cursor = this.cursors.get(key)
    const mismatch = (round: number, turn: number, why: string): never => {
      throw new ScriptMismatchError(
        `Scripted model: the conversation diverged from scenario "${this.scenario.name}" (${label}, round ${round}, turn ${turn}): ${why}.`,
        { scenario: this.scenario.name, purpose: label, round, turn },
      )
    }
    // A new conversation starts with no assistant message; after a failed turn the caller's retry does too.
    const retryAfterFailure = cursor !== undefined && cursor.replayed === 0 && cursor.turn > 0
    if (held === 0 && !retryAfterFailure) {
      if (cursor !== undefined) {
        const previous = scripts[cursor.round]!
        if (cursor.turn < previous.turns.length) {
          mismatch(
            cursor.round + 1,
            cursor.turn + 1,
            `a new conversation started, but round ${cursor.round + 1} still has ${previous.turns.length - cursor.turn} unplayed turn(s)`,
          )
        }
      }
      const round = cursor === undefined ? 0 : cursor.round + 1
      if (round >= scripts.length) {
        throw new ScriptMismatchError(
          `Scripted model ran out of conversations (scenario "${this.scenario.name}", ${label}): ` +
            `conversation ${round + 1} started, but the scenario has ${scripts.length}. Add a conversation, or find out why the agent started again.`,
          { scenario: this.scenario.name, purpose: label, round: round + 1, turn: 1 },
        )
      }
      const fresh: Cursor = { round, turn: 0, replayed: 0, lastCallIds: [] }
      this.cursors.set(key, fresh)
      return fresh
    }
    if (cursor === undefined) {
      return mismatch(1, 1, `the request already holds ${held} assistant message(s), but none was replayed`)
    }
    if (held !== cursor.replayed) {
      return mismatch(
        cursor.round + 1,
        cursor.turn + 1,
        `the request holds ${held} assistant message(s), but ${cursor.replayed} were replayed in this round`,
      )
    }
    const lastIndex = messages.findLastIndex((m) => m.role === 'assistant')
    const lastAssistant = messages[lastIndex]
    const sentIds =
      lastAssistant?.role === 'assistant' ? (lastAssistant.toolCalls ?? []).map((c) => c.id) : []
    if (lastAssistant !== undefined && !sameItems(sentIds, cursor.lastCallIds)) {
      return mismatch(
        cursor.round + 1,
        cursor.turn + 1,
        `the last assistant message carries tool calls [${sentIds.join(', ')}], but [${cursor.lastCallIds.join(', ')}] were replayed`,
      )
    }
    const answered = messages.slice(lastIndex + 1).flatMap((m) => (m.role === 'tool' ? [m.toolCallId] : []))
    if (!sameItems(answered, cursor.lastCallIds)) {
      return mismatch(
        cursor.round + 1,
        cursor.turn + 1,
        `the request holds ${answered.length} tool result(s) [${answered.join(', ')}] for the ${cursor.lastCallIds.length} tool call(s) of the previous turn [${cursor.lastCallIds.join(', ')}]`,
      )
    }
    return cursor
  }

  private checkExpectations(
    turn: ScriptedTurn,
    messages: ChatMessage[],
    cursor: Cursor,
    where: string,
    at: ScriptMismatchError['where'],
  ): void {
    const expect = turn.expect
    if (expect === undefined) return
    const fail = (why: string): never => {
      throw new ScriptMismatchError(`Scripted model: the conversation diverged (${where}): ${why}.`, at)
    }
    if (expect.user !== undefined) {
      const user = messages.filter((m) => m.role === 'user').at(-1)
      if (user === undefined) fail('expected a user message, but the request has none')
      const problem = checkText(user!.content, expect.user)
      if (problem !== undefined) fail(`the latest user message ${problem}`)
    }
    if (expect.tool_results !== undefined) {
      const lastAssistantIndex = messages.findLastIndex((m) => m.role === 'assistant')
      const results = new Map(
        messages
          .slice(lastAssistantIndex + 1)
          .flatMap((m) => (m.role === 'tool' ? [[m.toolCallId, m.content] as const] : [])),
      )
      expect.tool_results.forEach((check: ToolResultCheck, index) => {
        const id = cursor.lastCallIds[index]
        const content = id === undefined ? undefined : results.get(id)
        if (content === undefined) {
          return fail(`expected a result for tool call ${index + 1}, but there is none`)
        }
        const problem = checkText(content, check)
        if (problem !== undefined) fail(`tool result ${index + 1} (${id}) ${problem}`)
        if (check.tool_error !== undefined && this.isToolError(content) !== check.tool_error) {
          fail(
            `tool result ${index + 1} (${id}) was expected ${check.tool_error ? 'to be' : 'not to be'} an error: ${excerpt(content)}`,
          )
        }
      })
    }
  }

  private toolCallsOf(
    turn: ScriptedTurn,
    cursor: Cursor,
    request: ChatRequest,
    where: string,
    at: ScriptMismatchError['where'],
  ): ToolCall[] {
    const calls = turn.tool_calls ?? []
    const offered = (request.tools ?? []).map((t) => t.name)
    return calls.map((call, index) => {
      if (!offered.includes(call.name)) {
        throw new ScriptMismatchError(
          `Scripted model: the conversation diverged (${where}): the script calls tool "${call.name}", ` +
            `but the request offers ${offered.length > 0 ? `only ${offered.join(', ')}` : 'no tools'}.`,
          at,
        )
      }
      return {
        id: call.id ?? `call_${cursor.round + 1}_${cursor.turn + 1}_${index + 1}`,
        name: call.name,
        arguments: call.raw_arguments ?? JSON.stringify(call.arguments ?? {}),
      }
    })
  }
}

/** A purpose as people read it in errors. */
function describePurpose(purpose: ChatPurpose): string {
  return purpose.kind === 'plan'
    ? `plan (goal #${purpose.goal})`
    : `bead "${purpose.key}" (#${purpose.bead}, ${purpose.role}) attempt ${purpose.attempt}`
}

/** Why `text` fails `check`, or undefined when it passes. */
function checkText(text: string, check: TextCheck): string | undefined {
  if (check.contains !== undefined && !text.includes(check.contains)) {
    return `was expected to contain ${JSON.stringify(check.contains)}: ${excerpt(text)}`
  }
  if (check.matches !== undefined && !new RegExp(check.matches).test(text)) {
    return `was expected to match /${check.matches}/: ${excerpt(text)}`
  }
  return undefined
}

function excerpt(text: string): string {
  return JSON.stringify(text.length > 300 ? `${text.slice(0, 300)}…` : text)
}

function sameItems(a: string[], b: string[]): boolean {
  const sortedB = [...b].sort()
  return a.length === b.length && [...a].sort().every((item, i) => item === sortedB[i])
}

function estimateUsage(request: ChatRequest, message: AssistantMessage): Usage {
  const prompt = request.messages.map((m) => ('content' in m ? (m.content ?? '') : '')).join('\n')
  const answer = (message.content ?? '') + (message.toolCalls ?? []).map((c) => c.name + c.arguments).join('')
  const promptTokens = estimateTokens(prompt)
  const completionTokens = estimateTokens(answer)
  return { promptTokens, completionTokens, totalTokens: promptTokens + completionTokens }
}
