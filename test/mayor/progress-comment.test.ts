/**
 * The goal's progress comment through ProgressComments, against the emulator: quick changes are coalesced
 * into far fewer edits, the last text always lands, an unchanged text (elapsed time aside) costs nothing,
 * and a deleted comment is made again.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import type { Octokit } from '@octokit/rest'
import { listComments } from '../../src/github/comments.js'
import { progressTag } from '../../src/mayor/goal-comments.js'
import { ProgressComments, type ProgressTarget } from '../../src/mayor/progress-comment.js'
import type { Emulator } from '../../src/sandbox/emulator/emulator.js'
import { octokitAs, startTown } from '../sandbox/emulator/emulator-fixture.js'

let emulator: Emulator
let bob: Octokit
let goal: number

beforeEach(async () => {
  emulator = await startTown()
  bob = octokitAs(emulator, 'bob')
  goal = (await bob.rest.issues.create({ owner: 'alice', repo: 'town', title: 'A goal' })).data.number
})

afterEach(async () => {
  await emulator?.close()
})

/** A writer on a hand-driven clock, whose timers fire when the test says and whose jobs run in order. */
function writer(minGapMs = 3000) {
  let now = 1_000_000
  const timers: { at: number; fn: () => void }[] = []
  let chain: Promise<void> = Promise.resolve()
  const progress = new ProgressComments({
    now: () => now,
    minGapMs,
    later: (ms, fn) => void timers.push({ at: now + ms, fn }),
    queue: (_target, run) => {
      chain = chain.then(run)
    },
  })
  return {
    progress,
    target: { api: bob, repo: { owner: 'alice', repo: 'town' }, goal, bot: 'bob' } as ProgressTarget,
    advance(ms: number) {
      now += ms
      const due = timers.filter((t) => t.at <= now)
      timers.splice(0, timers.length, ...timers.filter((t) => t.at > now))
      for (const timer of due) timer.fn()
    },
    jobs: () => chain,
  }
}

const edits = () =>
  emulator
    .requests()
    .filter((r) => r.method === 'PATCH' && r.route.startsWith('/repos/{owner}/{repo}/issues/comments')).length

const text = (n: number) => `### progress\n\n${n} workers busy.\n\n**Totals:** 3 beads · elapsed ${n}s`

describe('the progress comment', () => {
  it('coalesces twenty quick changes into a few edits, and the last text lands', async () => {
    const w = writer()
    expect(await w.progress.write(w.target, text(0), { coalesce: true })).toBe('created')
    const outcomes: string[] = []
    for (let n = 1; n <= 20; n += 1) {
      w.advance(400)
      outcomes.push(await w.progress.write(w.target, text(n), { coalesce: true }))
      await w.jobs()
    }
    // Nothing waits after the last timer fires.
    w.advance(3000)
    await w.jobs()
    expect(w.progress.hasPending()).toBe(false)
    // 20 changes over 8 s: one edit per 3 s at most, not one per change.
    expect(edits()).toBeLessThanOrEqual(4)
    expect(outcomes.filter((o) => o === 'deferred').length).toBeGreaterThanOrEqual(16)
    const [comment, ...others] = await listComments(bob, { owner: 'alice', repo: 'town' }, goal)
    expect(others).toEqual([])
    expect(comment!.body).toContain('20 workers busy.')
    expect(comment!.body).toContain(progressTag(goal))
  })

  it('writes a waiting text at once when asked to finish, and skips a text that only the elapsed time changed', async () => {
    const w = writer()
    await w.progress.write(w.target, text(1), { coalesce: true })
    expect(await w.progress.write(w.target, text(2), { coalesce: true })).toBe('deferred')
    expect(w.progress.hasPending()).toBe(true)
    w.progress.flushAll()
    await w.jobs()
    expect(w.progress.hasPending()).toBe(false)
    expect(edits()).toBe(1)
    const same = text(2).replace('elapsed 2s', 'elapsed 9m')
    w.advance(10_000)
    expect(await w.progress.write(w.target, same, { coalesce: true })).toBe('unchanged')
    expect(edits()).toBe(1)
    // A text written without coalescing (a goal closing) goes at once, however recent the last edit.
    expect(await w.progress.write(w.target, text(3))).toBe('updated')
    expect(edits()).toBe(2)
    const [comment] = await listComments(bob, { owner: 'alice', repo: 'town' }, goal)
    expect(comment!.body).toContain('3 workers busy.')
  })

  it('makes the comment again when someone deleted it', async () => {
    const w = writer(0)
    await w.progress.write(w.target, text(1))
    const first = w.progress.known(w.target.repo, goal)!
    await bob.rest.issues.deleteComment({ owner: 'alice', repo: 'town', comment_id: first.id })
    expect(await w.progress.write(w.target, text(2))).toBe('created')
    const comments = await listComments(bob, { owner: 'alice', repo: 'town' }, goal)
    expect(comments.map((c) => c.body.includes('2 workers busy.'))).toEqual([true])
  })
})
