/**
 * The whole town on the built-in todo-api scenario: the emulator, the real Mayor over Probot, the real
 * bundled action run by the emulator's runner, and the maintainer merging reviewed pull requests. The
 * result is cloned and its tests run, as a user would.
 */
import { execFile } from 'node:child_process'
import { mkdtemp, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { promisify } from 'node:util'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { asksForChanges } from '../../../src/sandbox/maintainer.js'
import { writeReport } from '../../../src/sandbox/report/write-report.js'
import { TownEvents, type TownEvent, type TownSummary } from '../../../src/sandbox/town-events.js'
import { startTown, type Town } from '../../../src/sandbox/town.js'

const run = promisify(execFile)

let town: Town
let summary: TownSummary
const seen: TownEvent[] = []
const dirs: string[] = []

beforeAll(async () => {
  const events = new TownEvents()
  events.onAny((event) => seen.push(event))
  // No key in the environment: the town must choose the scripted model by itself.
  town = await startTown({ env: { PATH: process.env['PATH'] }, workers: 3, events, timeoutMs: 280_000 })
  summary = await town.finished
}, 300_000)

afterAll(async () => {
  await town?.close()
  for (const dir of dirs) await rm(dir, { recursive: true, force: true })
})

describe('the todo-api town', () => {
  it('announces the scripted model before anything else happens', () => {
    const first = seen.find((event) => event.type === 'log')
    expect(first?.type === 'log' && first.message).toMatch(
      /^scripted model: replaying scenario todo-api — a test double, not an LLM/,
    )
    expect(summary.model).toMatchObject({ kind: 'scripted', name: 'todo-api' })
  })

  it('completes every bead and closes the goal', () => {
    expect(summary.ok, JSON.stringify(summary.beads, null, 2)).toBe(true)
    expect(summary.goal).toMatchObject({ number: 1, state: 'closed' })
    expect(summary.beads.map((bead) => [bead.key, bead.role, bead.status])).toEqual([
      ['design', 'architect', 'completed'],
      ['store', 'developer', 'completed'],
      ['review', 'reviewer', 'completed'],
      ['routes', 'developer', 'completed'],
      ['validate', 'developer', 'completed'],
      ['api-tests', 'tester', 'completed'],
      ['docs', 'documenter', 'completed'],
    ])
    expect(seen.at(-1)?.type).toBe('finished')
    expect(town.emulator.violations()).toEqual([])
  })

  it('recovers a failed worker run with a retry that continues its branch', () => {
    const docs = summary.beads.find((bead) => bead.key === 'docs')!
    expect(docs.attempts).toBe(2)
    const runs = summary.runs!.filter((r) => r.bead === docs.number)
    expect(runs.map((r) => [r.attempt, r.conclusion])).toEqual([
      [1, 'failure'],
      [2, 'success'],
    ])
    const statuses = seen.flatMap((event) =>
      event.type === 'bead' && event.bead.key === 'docs' ? [event.bead.status] : [],
    )
    expect(statuses).toContain('failed')
    expect(summary.totals.failedRuns).toBe(1)
  })

  it('runs a review round: changes requested inline on a diff line, fixed by a later attempt, then merged', () => {
    const store = summary.beads.find((bead) => bead.key === 'store')!
    const review = summary.beads.find((bead) => bead.key === 'review')!
    expect(store).toMatchObject({ attempts: 2, pr: 10 })
    expect(review.attempts).toBe(2)
    expect(summary.totals.reviewRounds).toBe(1)
    const state = town.emulator.state
    const pull = state.issue('octo/todo-api', 10)!
    expect(pull.pull?.merged).toBe(true)
    const reviews = [...state.reviews.values()].filter((r) => r.issueId === pull.id)
    // The first review asks for changes; none after it does (the reviewer's second look, the fix's reply).
    expect(reviews.length).toBeGreaterThanOrEqual(2)
    expect(reviews.map((r) => asksForChanges(r))).toEqual([true, ...reviews.slice(1).map(() => false)])
    expect(reviews.some((r) => r.body.includes('The fix is in'))).toBe(true)
    const comments = [...state.reviewComments.values()].filter((c) => c.issueId === pull.id)
    const inline = comments.find((c) => c.inReplyTo === null)!
    expect(inline).toMatchObject({ path: 'src/store.js', line: 20 })
    expect(inline.diffHunk).toContain('const updated = { ...todo, ...changes }')
    // The developer's fix answered the comment in its thread.
    expect(comments.some((c) => c.inReplyTo === inline.id && c.body.includes('copies only'))).toBe(true)
  })

  it('runs the two developer beads that need only the store side by side', () => {
    const [routes, validate] = ['routes', 'validate'].map((key) => summary.beads.find((b) => b.key === key)!)
    const span = (number: number) => {
      const runs = summary.runs!.filter((r) => r.bead === number)
      return [Date.parse(runs[0]!.startedAt!), Date.parse(runs.at(-1)!.endedAt!)] as const
    }
    const [a, b] = [span(routes!.number), span(validate!.number)]
    expect(a[0] < b[1] && b[0] < a[1]).toBe(true)
  })

  it('leaves a default branch whose tests pass: the tester ran them, and they pass in a fresh clone', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'gastown-town-clone-'))
    dirs.push(dir)
    const url = `${town.emulator.gitUrl}/octo/todo-api.git`.replace(
      '://',
      `://x-access-token:${town.maintainer.token}@`,
    )
    await run('git', ['clone', '-q', url, dir])
    const tests = await run(process.execPath, ['--test'], { cwd: dir, env: { PATH: process.env['PATH'] } })
    expect(tests.stdout).toMatch(/# pass 9\b[\s\S]*# fail 0\b/)
    const readme = await readFile(path.join(dir, 'README.md'), 'utf8')
    expect(readme).toContain('| DELETE | /todos/:id |')
    // The tester ran them too: its PR lists the command with exit code 0.
    const testerPr = summary.beads.find((b) => b.key === 'api-tests')!.pr!
    expect(town.emulator.state.issue('octo/todo-api', testerPr)!.body).toContain('| `node --test` | 0 |')
  })

  it('measures the run: makespan above its lower bound, API calls, webhook deliveries', async () => {
    expect(summary.lowerBoundMs).toBeGreaterThan(0)
    expect(summary.makespanMs).toBeGreaterThanOrEqual(summary.lowerBoundMs)
    expect(summary.api.calls).toBe(summary.api.byRoute.reduce((sum, r) => sum + r.count, 0))
    expect(summary.api.calls).toBeLessThanOrEqual(town.emulator.requests().length)
    const routes = new Map(summary.api.byRoute.map((r) => [r.route, r.count]))
    // Workers open their PRs by GraphQL's createPullRequest, which reads the bead in the same request.
    expect(routes.get('POST /repos/{owner}/{repo}/pulls')).toBeUndefined()
    expect(town.emulator.state.issuesOf('octo/todo-api').filter((issue) => issue.pull !== null)).toHaveLength(
      6,
    )
    expect(routes.get('PUT /repos/{owner}/{repo}/pulls/{pull_number}/merge')).toBe(6)
    expect(summary.api.byActor?.['octo']).toBeGreaterThan(0)
    expect(summary.api.perBead).toBeGreaterThan(0)
    expect(summary.webhooks.deliveries).toBeGreaterThan(0)
    expect(summary.webhooks.deliveries).toBeLessThanOrEqual(town.emulator.deliveries().length)
    expect(summary.webhooks.p99Ms).toBeGreaterThanOrEqual(summary.webhooks.p50Ms)
    expect(summary.totals).toMatchObject({ beads: 7, completed: 7, runs: 10, prsMerged: 6 })

    const dir = await mkdtemp(path.join(tmpdir(), 'gastown-town-report-'))
    dirs.push(dir)
    await writeReport(summary, dir)
    const html = await readFile(path.join(dir, 'report.html'), 'utf8')
    expect(html.match(/<svg/g)).toHaveLength(2)
    expect(html).toContain('#3 store')
  })
})
