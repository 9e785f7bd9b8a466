/**
 * Chaos: a 20-bead goal run to the end while the Mayor is killed and replaced at random moments, worker
 * runs are killed at random, and GitHub answers 5xx, secondary rate limits and creates that answer 500
 * after they were applied. Workers are played (trivial workflow runs, then a branch and a PR over git and
 * the API, as the worker action does). Every seed must end the same way: each bead completed once, one
 * merged PR per bead, no branch without its PR, the goal closed.
 */
import { execFile } from 'node:child_process'
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { promisify } from 'node:util'
import type { Octokit } from '@octokit/rest'
import { afterEach, describe, expect, it } from 'vitest'
import type { Bead } from '../../src/core/bead.js'
import { decodeBead, encodeBead } from '../../src/core/bead-codec.js'
import { transition } from '../../src/core/bead-status.js'
import { planJson } from '../mayor/mayor-fixture.js'
import {
  OWNER,
  REPO,
  allIssues,
  commentsOn,
  openGoal,
  startChaosTown,
  type ChaosTown,
} from './support/town.js'

const run = promisify(execFile)
const SEEDS = [1, 2, 3]
const ROUND_LIMIT = 80

/** Mulberry32: the test's own choices, reproducible from the seed. */
function seeded(seed: number): () => number {
  let state = seed >>> 0
  return () => {
    state = (state + 0x6d2b79f5) >>> 0
    let t = state
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296
  }
}

/** Twenty code beads in four layers, each depending on one or two of the layer before. */
function twentyBeads(): string {
  const roles = ['developer', 'architect', 'tester', 'documenter', 'devops']
  const layers = [4, 6, 6, 4]
  const beads: { key: string; role: string; deps: string[] }[] = []
  layers.forEach((size, layer) => {
    for (let i = 0; i < size; i++) {
      const previous = beads.filter((b) => b.key.startsWith(`l${layer - 1}-`))
      const deps =
        layer === 0
          ? []
          : [
              ...new Set([previous[i % previous.length]!.key, previous[(i + 1) % previous.length]!.key]),
            ].slice(0, 1 + (i % 2))
      beads.push({ key: `l${layer}-${i}`, role: roles[(layer + i) % roles.length]!, deps })
    }
  })
  return planJson(beads)
}

/** Plays a worker's report for a bead: branch, commit and PR, then the marker moved to in_review. */
async function playPr(town: ChaosTown, client: Octokit, bead: Bead): Promise<number> {
  const dir = await mkdtemp(join(tmpdir(), 'gastown-chaos-'))
  try {
    const token = town.emulator.tokenFor('bob')
    const url = `${town.emulator.gitUrl}/${OWNER}/${REPO}.git`.replace('://', `://x-access-token:${token}@`)
    const git = (...args: string[]) =>
      run('git', ['-c', 'user.name=worker', '-c', 'user.email=worker@example.com', ...args], { cwd: dir })
    await git('clone', '-q', url, '.')
    const branch = `gastown/${bead.number}-${bead.key}`
    await git('checkout', '-q', '-b', branch)
    const path = `work/${bead.key}.md`
    await mkdir(dirname(join(dir, path)), { recursive: true })
    await writeFile(join(dir, path), `# ${bead.key}\n`)
    await git('add', '-A')
    await git('commit', '-q', '-m', `${bead.title}\n\nGastown-Bead: #${bead.number}`)
    await git('push', '-q', 'origin', branch)
    const { data: pr } = await client.rest.pulls.create({
      owner: OWNER,
      repo: REPO,
      title: bead.title,
      head: branch,
      base: 'main',
      body: `Closes #${bead.number}\n\nDone by a played worker.`,
    })
    const { data: issue } = await client.rest.issues.get({
      owner: OWNER,
      repo: REPO,
      issue_number: bead.number!,
    })
    const decoded = decodeBead(issue as Parameters<typeof decodeBead>[0])
    if (!decoded.ok) throw new Error(decoded.error.message)
    const encoded = encodeBead(transition(decoded.bead, 'in_review', { now: Date.now(), pr: pr.number }))
    await client.rest.issues.update({
      owner: OWNER,
      repo: REPO,
      issue_number: bead.number!,
      body: encoded.body,
      labels: encoded.labels,
    })
    return pr.number
  } finally {
    await rm(dir, { recursive: true, force: true })
  }
}

let town: ChaosTown | undefined

afterEach(async () => {
  await town?.close()
  town = undefined
})

