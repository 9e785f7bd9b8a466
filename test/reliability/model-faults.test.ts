/**
 * The planner's model failing under the Mayor: the real OpenAI-compatible client against a local
 * Chat Completions server that answers 429, 5xx, or nothing. Passing trouble is retried and the goal is
 * planned; lasting trouble leaves one clear comment on the goal, creates nothing, and never shows the key.
 * (The client's own retry rules, one by one, are in test/llm/openai-model.test.ts.)
 */
import { afterEach, describe, expect, it } from 'vitest'
import { OpenAICompatibleModel } from '../../src/llm/openai-model.js'
import { planJson } from '../mayor/mayor-fixture.js'
import {
  apiError,
  completion,
  startChatCompletionsServer,
  type ChatCompletionsServer,
} from '../support/chat-completions-server.js'
import {
  OWNER,
  REPO,
  allIssues,
  commentsOn,
  openGoal,
  startChaosTown,
  type ChaosTown,
} from './support/town.js'

const CANARY_KEY = 'sk-canary-planner-key-0123456789XYZ'
const PLAN = planJson([
  { key: 'api', role: 'developer' },
  { key: 'tests', role: 'tester', deps: ['api'] },
])

let town: ChaosTown | undefined
let server: ChatCompletionsServer | undefined

afterEach(async () => {
  await town?.close()
  await server?.close()
  town = undefined
  server = undefined
})

/** The real client pointed at the local server, with short waits so a test takes seconds. */
function plannerModel(endpoint: ChatCompletionsServer): OpenAICompatibleModel {
  return new OpenAICompatibleModel({
    apiKey: CANARY_KEY,
    model: 'planner-test-model',
    baseUrl: endpoint.baseUrl,
    timeoutMs: 300,
    retry: { maxRetries: 2, baseDelayMs: 10, maxDelayMs: 50 },
  })
}

/** Nothing of the key anywhere the Mayor wrote: request bodies to GitHub, and every stored text. */
function expectNoKey(t: ChaosTown): void {
  for (const request of t.sent) expect(request.body).not.toContain(CANARY_KEY)
  const { issues, comments } = t.emulator.state
  const stored = [
    ...[...issues.values()].flatMap((issue) => [issue.title, issue.body ?? '']),
    ...[...comments.values()].map((comment) => comment.body),
  ].join('\n')
  expect(stored).not.toContain(CANARY_KEY)
  expect(stored).not.toContain('canary-planner')
}

describe('the planner model failing', () => {
  it('retries a 429 and a 5xx and then plans the goal', async () => {
    server = await startChatCompletionsServer()
    server.enqueue(
      apiError(429, 'Rate limit reached', { 'retry-after-ms': '20' }),
      apiError(502, 'bad gateway'),
      completion({ content: PLAN }),
    )
    town = await startChaosTown({ plans: [], planner: plannerModel(server) })
    await openGoal(town)
    await town.settle()
    expect(server.requests).toHaveLength(3)
    expect((await town.beads()).map((b) => b.key)).toEqual(['api', 'tests'])
    expectNoKey(town)
  })

  it.each([
    {
      name: 'answers 5xx every time',
      answers: () => [apiError(503, 'overloaded'), apiError(503, 'overloaded'), apiError(503, 'overloaded')],
      says: /503[\s\S]*gave up after 3 tries|gave up after 3 tries[\s\S]*503/,
    },
    {
      name: 'answers 429 every time',
      answers: () => [
        apiError(429, 'quota', { 'retry-after-ms': '10' }),
        apiError(429, 'quota', { 'retry-after-ms': '10' }),
        apiError(429, 'quota', { 'retry-after-ms': '10' }),
      ],
      says: /429|rate/i,
    },
    {
      name: 'never answers',
      answers: () => [
        { hang: 'before-headers' as const },
        { hang: 'before-headers' as const },
        { hang: 'before-headers' as const },
      ],
      says: /timed out after 300 ms/,
    },
  ])('leaves one clear comment and creates nothing when the model $name', async ({ answers, says }) => {
    server = await startChatCompletionsServer()
    server.enqueue(...answers())
    town = await startChaosTown({ plans: [], planner: plannerModel(server) })
    const goal = await openGoal(town)
    await town.settle()

    expect(server.requests).toHaveLength(3)
    const said = await commentsOn(town, goal)
    expect(said).toHaveLength(1)
    expect(said[0]).toContain('Planning failed')
    expect(said[0]).toMatch(says)
    expect(said[0]).toContain('/gastown replan')
    expect((await allIssues(town)).map((i) => i.number)).toEqual([goal])
    expect(town.emulator.runner.list(`${OWNER}/${REPO}`)).toEqual([])
    expectNoKey(town)
  })
})
