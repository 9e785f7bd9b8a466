import { existsSync, readFileSync } from 'node:fs'
import path from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { z } from 'zod'
import type { ChatModel, ChatPurpose, ChatRequest } from '../../../src/llm/chat-model.js'
import { type AgentEvent, runAgent, type RunAgentOptions } from '../../../src/worker/agent/agent-loop.js'
import { elisionMarker, estimateConversationTokens } from '../../../src/worker/agent/context-window.js'
import { validateEffects } from '../../../src/worker/agent/effects.js'
import { TOOLS } from '../../../src/worker/agent/tools/index.js'
import { defineTool } from '../../../src/worker/agent/tools/tool.js'
import {
  calls,
  ChatModelDouble,
  makeRepo,
  makeTempDir,
  removeTempDirs,
  says,
  toolCall,
  type Turn,
} from './support.js'

afterAll(removeTempDirs)

const purpose: ChatPurpose = { kind: 'bead', role: 'developer', key: 'api', bead: 12, attempt: 1 }
const CODE_TOOLS = ['read_file', 'write_file', 'edit_file', 'list_files', 'search', 'run_command', 'finish']

/** A clock the test moves by hand. */
function manualClock(start = 1_000_000): { now: () => number; advance: (ms: number) => void } {
  let time = start
  return { now: () => time, advance: (ms) => (time += ms) }
}

function options(
  model: ChatModelDouble,
  workspace: string,
  overrides: Partial<RunAgentOptions> = {},
): RunAgentOptions {
  return {
    model,
    systemPrompt: 'You are a developer.',
    userPrompt: 'Add a sum function with a test.',
    tools: CODE_TOOLS,
    workspace,
    purpose,
    clock: manualClock(),
    ...overrides,
  }
}

/** The content of the tool messages in a request, in order. */
function toolResults(request: ChatRequest | undefined): string[] {
  return (request?.messages ?? []).flatMap((message) => (message.role === 'tool' ? [message.content] : []))
}

/** The last tool result the model saw. */
function lastResult(request: ChatRequest): string {
  return toolResults(request).at(-1) ?? ''
}

