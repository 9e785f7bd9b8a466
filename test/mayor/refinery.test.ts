/**
 * The Refinery against the emulator: under `merge: auto` the Mayor merges bead PRs in one lane, the PR
 * that unblocks the most first, brings a stale PR up to date, waits on failing checks, and sends a
 * conflicting PR back for rebase attempts until a person must look; under `manual` it says what waits.
 */
import { execFile } from 'node:child_process'
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { promisify } from 'node:util'
import { afterEach, describe, expect, it } from 'vitest'
import type { Bead } from '../../src/core/bead.js'
import { transition } from '../../src/core/bead-status.js'
import {
  comments,
  openGoal,
  planJson,
  playWorkerPr,
  setBead,
  startMayorTown,
  type MayorTown,
} from './mayor-fixture.js'

const run = promisify(execFile)
const repo = { owner: 'alice', repo: 'town' }
let town: MayorTown | undefined

afterEach(async () => {
  await town?.close()
  town = undefined
})

/** A played worker whose PR carries a commit status from the start (set before the bead is in review). */
async function playPrWithStatus(
  t: MayorTown,
  bead: Bead,
  files: Record<string, string>,
  state: 'pending' | 'failure' | 'success',
): Promise<{ pr: number; sha: string }> {
  const dir = await mkdtemp(join(tmpdir(), 'gastown-refinery-'))
  try {
    const token = t.emulator.tokenFor('bob')
    const url = `${t.emulator.gitUrl}/alice/town.git`.replace('://', `://x-access-token:${token}@`)
    const git = (...args: string[]) =>
      run('git', ['-c', 'user.name=worker', '-c', 'user.email=worker@example.com', ...args], { cwd: dir })
    await git('clone', '-q', url, '.')
    const branch = `gastown/${bead.number}-${bead.key}`
    await git('checkout', '-q', '-b', branch)
    for (const [path, content] of Object.entries(files)) {
      await mkdir(dirname(join(dir, path)), { recursive: true })
      await writeFile(join(dir, path), content)
    }
    await git('add', '-A')
    await git('commit', '-q', '-m', `${bead.title}\n\nGastown-Bead: #${bead.number}`)
    await git('push', '-q', 'origin', branch)
    const sha = (await git('rev-parse', 'HEAD')).stdout.trim()
    await t.as('bob').rest.repos.createCommitStatus({ ...repo, sha, state, context: 'ci' })
    const { data } = await t.as('bob').rest.pulls.create({
      ...repo,
      title: bead.title,
      head: branch,
      base: 'main',
      body: `Closes #${bead.number}`,
    })
    await setBead(t, bead.number!, (b) => transition(b, 'in_review', { now: Date.now(), pr: data.number }))
    return { pr: data.number, sha }
  } finally {
    await rm(dir, { recursive: true, force: true })
  }
}

/** The REST routes the Mayor's bot called, as `METHOD template`, in order. */
function mayorCalls(t: MayorTown, pattern: RegExp): string[] {
  return t.emulator
    .requests()
    .filter((entry) => entry.actor === 'gastown[bot]' && pattern.test(`${entry.method} ${entry.route}`))
    .map((entry) => `${entry.method} ${entry.route}`)
}

const progressOf = async (t: MayorTown, goal: number) =>
  (await comments(t, goal)).find((c) => c.includes('gastown:progress'))!