describe('chaos', () => {
  it.each(SEEDS)(
    'seed %i: every bead completed once, one merged PR each, no orphan branch, the goal closed',
    async (seed) => {
      const random = seeded(seed)
      town = await startChaosTown({
        plans: [twentyBeads()],
        planRepeats: 20,
        config: 'max_workers: 4\nmax_attempts: 20\nretry: { base_delay_seconds: 0, max_delay_seconds: 0 }\n',
        emulator: { seed },
      })
      const bob = town.as('bob')
      const alice = town.as(OWNER)
      const goal = await openGoal(town)

      // GitHub's trouble, at random from the emulator's seed, on the Mayor's reads and writes.
      const faults = town.emulator.faults
      for (const route of [
        'GET /repos/{owner}/{repo}/issues',
        'GET /repos/{owner}/{repo}/issues/{issue_number}',
        'PATCH /repos/{owner}/{repo}/issues/{issue_number}',
        'POST /repos/{owner}/{repo}/issues/{issue_number}/sub_issues',
        'POST /graphql:createIssue',
        'POST /repos/{owner}/{repo}/actions/workflows/{workflow_id}/dispatches',
        'GET /repos/{owner}/{repo}/actions/runs/{run_id}',
      ]) {
        faults.add({ kind: 'status', status: 502, route, probability: 0.04 })
      }
      for (const route of [
        'POST /graphql:createIssue',
        'POST /repos/{owner}/{repo}/issues/{issue_number}/comments',
        'POST /repos/{owner}/{repo}/actions/workflows/{workflow_id}/dispatches',
      ]) {
        faults.add({ kind: 'secondary-rate-limit', route, retryAfter: 0, probability: 0.05 })
      }
      // Only the Mayor creates issues once the goal is open: a create applied and answered 500.
      faults.add({ kind: 'applied-then-500', route: 'POST /graphql:createIssue', probability: 0.15 })
      faults.add({
        kind: 'applied-then-500',
        route: 'POST /repos/{owner}/{repo}/issues/{issue_number}/comments',
        probability: 0.1,
      })
      // A fifth of the worker runs are killed once they are in progress.
      faults.add({ kind: 'kill-run', probability: 0.2 })

      const played = new Map<number, number>()
      let mayorKills = 0
      let rounds = 0
      for (; rounds < ROUND_LIMIT; rounds++) {
        // The Mayor dies after a random number of its requests in this round, or not at all.
        let killed: Promise<void> | undefined
        if (random() < 0.3) {
          let left = 1 + Math.floor(random() * 25)
          town.onRequest = () => {
            left -= 1
            if (left === 0 && !killed) killed = town!.killMayor()
          }
        }
        // The played workers report and people merge, as the runs finish.
        const beads = await town.beads()
        for (const bead of beads) {
          if (bead.status === 'in_progress' && !played.has(bead.number!) && bead.assignedTo !== undefined) {
            const done = town.emulator.runner.get(Number(bead.assignedTo))
            if (done?.conclusion === 'success') played.set(bead.number!, await playPr(town, bob, bead))
          } else if (bead.status === 'in_review' && bead.pr !== undefined) {
            const { data: pull } = await alice.rest.pulls.get({
              owner: OWNER,
              repo: REPO,
              pull_number: bead.pr,
            })
            if (pull.state === 'open') {
              await alice.rest.pulls.merge({ owner: OWNER, repo: REPO, pull_number: bead.pr })
            }
          }
        }

        await town.settle()
        town.onRequest = undefined
        if (killed) {
          await killed
          mayorKills += 1
          await town.startMayor()
          await town.settle()
        }
        const { data: goalIssue } = await alice.rest.issues.get({
          owner: OWNER,
          repo: REPO,
          issue_number: goal,
        })
        if (goalIssue.state === 'closed') break
      }

      faults.clear()
      const beads = await town.beads()
      const injected = faults.injected()
      const count = (kind: string) => injected.filter((f) => f.kind === kind).length
      const summary = `seed ${seed}: ${rounds} rounds, ${mayorKills} Mayor kills, ${count('kill-run')} runs killed, ${count('status')} 5xx, ${count('secondary-rate-limit')} secondary limits, ${count('applied-then-500')} applied-then-500`
      expect(
        beads.map((b) => [b.key, b.status]).filter(([, s]) => s !== 'completed'),
        summary,
      ).toEqual([])
      const keys = beads.map((b) => b.key)
      expect(keys.length, summary).toBe(20)
      expect(new Set(keys).size, summary).toBe(20)
      // No stray issue: the goal and its twenty beads, every bead closed as completed.
      const issues = await allIssues(town)
      expect(issues.length, summary).toBe(21)
      for (const issue of issues.filter((i) => i.number !== goal)) {
        expect([issue.state, issue.state_reason], summary).toEqual(['closed', 'completed'])
      }
      const { data: goalIssue } = await alice.rest.issues.get({
        owner: OWNER,
        repo: REPO,
        issue_number: goal,
      })
      expect([goalIssue.state, goalIssue.state_reason], summary).toEqual(['closed', 'completed'])

      // One merged PR per bead, and every gastown branch is the head of one of them.
      const pulls = await alice.paginate(alice.rest.pulls.list, {
        owner: OWNER,
        repo: REPO,
        state: 'all',
        per_page: 100,
      })
      expect(pulls.length, summary).toBe(20)
      expect(
        pulls.every((p) => p.merged_at !== null),
        summary,
      ).toBe(true)
      const closes = pulls.map((p) => Number(/Closes #(\d+)/.exec(p.body ?? '')?.[1])).sort((a, b) => a - b)
      expect(closes, summary).toEqual(beads.map((b) => b.number).sort((a, b) => a! - b!))
      const refs = await alice.paginate(alice.rest.git.listMatchingRefs, {
        owner: OWNER,
        repo: REPO,
        ref: 'heads/gastown/',
        per_page: 100,
      })
      const heads = new Set(pulls.map((p) => `refs/heads/${p.head.ref}`))
      expect(
        refs.map((r) => r.ref).filter((ref) => !heads.has(ref)),
        summary,
      ).toEqual([])

      // The goal's own comments: one plan, one progress comment, one summary.
      const said = await commentsOn(town, goal)
      expect(said.filter((c) => c.includes('gastown:plan ')).length, summary).toBe(1)
      expect(said.filter((c) => c.includes('gastown:progress')).length, summary).toBe(1)
      expect(said.filter((c) => c.includes('Goal done')).length, summary).toBe(1)
      expect(town.emulator.violations(), summary).toEqual([])
      console.info(summary)
    },
    240_000,
  )
})