describe('runAgent end to end', () => {
  it('writes a file, runs its test, finishes, and reports changes, commands and trajectory', async () => {
    const repo = makeRepo({ 'package.json': '{"name":"t","type":"module"}\n' })
    const model = new ChatModelDouble([
      calls(
        toolCall('write_file', { path: 'src/sum.js', content: 'export const sum = (a, b) => a + b\n' }),
        toolCall('write_file', {
          path: 'test/sum.test.js',
          content:
            "import { sum } from '../src/sum.js'\nif (sum(2, 3) !== 5) { console.error('FAIL'); process.exit(1) }\nconsole.log('ok')\n",
        }),
      ),
      calls(toolCall('run_command', { command: 'node test/sum.test.js' })),
      (request) =>
        lastResult(request).startsWith('exit code 0\nok')
          ? calls(toolCall('finish', { summary: 'Added sum() and a test; node test/sum.test.js passes.' }))
          : says(`the test failed: ${lastResult(request)}`),
    ])
    const outcome = await runAgent(options(model, repo))

    expect(outcome).toMatchObject({
      status: 'finished',
      finishedBy: 'finish_tool',
      summary: 'Added sum() and a test; node test/sum.test.js passes.',
      reviews: [],
      usage: { modelCalls: 3, tokens: 360, promptTokens: 300, completionTokens: 60 },
    })
    expect(outcome.usage.costUsd).toBeCloseTo(0.003)
    expect(outcome.changedFiles).toEqual([
      { path: 'src/sum.js', status: 'added', bytes: 35, kind: 'file' },
      {
        path: 'test/sum.test.js',
        status: 'added',
        bytes: readFileSync(path.join(repo, 'test/sum.test.js')).length,
        kind: 'file',
      },
    ])
    expect(outcome.commands).toEqual([
      expect.objectContaining({
        command: 'node test/sum.test.js',
        exitCode: 0,
        timedOut: false,
        outputTail: 'ok\n',
      }),
    ])
    expect(
      outcome.trajectory.map(({ iteration, tool, ok, result }) => ({ iteration, tool, ok, result })),
    ).toEqual([
      { iteration: 1, tool: 'write_file', ok: true, result: 'created src/sum.js (35 bytes)' },
      {
        iteration: 1,
        tool: 'write_file',
        ok: true,
        result: expect.stringMatching(/^created test\/sum\.test\.js/),
      },
      { iteration: 2, tool: 'run_command', ok: true, result: 'exit code 0' },
      { iteration: 3, tool: 'finish', ok: true, result: 'finished' },
    ])
    expect(outcome.trajectory[0]?.args).toBe(
      '{"path":"src/sum.js","content":"export const sum = (a, b) => a + b\\n"}',
    )
    expect(outcome.trajectory[1]?.args).toMatch(/"content":"<\d+ chars>"/)
    expect(
      validateEffects(outcome, {
        protectedPaths: [],
        maxFiles: 10,
        maxFileBytes: 10_000,
        allowApprove: false,
        ownPrNumbers: [],
      }).ok,
    ).toBe(true)

    // The model got the tool specs, its purpose, and every result answered by tool-call id.
    const [first, second] = model.requests
    expect(first?.purpose).toEqual(purpose)
    expect(first?.tools?.map((tool) => tool.name)).toEqual(CODE_TOOLS)
    expect(first?.messages).toEqual([
      { role: 'system', content: 'You are a developer.' },
      { role: 'user', content: 'Add a sum function with a test.' },
    ])
    const assistant = second?.messages[2]
    const ids = assistant?.role === 'assistant' ? (assistant.toolCalls ?? []).map((call) => call.id) : []
    expect(
      second?.messages
        .slice(3)
        .map((message) => (message.role === 'tool' ? message.toolCallId : message.role)),
    ).toEqual(ids)
  })

  it('runs no call that follows finish in the same turn', async () => {
    const repo = makeRepo()
    const model = new ChatModelDouble([
      calls(
        toolCall('finish', { summary: 'done' }),
        toolCall('write_file', { path: 'late.txt', content: 'x' }),
      ),
    ])
    const outcome = await runAgent(options(model, repo))
    expect(outcome.status).toBe('finished')
    expect(existsSync(path.join(repo, 'late.txt'))).toBe(false)
    expect(outcome.trajectory.map((step) => step.tool)).toEqual(['finish'])
  })

  it('treats a reply without tool calls as finished, with the reply as summary', async () => {
    const outcome = await runAgent(
      options(new ChatModelDouble([says('Nothing to change: sum() already exists.')]), makeRepo()),
    )
    expect(outcome).toMatchObject({
      status: 'finished',
      finishedBy: 'reply',
      summary: 'Nothing to change: sum() already exists.',
    })
  })

  it('nudges once after an empty reply or one cut off at the token limit, and goes on', async () => {
    const model = new ChatModelDouble([
      says(''),
      { ...says('I will now write the whole file: const a ='), finishReason: 'length' },
      calls(toolCall('finish', { summary: 'done' })),
    ])
    const outcome = await runAgent(options(model, makeRepo()))
    expect(outcome).toMatchObject({ status: 'finished', finishedBy: 'finish_tool' })
    expect(model.requests[1]?.messages.at(-1)).toEqual({
      role: 'user',
      content: 'Your reply was empty. Use the tools to go on, or call finish with a summary.',
    })
    expect(model.requests[2]?.messages.at(-1)).toMatchObject({
      role: 'user',
      content: expect.stringMatching(/cut off at the token limit/),
    })
  })

  it('fails, rather than loops, when the model keeps answering nothing', async () => {
    const outcome = await runAgent(options(new ChatModelDouble([says(''), says(''), says('')]), makeRepo()))
    expect(outcome).toMatchObject({
      status: 'failed',
      error: 'the model kept answering without text or a tool call',
    })
  })

  it('ends as failed, keeping what was done, when the model call throws', async () => {
    const repo = makeRepo()
    const model = new ChatModelDouble([calls(toolCall('write_file', { path: 'partial.txt', content: 'x' }))])
    const outcome = await runAgent(options(model, repo))
    expect(outcome).toMatchObject({
      status: 'failed',
      error: 'model call 2 failed: ChatModelDouble: no turn 2 in the script',
      changedFiles: [{ path: 'partial.txt', status: 'added', bytes: 1, kind: 'file' }],
    })
  })
})

