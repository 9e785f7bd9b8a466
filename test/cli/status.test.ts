/**
 * `gastown status`: a goal's state read back from the emulator after the real Mayor planned it and a
 * played worker opened a PR, named by URL, owner/name#n or #n in a checkout.
 */
import { execFile } from 'node:child_process'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { parseGoalRef, runStatus, STATUS_USAGE, type GoalStatus } from '../../src/cli/status.js'
import { openGoal, planJson, playWorkerPr, startMayorTown, type MayorTown } from '../mayor/mayor-fixture.js'

const exec = promisify(execFile)
let town: MayorTown
let goal: number
let dir: string

beforeAll(async () => {
  town = await startMayorTown({
    plans: [
      planJson([
        { key: 'schema', role: 'architect' },
        { key: 'api', role: 'developer', deps: ['schema'] },
        { key: 'review', role: 'reviewer', deps: ['api'] },
      ]),
    ],
  })
  goal = await openGoal(town)
  await town.settle()
  const [schema] = await town.beads()
  await playWorkerPr(town, schema!, { 'docs/schema.md': '# Schema\n' })
  await town.settle()
  dir = await mkdtemp(join(tmpdir(), 'gastown-status-'))
  await exec('git', ['init', '-q'], { cwd: dir })
  await exec('git', ['remote', 'add', 'origin', `${town.emulator.gitUrl}/alice/town.git`], { cwd: dir })
})

afterAll(async () => {
  await town?.close()
  if (dir) await rm(dir, { recursive: true, force: true })
})

async function status(argv: string[], cwd = dir) {
  const out: string[] = []
  const err: string[] = []
  const code = await runStatus(argv, {
    cwd,
    env: { GITHUB_TOKEN: town.emulator.tokenFor('rita'), GITHUB_API_URL: town.emulator.apiUrl },
    stdout: (t) => out.push(t),
    stderr: (t) => err.push(t),
  })
  return { code, stdout: out.join(''), stderr: err.join('') }
}

describe('gastown status', () => {
  it('shows each bead with its status, dependencies and pull request, and the totals', async () => {
    const run = await status([`alice/town#${goal}`])
    expect(run.code, run.stderr).toBe(0)
    const [schema, api, review] = await town.beads()
    expect(run.stdout).toContain(`Goal #${goal} "Build a todo API" (open) in alice/town`)
    expect(run.stdout).toContain(
      `| #${schema!.number} | schema | architect | 👀 in_review | 1 | — | #${schema!.pr} open |`,
    )
    expect(run.stdout).toContain(
      `| #${api!.number} | api | developer | ⏳ pending | 0 | #${schema!.number} | — |`,
    )
    expect(run.stdout).toContain(
      `| #${review!.number} | review | reviewer | ⏳ pending | 0 | #${api!.number} | — |`,
    )
    expect(run.stdout).toContain('  b_schema --> b_api')
    expect(run.stdout).toContain('Totals: 3 beads (2 pending, 1 in_review); 0 tokens; $0.0000')
  })

  it('reads the goal from its URL or as #n in a checkout, and answers JSON', async () => {
    const url = `${town.emulator.url}/alice/town/issues/${goal}`
    const byUrl = await status([url, '--json'])
    const byNumber = await status([`#${goal}`, '--json'])
    expect(byUrl.code, byUrl.stderr).toBe(0)
    expect(byNumber.stdout).toBe(byUrl.stdout)
    const parsed = JSON.parse(byUrl.stdout) as GoalStatus
    expect(parsed.goal).toMatchObject({ number: goal, state: 'open' })
    expect(parsed.beads.map((b) => [b.key, b.status, b.pr?.state ?? null])).toEqual([
      ['schema', 'in_review', 'open'],
      ['api', 'pending', null],
      ['review', 'pending', null],
    ])
    expect(parsed.totals).toMatchObject({ beads: 3, byStatus: { pending: 2, in_review: 1 } })
  })

  it('says when an issue is not a goal, and when #n has no repository', async () => {
    const [schema] = await town.beads()
    const notGoal = await status([`alice/town#${schema!.number}`])
    expect(notGoal.code).toBe(1)
    expect(notGoal.stderr).toContain('is not a Gas Town goal (it has no gastown:goal label)')
    const outside = await status(['#1'], tmpdir())
    expect(outside.code).toBe(1)
    expect(outside.stderr).toContain('use owner/name#n')
    const usage = await status([])
    expect(usage.code).toBe(2)
    expect(usage.stderr).toContain(STATUS_USAGE)
  })

  it('parses every way of naming a goal', async () => {
    const origin = async () => ({ owner: 'o', repo: 'r' })
    await expect(parseGoalRef('https://github.com/octo/todo/issues/12')).resolves.toEqual({
      repo: { owner: 'octo', repo: 'todo' },
      number: 12,
    })
    await expect(parseGoalRef('https://ghe.example.com/octo/todo/issues/7#issuecomment-1')).resolves.toEqual({
      repo: { owner: 'octo', repo: 'todo' },
      number: 7,
    })
    await expect(parseGoalRef('octo/todo#3')).resolves.toEqual({
      repo: { owner: 'octo', repo: 'todo' },
      number: 3,
    })
    await expect(parseGoalRef('#4', origin)).resolves.toEqual({ repo: { owner: 'o', repo: 'r' }, number: 4 })
    await expect(parseGoalRef('5', origin)).resolves.toEqual({ repo: { owner: 'o', repo: 'r' }, number: 5 })
    await expect(parseGoalRef('todo')).rejects.toThrow(/does not name a goal/)
  })
})
