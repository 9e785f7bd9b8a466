/**
 * `gastown sandbox --json --report-dir`: the real CLI process runs the wide scenario to the end, prints
 * the summary as JSON and nothing else on stdout, and writes report.json, report.md and report.html.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import type { TownSummary } from '../../src/sandbox/town-events.js'
import { startCli, type CliProcess } from './cli-process.js'

const dirs: string[] = []
let cli: CliProcess | undefined

afterAll(async () => {
  if (cli && cli.child.exitCode === null) cli.child.kill('SIGKILL')
  for (const dir of dirs) await rm(dir, { recursive: true, force: true })
})

describe('gastown sandbox --json', () => {
  it('runs the wide scenario and answers its summary as JSON, with the report files written', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'gastown-json-'))
    dirs.push(dir)
    cli = startCli(['sandbox', '--scenario', 'wide', '--workers', '4', '--json', '--report-dir', dir])
    const exit = await cli.exited
    expect(exit, cli.stderr()).toEqual({ code: 0, signal: null })

    // stdout is the JSON document alone; the progress lines went to stderr.
    const summary = JSON.parse(cli.stdout()) as TownSummary
    expect(cli.stderr()).toContain('scripted model: replaying scenario wide — a test double, not an LLM')
    expect(summary).toMatchObject({
      ok: true,
      repo: 'octo/todo-api',
      workers: 4,
      model: { kind: 'scripted', name: 'wide' },
      goal: { state: 'closed' },
      totals: { beads: 12, completed: 12, prsMerged: 12, failedRuns: 0 },
      reportDir: dir,
    })
    for (const bead of summary.beads) {
      expect(bead).toMatchObject({ role: 'developer', status: 'completed', attempts: 1, dependencies: [] })
      expect(bead.pr).toBeGreaterThan(13)
      expect(Date.parse(bead.endedAt!)).toBeGreaterThan(Date.parse(bead.startedAt!))
      expect(bead.tokens).toBeGreaterThan(0)
    }
    // Independent beads on four workers: more than one run at a time, never more than four.
    const edges = summary.runs!.flatMap((run) => [
      { at: Date.parse(run.startedAt!), d: 1 },
      { at: Date.parse(run.endedAt!), d: -1 },
    ])
    edges.sort((a, b) => a.at - b.at || a.d - b.d)
    let running = 0
    let most = 0
    for (const edge of edges) most = Math.max(most, (running += edge.d))
    expect(most).toBeGreaterThan(1)
    expect(most).toBeLessThanOrEqual(4)
    expect(summary.makespanMs).toBeGreaterThanOrEqual(summary.lowerBoundMs)
    // Each of the 12 PRs was opened by GraphQL (createPullRequest), none by REST.
    expect(summary.api.byRoute.find((r) => r.route === 'POST /repos/{owner}/{repo}/pulls')).toBeUndefined()
    expect(summary.webhooks.deliveries).toBeGreaterThan(0)

    const report = JSON.parse(await readFile(path.join(dir, 'report.json'), 'utf8')) as TownSummary
    expect(report.beads).toEqual(summary.beads)
    expect(report.lowerBoundMs).toBe(summary.lowerBoundMs)
    const markdown = await readFile(path.join(dir, 'report.md'), 'utf8')
    expect(markdown).toContain('```mermaid')
    expect(markdown).toContain('| makespan |')
    const html = await readFile(path.join(dir, 'report.html'), 'utf8')
    expect(html).toMatch(/^<!doctype html>/)
    expect(html.match(/<svg/g)).toHaveLength(2)
    expect(html).not.toMatch(/<script|<link|src="http/)
  }, 240_000)
})