describe('runAgent with malformed tool calls', () => {
  it('answers bad JSON, unknown and disallowed tools and wrong arguments with tool errors, and goes on', async () => {
    const repo = makeRepo({ 'a.txt': 'hello\n' })
    const model = new ChatModelDouble([
      calls(
        toolCall('read_file', '{"path": "a.txt"'),
        toolCall('delete_everything', { path: '.' }),
        toolCall('run_command', { command: 'rm -rf .' }),
        toolCall('read_file', { path: 1, extra: true }),
        toolCall('read_file', { path: 'a.txt' }),
      ),
      (request) => calls(toolCall('finish', { summary: `saw ${toolResults(request).length} results` })),
    ])
    const outcome = await runAgent(options(model, repo, { tools: ['read_file'] }))
    expect(outcome).toMatchObject({ status: 'finished', summary: 'saw 5 results' })
    const results = toolResults(model.requests[1])
    expect(results[0]).toMatch(
      /^Error: the arguments of read_file are not valid JSON \(.+\); send one JSON object/,
    )
    expect(results[1]).toBe(
      'Error: there is no tool named "delete_everything"; the tools you have are: read_file, finish',
    )
    expect(results[2]).toBe(
      'Error: the tool run_command is not available in this run; the tools you have are: read_file, finish',
    )
    expect(results[3]).toMatch(
      /^Error: wrong arguments for read_file:\n.*Unrecognized key: "extra".*expected string/s,
    )
    expect(results[4]).toBe('a.txt (lines 1-1 of 1)\n1\thello')
    expect(outcome.trajectory.map((step) => step.ok)).toEqual([false, false, false, false, true, true])
    expect(existsSync(path.join(repo, 'a.txt'))).toBe(true)
  })

  it('shows jail refusals to the model with the reason', async () => {
    const repo = makeRepo()
    const model = new ChatModelDouble([
      calls(
        toolCall('write_file', { path: '.github/workflows/x.yml', content: 'on: push' }),
        toolCall('read_file', { path: '../../etc/passwd' }),
        toolCall('write_file', { path: '.git/config', content: '[core]' }),
      ),
      calls(toolCall('finish', { summary: 'gave up' })),
    ])
    await runAgent(options(model, repo))
    expect(toolResults(model.requests[1])).toEqual([
      'Error: refused: ".github/workflows/x.yml" is a protected path (.github/**); changes there need a person, leave it unchanged',
      'Error: refused: "../../etc/passwd" is outside the workspace; use a path relative to the repository root',
      'Error: refused: ".git/config" is inside .git; the repository\'s metadata is not for the tools',
    ])
  })
})

