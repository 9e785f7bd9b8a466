import { Octokit } from '@octokit/core'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import type { AgentEvent } from '../../../src/worker/agent/agent-loop.js'
import { createActionLogger } from '../../../src/worker/action/action-logger.js'
import { createProgressReporter, progressTag } from '../../../src/worker/action/progress-comment.js'
import { OWNER, REPO, createGoal, startWorkerTown, type Town } from './worker-town.js'

let town: Town

beforeEach(async () => {
  town = await startWorkerTown()
})

afterEach(async () => {
  await town?.close()
})

const usage = { tokens: 100, promptTokens: 80, completionTokens: 20, costUsd: 0.01, modelCalls: 1 }
const toolResult = (tool: string, summary: string): AgentEvent => ({
  type: 'tool_result',
  iteration: 1,
  tool,
  ok: true,
  summary,
  ms: 5,
  usage,
})

/** A reporter for attempt `attempt` of bead `issue`, on the injected clock `now` (5 s between edits). */
function reporterFor(issue: number, attempt: number, now: () => number = () => 0) {
  return createProgressReporter({
    api: new Octokit({ auth: town.emulator.tokenFor(OWNER), baseUrl: town.emulator.apiUrl }),
    repo: { owner: OWNER, repo: REPO },
    bead: issue,
    attempt,
    runUrl: `https://example.test/run/${attempt}`,
    now,
    logger: createActionLogger({ writeLine: () => {}, now, secrets: [] }),
    intervalMs: 5_000,
    secrets: [],
  })
}

/** The comments on issue `issue`, as a person reads them. */
async function commentsOn(issue: number) {
  const { data } = await town.alice.request('GET /repos/{owner}/{repo}/issues/{issue_number}/comments', {
    owner: OWNER,
    repo: REPO,
    issue_number: issue,
  })
  return data
}

describe('progress comment', () => {
  it('edits one comment in place, at most once per interval of the injected clock (the first too), and always at the end', async () => {
    const issue = await createGoal(town, 'A bead', 'x')
    let now = 0
    const reporter = createProgressReporter({
      api: new Octokit({ auth: town.emulator.tokenFor(OWNER), baseUrl: town.emulator.apiUrl }),
      repo: { owner: OWNER, repo: REPO },
      bead: issue,
      attempt: 1,
      runUrl: 'https://example.test/run/1',
      now: () => now,
      logger: createActionLogger({ writeLine: () => {}, now: () => now, secrets: [] }),
      intervalMs: 5_000,
      secrets: ['ghp_notarealtoken0123456789abcdefghijkl'],
    })
    await reporter.phase('Claimed')
    now = 1_000
    reporter.onEvent(toolResult('read_file', 'read README.md'))
    now = 4_999
    reporter.onEvent(toolResult('run_command', 'node --test: exit 0'))
    await reporter.phase('Applying the changes')
    expect(reporter.writes).toBe(0)
    now = 6_000
    reporter.onEvent(toolResult('write_file', 'wrote ghp_notarealtoken0123456789abcdefghijkl to a file'))
    now = 6_500
    reporter.onEvent(toolResult('edit_file', 'edited src/sum.js'))
    await reporter.phase('Done')
    await reporter.flush()
    expect(reporter.writes).toBe(2)

    const { data } = await town.alice.request('GET /repos/{owner}/{repo}/issues/{issue_number}/comments', {
      owner: OWNER,
      repo: REPO,
      issue_number: issue,
    })
    expect(data).toHaveLength(1)
    const body = data[0]!.body!
    expect(body).toContain(progressTag(issue))
    expect(body).toContain('4 tool calls · 1 commands')
    expect(body).toContain('`edit_file` edited src/sum.js')
    expect(body).not.toContain('ghp_notarealtoken')
    expect(body).toContain('**Done**')
    // Attempt 1 is the bead's first run: its comment is created without listing the issue's comments.
    const listed = town.emulator
      .requests()
      .filter((entry) => entry.method === 'GET' && entry.route.endsWith('/issues/{issue_number}/comments'))
    expect(listed).toHaveLength(1) // this test's own read above
  })

  it('leaves no comment when a first attempt ends well within the interval, and always writes a later attempt', async () => {
    const issue = await createGoal(town, 'A bead', 'x')
    let now = 0
    const clock = () => now
    const first = reporterFor(issue, 1, clock)
    await first.phase('Claimed')
    first.onEvent(toolResult('edit_file', 'edited src/sum.js'))
    await first.phase('Done: PR #9 is ready for review')
    await first.flush({ quietIfUnwritten: true })
    expect(first.writes).toBe(0)
    expect(await commentsOn(issue)).toHaveLength(0)

    // A run that wrote while it worked brings its comment to the end, quiet or not.
    const long = reporterFor(issue, 1, clock)
    now = 6_000
    await long.phase('Applying the changes')
    await long.phase('Done: PR #9 is ready for review')
    await long.flush({ quietIfUnwritten: true })
    expect(long.writes).toBe(2)
    expect((await commentsOn(issue))[0]!.body).toContain('**Done: PR #9 is ready for review**')

    // An earlier attempt's comment may say it failed: a later attempt that ended well still says so.
    const second = reporterFor(issue, 2, clock)
    await second.phase('Done: PR #10 is ready for review')
    await second.flush({ quietIfUnwritten: true })
    const after = await commentsOn(issue)
    expect(after).toHaveLength(1)
    expect(after[0]!.body).toContain('PR #10')
  })

  it('finds the comment an earlier attempt wrote and edits it, never a second one', async () => {
    const issue = await createGoal(town, 'A bead', 'x')
    for (const attempt of [1, 2]) {
      const reporter = reporterFor(issue, attempt)
      await reporter.phase(`Done with attempt ${attempt}`)
      await reporter.flush()
    }
    const data = await commentsOn(issue)
    expect(data).toHaveLength(1)
    expect(data[0]!.body).toContain('Done with attempt 2')
  })
})
