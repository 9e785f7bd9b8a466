/**
 * Test support for the agent: real temporary git repositories, a tool context over one, and a chat
 * model test double that replays turns written inline in each test.
 */
import { execFileSync } from 'node:child_process'
import { mkdirSync, mkdtempSync, realpathSync, rmSync, writeFileSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import type {
  AssistantMessage,
  ChatModel,
  ChatRequest,
  ChatResponse,
  ToolCall,
} from '../../../src/llm/chat-model.js'
import { buildCommandEnv } from '../../../src/worker/agent/command-env.js'
import { compileCommandPolicy, DEFAULT_COMMAND_DENY } from '../../../src/worker/agent/command-policy.js'
import { DEFAULT_PROTECTED_PATHS } from '../../../src/worker/agent/jail.js'
import type { ToolContext } from '../../../src/worker/agent/tools/tool.js'
import { snapshotWorkspaceGit, type WorkspaceGit } from '../../../src/worker/agent/workspace-git.js'

const created: string[] = []

/** Creates a git repository in the system's temp directory with `files` committed; returns its real path. */
export function makeRepo(files: Record<string, string> = { 'README.md': '# test\n' }): string {
  const dir = realpathSync(mkdtempSync(path.join(os.tmpdir(), 'gastown-agent-')))
  created.push(dir)
  git(dir, 'init', '-q', '-b', 'main')
  git(dir, 'config', 'user.email', 'test@example.invalid')
  git(dir, 'config', 'user.name', 'Test')
  git(dir, 'config', 'commit.gpgsign', 'false')
  for (const [file, content] of Object.entries(files)) writeRepoFile(dir, file, content)
  git(dir, 'add', '-A')
  git(dir, 'commit', '-q', '-m', 'initial')
  return dir
}

/** Makes a plain temporary directory (not a repository), removed with the repositories. */
export function makeTempDir(): string {
  const dir = realpathSync(mkdtempSync(path.join(os.tmpdir(), 'gastown-outside-')))
  created.push(dir)
  return dir
}

/** Writes a file under `dir`, creating its directories. */
export function writeRepoFile(dir: string, file: string, content: string): void {
  mkdirSync(path.dirname(path.join(dir, file)), { recursive: true })
  writeFileSync(path.join(dir, file), content)
}

/** Runs git in `dir` and returns its stdout. */
export function git(dir: string, ...args: string[]): string {
  return execFileSync('git', args, { cwd: dir, encoding: 'utf8' })
}

/** Removes every directory made by makeRepo and makeTempDir; call from afterAll. */
export function removeTempDirs(): void {
  for (const dir of created.splice(0)) rmSync(dir, { recursive: true, force: true })
}

/** A tool context over `workspace` with the defaults the loop uses. */
export function makeToolContext(workspace: string, overrides: Partial<ToolContext> = {}): ToolContext {
  return {
    workspace,
    git: lazyWorkspaceGit(workspace),
    protectedPaths: DEFAULT_PROTECTED_PATHS,
    commandDeny: compileCommandPolicy({ deny: DEFAULT_COMMAND_DENY }),
    commandEnv: buildCommandEnv(process.env),
    commandTimeoutMs: () => 60_000,
    maxCommandOutputBytes: 32 * 1024,
    allowApprove: false,
    now: () => Date.now(),
    ...overrides,
  }
}

/** Git over `workspace` whose snapshot is taken now (as the loop does before any tool runs). */
export function lazyWorkspaceGit(workspace: string): WorkspaceGit {
  const snapshot = snapshotWorkspaceGit(workspace)
  snapshot.catch(() => undefined)
  return { workspace, baseSha: '', run: async (args, options) => (await snapshot).run(args, options) }
}

/** A tool call as a model would send it. */
export function toolCall(name: string, args: unknown, id = `call-${(callCount += 1)}`): ToolCall {
  return { id, name, arguments: typeof args === 'string' ? args : JSON.stringify(args) }
}

let callCount = 0

/** One scripted turn: a reply, or a function of the request that builds one. */
export type Turn =
  | (Partial<Omit<ChatResponse, 'message'>> & { message: AssistantMessage })
  | ((request: ChatRequest) => Partial<Omit<ChatResponse, 'message'>> & { message: AssistantMessage })

/**
 * The chat model test double: answers each request with the next scripted turn, records every
 * request, and fails loudly when the script runs out.
 */
export class ChatModelDouble implements ChatModel {
  readonly name = 'chat-model-double'
  readonly scripted = true
  readonly requests: ChatRequest[] = []
  private next = 0

  constructor(
    private readonly turns: Turn[],
    private readonly perTurn = { promptTokens: 100, completionTokens: 20, costUsd: 0.001 },
  ) {}

  async complete(request: ChatRequest): Promise<ChatResponse> {
    // A snapshot: the loop keeps appending to its own array.
    this.requests.push({ ...request, messages: request.messages.map((message) => ({ ...message })) })
    const turn = this.turns[this.next]
    this.next += 1
    if (turn === undefined) throw new Error(`ChatModelDouble: no turn ${this.next} in the script`)
    const reply = typeof turn === 'function' ? turn(request) : turn
    const { promptTokens, completionTokens, costUsd } = this.perTurn
    return {
      model: this.name,
      usage: { promptTokens, completionTokens, totalTokens: promptTokens + completionTokens },
      costUsd,
      finishReason: (reply.message.toolCalls?.length ?? 0) > 0 ? 'tool_calls' : 'stop',
      ...reply,
    }
  }
}

/** An assistant turn that calls tools. */
export function calls(...toolCalls: ToolCall[]): { message: AssistantMessage } {
  return { message: { role: 'assistant', content: null, toolCalls } }
}

/** An assistant turn with text only. */
export function says(content: string): { message: AssistantMessage } {
  return { message: { role: 'assistant', content } }
}