describe('runAgent budgets', () => {
  const listForever: Turn = () => calls(toolCall('list_files', {}))

  it('stops when the iterations run out, keeping the work so far', async () => {
    const repo = makeRepo()
    const model = new ChatModelDouble([
      calls(toolCall('write_file', { path: 'wip.txt', content: 'half' })),
      listForever,
      listForever,
    ])
    const outcome = await runAgent(options(model, repo, { budgets: { iterations: 2 } }))
    expect(outcome).toMatchObject({
      status: 'budget_exhausted',
      budget: 'iterations',
      usage: { modelCalls: 2 },
      changedFiles: [{ path: 'wip.txt', status: 'added', bytes: 4, kind: 'file' }],
    })
    expect(outcome.summary).toMatch(
      /^The iterations budget ran out \(2 of 2 model calls\) before the agent called finish\./,
    )
  })

  it('defaults to 30 iterations', async () => {
    const model = new ChatModelDouble(Array.from({ length: 31 }, () => listForever))
    const outcome = await runAgent(options(model, makeRepo()))
    expect(outcome).toMatchObject({
      status: 'budget_exhausted',
      budget: 'iterations',
      usage: { modelCalls: 30 },
    })
  })

  it('stops when the tokens run out', async () => {
    const model = new ChatModelDouble(Array.from({ length: 5 }, () => listForever))
    const outcome = await runAgent(options(model, makeRepo(), { budgets: { tokens: 250 } }))
    // 120 tokens a call: 240 after two calls is under 250, 360 after three is not.
    expect(outcome).toMatchObject({
      status: 'budget_exhausted',
      budget: 'tokens',
      usage: { modelCalls: 3, tokens: 360 },
    })
    expect(outcome.summary).toMatch(/360 of 250 tokens/)
  })

  it('stops when the cost runs out', async () => {
    const model = new ChatModelDouble(
      Array.from({ length: 5 }, () => listForever),
      {
        promptTokens: 10,
        completionTokens: 10,
        costUsd: 0.01,
      },
    )
    const outcome = await runAgent(options(model, makeRepo(), { budgets: { costUsd: 0.025 } }))
    expect(outcome).toMatchObject({ status: 'budget_exhausted', budget: 'cost', usage: { modelCalls: 3 } })
    expect(outcome.summary).toMatch(/\$0\.0300 of \$0\.0250/)
  })

  it('stops when the wall time of the injected clock runs out, also between tool calls', async () => {
    const repo = makeRepo()
    const clock = manualClock()
    const slowTurn =
      (calls_: ReturnType<typeof calls>): Turn =>
      () => {
        clock.advance(20_000)
        return calls_
      }
    const model = new ChatModelDouble([
      slowTurn(calls(toolCall('write_file', { path: 'one.txt', content: '1' }))),
      slowTurn(calls(toolCall('write_file', { path: 'two.txt', content: '2' }))),
    ])
    const outcome = await runAgent(options(model, repo, { clock, budgets: { wallTimeMs: 30_000 } }))
    // The second reply arrives at 40 s of 30: its tool call is not run.
    expect(outcome).toMatchObject({
      status: 'budget_exhausted',
      budget: 'wall_time',
      usage: { modelCalls: 2 },
    })
    expect(outcome.changedFiles.map((file) => file.path)).toEqual(['one.txt'])
    expect(outcome.summary).toMatch(/wall time budget ran out \(40 s of 30 s\)/)
  })

  it('aborts a model call that outlasts the wall time', async () => {
    const hanging: ChatModel = {
      name: 'hanging-model-double',
      scripted: true,
      complete: (request) =>
        new Promise((_, reject) =>
          request.signal?.addEventListener('abort', () => reject(request.signal?.reason)),
        ),
    }
    const outcome = await runAgent({
      ...options(new ChatModelDouble([]), makeRepo()),
      model: hanging,
      clock: { now: () => Date.now() },
      budgets: { wallTimeMs: 200 },
    })
    expect(outcome).toMatchObject({
      status: 'budget_exhausted',
      budget: 'wall_time',
      usage: { modelCalls: 0 },
    })
  })

  it('stops a tool call stuck past the wall time, aborting it and keeping the work so far', async () => {
    const repo = makeRepo()
    let aborted = false
    const stuck = defineTool({
      name: 'stuck',
      description: 'Never answers, as a tool blocked on a FIFO or a hung child would.',
      schema: z.strictObject({}),
      run: (_args, context) =>
        new Promise<never>(() => {
          context.signal?.addEventListener('abort', () => (aborted = true))
        }),
    })
    const model = new ChatModelDouble([
      calls(toolCall('write_file', { path: 'kept.txt', content: 'k' })),
      calls(toolCall('stuck', {})),
    ])
    const outcome = await runAgent({
      ...options(model, repo, { clock: { now: () => Date.now() }, budgets: { wallTimeMs: 1_500 } }),
      tools: ['write_file', 'stuck'],
      catalogue: new Map([...TOOLS, ['stuck', stuck]]),
    })
    expect(outcome).toMatchObject({ status: 'budget_exhausted', budget: 'wall_time' })
    expect(outcome.changedFiles.map((file) => file.path)).toEqual(['kept.txt'])
    expect(outcome.trajectory.at(-1)).toMatchObject({ tool: 'stuck', ok: false })
    expect(aborted).toBe(true)
  })

  it('caps a command timeout by the wall time left', async () => {
    const clock = manualClock()
    const model = new ChatModelDouble([
      calls(toolCall('run_command', { command: 'sleep 1000' })),
      calls(toolCall('finish', { summary: 'done' })),
    ])
    const outcome = await runAgent(options(model, makeRepo(), { clock, budgets: { wallTimeMs: 400 } }))
    expect(outcome.commands[0]).toMatchObject({ command: 'sleep 1000', timedOut: true })
  })
})