describe('the Refinery (merge: auto)', () => {
  it('merges in critical-path order, one at a time, and updates a clean but stale PR before merging it', async () => {
    town = await startMayorTown({
      config: 'merge: auto\n',
      plans: [
        planJson([
          { key: 'docs', role: 'developer' },
          { key: 'api', role: 'developer' },
          { key: 'tests', role: 'tester', deps: ['api'] },
        ]),
      ],
    })
    const goal = await openGoal(town)
    await town.settle()
    const [docs, api] = await town.beads()
    // Both PRs wait on running checks, so both are in review when the checks pass.
    const docsPr = await playPrWithStatus(town, docs!, { 'docs/guide.md': '# Guide\n' }, 'pending')
    const apiPr = await playPrWithStatus(town, api!, { 'src/api.js': 'export const api = 1\n' }, 'pending')
    await town.settle()
    expect(mayorCalls(town, /\/merge$/)).toEqual([])
    expect(await progressOf(town, goal)).toContain(`the checks of PR #${docsPr.pr} are running: ci`)

    const mainBefore = (await town.emulator.git.resolveRef('alice/town', 'refs/heads/main'))!
    // The tests bead waits on api, so api's PR goes first even though docs' is older.
    await town
      .as('bob')
      .rest.repos.createCommitStatus({ ...repo, sha: apiPr.sha, state: 'success', context: 'ci' })
    await town
      .as('bob')
      .rest.repos.createCommitStatus({ ...repo, sha: docsPr.sha, state: 'success', context: 'ci' })
    await town.as('alice').rest.issues.createComment({ ...repo, issue_number: goal, body: '/gastown status' })
    await town.settle()

    expect(mayorCalls(town, /\/(merge|update-branch)$/)).toEqual([
      'PUT /repos/{owner}/{repo}/pulls/{pull_number}/merge',
      'PUT /repos/{owner}/{repo}/pulls/{pull_number}/update-branch',
      'PUT /repos/{owner}/{repo}/pulls/{pull_number}/merge',
    ])
    const landed = await town.emulator.git.compare('alice/town', mainBefore, 'refs/heads/main')
    expect(landed.commits.map((c) => c.message.split('\n')[0])).toEqual([
      `Do api (#${apiPr.pr})`,
      `Do docs (#${docsPr.pr})`,
    ])
    // The docs PR was brought up to date (a merge of main into its branch) before it merged.
    const docsPull = (await town.as('alice').rest.pulls.get({ ...repo, pull_number: docsPr.pr })).data
    expect(docsPull.head.sha).not.toBe(docsPr.sha)
    const beads = await town.beads()
    expect(beads.slice(0, 2).map((b) => b.status)).toEqual(['completed', 'completed'])
    const main = await town.as('alice').rest.repos.getContent({ ...repo, path: 'docs/guide.md' })
    expect(main.status).toBe(200)
    expect(town.emulator.violations()).toEqual([])
  })

  it('waits on failing checks and says so on the goal, merging nothing', async () => {
    town = await startMayorTown({
      config: 'merge: auto\n',
      plans: [planJson([{ key: 'api', role: 'developer' }])],
    })
    const goal = await openGoal(town)
    await town.settle()
    const [api] = await town.beads()
    const { pr } = await playPrWithStatus(town, api!, { 'src/api.js': 'export const api = 1\n' }, 'failure')
    await town.settle()
    expect(mayorCalls(town, /\/merge$/)).toEqual([])
    const progress = await progressOf(town, goal)
    expect(progress).toContain('Nothing can move without a person')
    expect(progress).toContain(`#${api!.number} 🙋: the checks of PR #${pr} failed: ci`)
  })

  it('sends a conflicting PR back as a rebase attempt, then asks a person naming the conflicting paths', async () => {
    town = await startMayorTown({
      config: 'merge: auto\nmax_attempts: 1\n',
      plans: [
        planJson([
          { key: 'one', role: 'developer' },
          { key: 'two', role: 'developer' },
        ]),
      ],
    })
    const goal = await openGoal(town)
    await town.settle()
    const [one, two] = await town.beads()
    // Both branch from the same main and rewrite the same line; two's checks still run when one lands.
    const { pr } = await playPrWithStatus(
      town,
      two!,
      { 'README.md': '# Town\n\nThe second line.\n' },
      'pending',
    )
    await town.settle()
    await playWorkerPr(town, one!, { 'README.md': '# Town\n\nThe first line.\n' })
    await town.settle()
    expect((await town.beads())[0]!.status).toBe('completed')
    let rebased = (await town.beads())[1]!
    expect(rebased).toMatchObject({ status: 'in_progress', attempt: 2, rebases: 1, rebasing: true, pr })
    expect(await progressOf(town, goal)).toContain('conflicts with main — rebasing')

    // The rebase attempt's worker gives up without resolving: the PR still conflicts.
    await setBead(town, two!.number!, (b) => {
      const next = { ...transition(b, 'in_review', { now: Date.now() }), conflicts: ['README.md'] }
      delete next.rebasing
      return next
    })
    await town.settle()
    rebased = (await town.beads())[1]!
    expect(rebased).toMatchObject({ status: 'in_review', needsHuman: true })
    const onBead = await comments(town, two!.number!)
    expect(onBead.some((c) => c.includes('after 1 rebase attempts') && c.includes('`README.md`'))).toBe(true)
    expect(await progressOf(town, goal)).toContain('`README.md`')
    expect(town.emulator.violations()).toEqual([])
  })
})

describe('the Refinery (merge: manual)', () => {
  it('merges nothing and says on the goal that the PR waits for a person, not just "in review"', async () => {
    town = await startMayorTown({
      config: 'merge: manual\n',
      plans: [planJson([{ key: 'api', role: 'developer' }])],
    })
    const goal = await openGoal(town)
    await town.settle()
    const [api] = await town.beads()
    const pr = await playWorkerPr(town, api!, { 'src/api.js': 'export const api = 1\n' })
    await town.settle()
    expect(mayorCalls(town, /\/(merge|update-branch)$/)).toEqual([])
    const progress = await progressOf(town, goal)
    expect(progress).toContain(`in review — PR #${pr} waits for a person to merge it (merge: manual)`)
    expect(progress).toContain('Why nothing moves')
  })
})