describe('runAgent context window', () => {
  it('elides old tool outputs so the conversation stays under the window', async () => {
    const big = Array.from({ length: 400 }, (_, index) => `line ${index} ${'x'.repeat(40)}`).join('\n')
    const repo = makeRepo({ 'big.txt': big })
    const read = (): Turn => () => calls(toolCall('read_file', { path: 'big.txt' }))
    const model = new ChatModelDouble([
      read(),
      read(),
      read(),
      read(),
      calls(toolCall('finish', { summary: 'read it' })),
    ])
    const window = 16_000
    const outcome = await runAgent(
      options(model, repo, { contextWindowTokens: window, maxTokensPerTurn: 1_000 }),
    )
    expect(outcome.status).toBe('finished')
    const last = model.requests.at(-1) as ChatRequest
    const results = toolResults(last)
    expect(results).toHaveLength(4)
    expect(results[0]).toMatch(/^\[elided \d+ chars\]$/)
    expect(results.at(-1)).toMatch(/^big\.txt \(lines 1-400 of 400\)/)
    expect(estimateConversationTokens(last.messages)).toBeLessThanOrEqual(window - 1_000)
    expect(results[0]).toBe(elisionMarker((results.at(-1) ?? '').length))
  })
})

describe('runAgent effects and reporting', () => {
  it('records one review per PR, the later one replacing the earlier', async () => {
    const model = new ChatModelDouble([
      calls(toolCall('submit_review', { pr: 7, event: 'COMMENT', body: 'first look' })),
      calls(
        toolCall('submit_review', {
          pr: 7,
          event: 'REQUEST_CHANGES',
          body: 'Handle the empty list.',
          comments: [{ path: 'src/a.ts', line: 3, body: 'throws on []' }],
        }),
        toolCall('submit_review', { pr: 9, event: 'COMMENT', body: 'not mine' }),
      ),
      calls(toolCall('finish', { summary: 'reviewed #7' })),
    ])
    const outcome = await runAgent(
      options(model, makeRepo(), { tools: ['read_file', 'submit_review'], reviewPrNumbers: [7] }),
    )
    expect(outcome.reviews).toEqual([
      {
        pr: 7,
        event: 'REQUEST_CHANGES',
        body: 'Handle the empty list.',
        comments: [{ path: 'src/a.ts', line: 3, body: 'throws on []' }],
      },
    ])
    expect(toolResults(model.requests[2]).at(-1)).toBe(
      'Error: PR #9 is not one this run reviews; the PRs to review are: #7',
    )
  })

  it('reports progress events with the tokens so far, and a failing reporter does not stop the run', async () => {
    const events: AgentEvent[] = []
    const model = new ChatModelDouble([
      calls(toolCall('list_files', {})),
      calls(toolCall('finish', { summary: 'done' })),
    ])
    const outcome = await runAgent(
      options(model, makeRepo(), {
        onProgress: (event) => {
          events.push(event)
          if (event.type === 'tool_call') throw new Error('progress comment failed')
          return Promise.reject(new Error('async failure'))
        },
      }),
    )
    expect(outcome.status).toBe('finished')
    expect(events.map((event) => event.type)).toEqual([
      'model_call',
      'tool_call',
      'tool_result',
      'model_call',
      'tool_call',
      'tool_result',
      'done',
    ])
    expect(events[0]).toMatchObject({
      type: 'model_call',
      iteration: 1,
      toolCalls: 1,
      usage: { tokens: 120 },
    })
    expect(events[2]).toMatchObject({
      type: 'tool_result',
      tool: 'list_files',
      ok: true,
      summary: '1 entries under .',
    })
    expect(events.at(-1)).toMatchObject({
      type: 'done',
      status: 'finished',
      summary: 'done',
      usage: { tokens: 240 },
    })
  })

  it('runs commands with a scrubbed environment, plus the extras it is given', async () => {
    const canary = 'canary-in-the-loop-5b1c'
    process.env.GITHUB_TOKEN = canary
    process.env.OPENAI_API_KEY = canary
    try {
      const model = new ChatModelDouble([
        calls(toolCall('run_command', { command: 'env; cat /proc/self/environ' })),
        calls(toolCall('finish', { summary: 'done' })),
      ])
      const outcome = await runAgent(options(model, makeRepo(), { envExtras: { GASTOWN_BEAD: '12' } }))
      const output = toolResults(model.requests[1])[0] ?? ''
      expect(output).toContain('GASTOWN_BEAD=12')
      expect(output).not.toContain(canary)
      expect(JSON.stringify(outcome)).not.toContain(canary)
    } finally {
      delete process.env.GITHUB_TOKEN
      delete process.env.OPENAI_API_KEY
    }
  })

  it('refuses commands that the policy denies', async () => {
    const model = new ChatModelDouble([
      calls(toolCall('run_command', { command: 'git push origin HEAD' })),
      calls(toolCall('finish', { summary: 'done' })),
    ])
    const outcome = await runAgent(options(model, makeRepo()))
    expect(toolResults(model.requests[1])[0]).toMatch(/^Error: the command policy refuses this command/)
    expect(outcome.commands).toEqual([])
  })

  it('ends as failed when cancelled during a model call', async () => {
    const controller = new AbortController()
    const hanging: ChatModel = {
      name: 'hanging-model-double',
      scripted: true,
      complete: (request) => {
        const aborted = new Promise<never>((_, reject) =>
          request.signal?.addEventListener('abort', () => reject(new Error('aborted by caller'))),
        )
        controller.abort()
        return aborted
      },
    }
    const outcome = await runAgent({
      ...options(new ChatModelDouble([]), makeRepo()),
      model: hanging,
      signal: controller.signal,
    })
    expect(outcome).toMatchObject({ status: 'failed', error: 'aborted' })
  })

  it('ends as failed when cancelled', async () => {
    const controller = new AbortController()
    controller.abort()
    const outcome = await runAgent(
      options(new ChatModelDouble([]), makeRepo(), { signal: controller.signal }),
    )
    expect(outcome).toMatchObject({ status: 'failed', error: 'aborted', usage: { modelCalls: 0 } })
  })
})

describe('runAgent configuration mistakes', () => {
  it('throws for a workspace that is not the root of a git checkout', async () => {
    await expect(runAgent(options(new ChatModelDouble([]), makeTempDir()))).rejects.toThrow(
      /is not the root of a git checkout/,
    )
    const repo = makeRepo({ 'sub/a.txt': 'x' })
    await expect(runAgent(options(new ChatModelDouble([]), path.join(repo, 'sub')))).rejects.toThrow(
      /not the root/,
    )
  })

  it('throws for an unknown tool name and a secret-looking extra', async () => {
    await expect(
      runAgent(options(new ChatModelDouble([]), makeRepo(), { tools: ['read_file', 'sudo'] })),
    ).rejects.toThrow(/unknown tool "sudo"/)
    await expect(
      runAgent(options(new ChatModelDouble([]), makeRepo(), { envExtras: { NPM_TOKEN: 'x' } })),
    ).rejects.toThrow(/refusing to pass NPM_TOKEN/)
  })
})
