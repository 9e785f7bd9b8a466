import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { decodeBead } from '../../src/core/bead-codec.js'
import type { Bead } from '../../src/core/bead.js'
import type { ActionInputs } from '../../src/worker/action/inputs.js'
import { main } from '../../src/worker/main.js'
import {
  CANARY_KEY,
  OWNER,
  REPO,
  checkout,
  createBeadIssue,
  createGoal,
  git,
  startWorkerTown,
  storedTexts,
  workerDeps,
  redispatch,
  writeBead,
  type Town,
  workerInputs,
} from './action/worker-town.js'

let town: Town

beforeEach(async () => {
  town = await startWorkerTown()
})

afterEach(async () => {
  await town?.close()
})

async function readBead(number: number): Promise<Bead> {
  const { data } = await town.alice.rest.issues.get({ owner: OWNER, repo: REPO, issue_number: number })
  const decoded = decodeBead({
    ...data,
    labels: data.labels.map((l) => (typeof l === 'string' ? l : (l.name ?? ''))),
  })
  if (!decoded.ok) throw new Error(decoded.error.message)
  return decoded.bead
}

async function pulls() {
  return (await town.alice.rest.pulls.list({ owner: OWNER, repo: REPO, state: 'all' })).data
}

async function commentsOn(number: number) {
  return (await town.alice.rest.issues.listComments({ owner: OWNER, repo: REPO, issue_number: number })).data
}

/** Goal #1 and the developer bead #2 (key fix-sum). */
async function developerBead(): Promise<{ goal: number; bead: number }> {
  const goal = await createGoal(town, 'Make sum() correct', 'sum() subtracts. Fix it and test it.')
  const bead = await createBeadIssue(town, {
    goal,
    key: 'fix-sum',
    role: 'developer',
    title: 'Fix sum() to add',
    description: 'sum(a, b) must return a + b. Acceptance: a node:test test passes.',
  })
  return { goal, bead }
}

async function runWorker(
  bead: number,
  attempt: number,
  options: {
    scenario?: string
    runId: string
    login?: string
    inputs?: Partial<ActionInputs>
    sleep?: (ms: number) => Promise<void>
  },
) {
  const workspace = await checkout(town, town.emulator.tokenFor(options.login ?? OWNER))
  const made = await workerDeps(town, {
    scenario: options.scenario ?? 'worker-town.yaml',
    runId: options.runId,
    workspace,
    ...(options.login === undefined ? {} : { login: options.login }),
    ...(options.sleep === undefined ? {} : { sleep: options.sleep }),
  })
  const outcome = await main(workerInputs(bead, attempt, options.inputs), made.deps)
  return { outcome, workspace, ...made }
}

describe('worker main against the emulator', () => {
  it('turns a developer bead into a branch, a commit with the trailer and a PR that closes the bead', async () => {
    const { bead } = await developerBead()
    const { outcome, lines, summaries, prompts, sent } = await runWorker(bead, 1, { runId: '501' })

    expect(outcome).toMatchObject({ status: 'in_review', prNumber: 3, tokens: 6_530 })
    expect(outcome.costUsd).toBeCloseTo((6_200 * 1 + 330 * 4) / 1e6, 9)
    const [pull] = await pulls()
    expect(pull).toMatchObject({
      number: 3,
      state: 'open',
      head: { ref: `gastown/${bead}-fix-sum-to-add` },
      base: { ref: 'main' },
    })
    expect(pull!.body).toContain(`Closes #${bead}`)
    expect(pull!.body).toContain('Fixed sum() to add instead of subtract')
    expect(pull!.body).toContain('| `node --test` | 0 |')
    // The checkout's stored auth header was removed before the agent ran: git config finds nothing.
    expect(pull!.body).toContain('| `git config --get-regexp extraheader` | 1 |')
    expect(pull!.body).toMatch(/\| `node -e .*` \| 0 \|/)
    expect(pull!.body).toContain('<details>')

    const server = town.emulator.git
    const branchSha = await server.resolveRef(`${OWNER}/${REPO}`, `refs/heads/gastown/${bead}-fix-sum-to-add`)
    expect(branchSha).toBe(pull!.head.sha)
    const mirror = await checkout(town, town.emulator.tokenFor(OWNER), { persist: true })
    await git(mirror, ['fetch', '--quiet', 'origin', `gastown/${bead}-fix-sum-to-add`])
    const message = await git(mirror, ['log', '-1', '--format=%B', 'FETCH_HEAD'])
    expect(message).toMatch(/^Fix sum\(\) to add\n\nFixed sum\(\) to add instead of subtract/)
    expect(message.trimEnd().endsWith(`Gastown-Bead: #${bead}`)).toBe(true)
    expect(await git(mirror, ['show', 'FETCH_HEAD:src/sum.js'])).toContain('return a + b')
    expect(await git(mirror, ['diff', '--name-only', 'origin/main', 'FETCH_HEAD'])).toBe(
      'src/sum.js\ntest/sum.test.js\n',
    )
    expect(await server.resolveRef(`${OWNER}/${REPO}`, `refs/gastown/claims/${bead}-1`)).not.toBeNull()

    const after = await readBead(bead)
    expect(after).toMatchObject({ status: 'in_review', pr: 3, assignedTo: '501', tokens: 6_530 })
    expect(after.result).toContain('Fixed sum()')
    const progress = await commentsOn(bead)
    expect(progress).toHaveLength(1)
    expect(progress[0]!.body).toContain('Done: PR #3 is ready for review')
    expect(progress[0]!.body).toContain(`gastown:worker bead=${bead}`)

    const timings = outcome.timings!
    expect(Object.keys(timings.phases)).toEqual(['claim', 'context', 'prepare', 'agent', 'apply'])
    expect(timings.overheadMs).toBe(timings.totalMs - timings.modelMs - timings.toolMs)
    expect(lines.some((line) => line.includes('"msg":"worker done"') && line.includes('"overheadMs"'))).toBe(
      true,
    )
    expect(summaries.join('\n')).toContain('worker overhead')
    expect(summaries.join('\n')).toContain('| `node --test` | 0 |')
    expect(lines.some((line) => line.includes('test double'))).toBe(true)
    // The prompt held the conventions and the goal, and never a secret.
    expect(prompts.join('\n')).toContain('sum() subtracts')
    const token = town.emulator.tokenFor(OWNER)
    // Every request body the worker sent (a PR, comments, the marker), besides what the emulator stored.
    expect(sent.some((request) => request.includes('createPullRequest'))).toBe(true)
    for (const text of [
      storedTexts(town.emulator),
      sent.join('\n'),
      prompts.join('\n'),
      lines.join('\n'),
      summaries.join('\n'),
      message,
    ]) {
      expect(text).not.toContain(token)
      expect(text).not.toContain(CANARY_KEY)
    }
    expect(town.emulator.violations()).toEqual([])
  })

  it('lets a tester run real tests and lists each command with its exit code in the PR', async () => {
    const goal = await createGoal(town, 'Test sum()', 'Prove sum() works.')
    const bead = await createBeadIssue(town, {
      goal,
      key: 'sum-tests',
      role: 'tester',
      title: 'Tests for sum()',
      description: 'Cover sum().',
    })
    const { outcome } = await runWorker(bead, 1, { runId: '601' })
    expect(outcome.status).toBe('in_review')
    const [pull] = await pulls()
    const rows = pull!.body!.split('\n').filter((line) => line.startsWith('| `node --test`'))
    expect(rows.map((row) => row.split('|')[2]!.trim())).toEqual(['1', '0'])
  })

  it('has a reviewer post inline comments on diff lines and send the developer bead back with REQUEST_CHANGES', async () => {
    const { goal, bead: developer } = await developerBead()
    const reviewer = await createBeadIssue(town, {
      goal,
      key: 'review',
      role: 'reviewer',
      title: 'Review the sum() fix',
      description: 'Review it.',
      deps: [developer],
      status: 'pending',
      attempt: 0,
    })
    expect((await runWorker(developer, 1, { runId: '701' })).outcome.prNumber).toBe(4)
    await writeBead(town, reviewer, {
      goal,
      key: 'review',
      role: 'reviewer',
      title: 'Review the sum() fix',
      description: 'Review it.',
      deps: [developer],
    })

    const { outcome } = await runWorker(reviewer, 1, { runId: '702', login: 'bob' })
    expect(outcome).toMatchObject({ status: 'pending' })
    const reviews = (await town.alice.rest.pulls.listReviews({ owner: OWNER, repo: REPO, pull_number: 4 }))
      .data
    expect(reviews).toHaveLength(1)
    expect(reviews[0]).toMatchObject({ state: 'CHANGES_REQUESTED', user: { login: 'bob' } })
    expect(reviews[0]!.body).toContain('should reject non-numbers')
    expect(reviews[0]!.body).toContain('`src/sum.js` line 40 (line 40 (RIGHT) is not in the diff)')
    const inline = (
      await town.alice.rest.pulls.listReviewComments({ owner: OWNER, repo: REPO, pull_number: 4 })
    ).data
    expect(inline.map((c) => [c.path, c.line, c.body])).toEqual([
      ['src/sum.js', 2, 'Please reject non-numbers here with a TypeError.'],
    ])

    expect(await readBead(developer)).toMatchObject({ status: 'ready', round: 1, pr: 4 })
    expect(await readBead(reviewer)).toMatchObject({ status: 'pending', round: 1 })

    // The Mayor dispatches the developer again: it addresses the review on the same branch and PR.
    expect(await redispatch(town, developer)).toMatchObject({ attempt: 2, round: 1, pr: 4 })
    const again = await runWorker(developer, 2, { runId: '703' })
    expect(again.outcome).toMatchObject({ status: 'in_review', prNumber: 4 })
    expect((await pulls()).map((pull) => pull.number)).toEqual([4])
    const [pull] = await pulls()
    expect(pull!.body).toContain('review round 1')
    const mirror = await checkout(town, town.emulator.tokenFor(OWNER), { persist: true })
    await git(mirror, ['fetch', '--quiet', 'origin', pull!.head.ref])
    expect(await git(mirror, ['rev-list', '--count', 'origin/main..FETCH_HEAD'])).toBe('2\n')
    expect(await git(mirror, ['show', 'FETCH_HEAD:src/sum.js'])).toContain('TypeError')
    expect(await readBead(developer)).toMatchObject({ status: 'in_review', round: 1, attempt: 2 })
    const thread = (
      await town.alice.rest.pulls.listReviewComments({ owner: OWNER, repo: REPO, pull_number: 4 })
    ).data
    const reply = thread.find((comment) => comment.in_reply_to_id === inline[0]!.id)
    expect(reply?.body).toMatch(
      /^sum\(\) now throws a TypeError for non-numbers\.\n\n\(addressed in [0-9a-f]{7}, review round 1\)$/,
    )
    expect(thread).toHaveLength(2)
  })

  it('refuses APPROVE when the config does not allow it, posting nothing', async () => {
    const { goal, bead: developer } = await developerBead()
    const reviewer = await createBeadIssue(town, {
      goal,
      key: 'approve',
      role: 'reviewer',
      title: 'Review',
      description: 'Review it.',
      deps: [developer],
      status: 'pending',
      attempt: 0,
    })
    await runWorker(developer, 1, { runId: '801' })
    await writeBead(town, reviewer, {
      goal,
      key: 'approve',
      role: 'reviewer',
      title: 'Review',
      description: 'Review it.',
      deps: [developer],
    })
    const { outcome } = await runWorker(reviewer, 1, { runId: '802', login: 'bob' })
    expect(outcome.status).toBe('failed')
    expect(
      (await town.alice.rest.pulls.listReviews({ owner: OWNER, repo: REPO, pull_number: 4 })).data,
    ).toEqual([])
    const after = await readBead(reviewer)
    expect(after).toMatchObject({ status: 'failed', failures: 1 })
    expect(after.error).toContain('without submitting a review')
  })

  it('refuses a change under .github/workflows and pushes nothing', async () => {
    const goal = await createGoal(town, 'Sneaky', 'x')
    const bead = await createBeadIssue(town, {
      goal,
      key: 'sneaky',
      role: 'developer',
      title: 'Sneaky fix',
      description: 'Fix sum.',
    })
    const { outcome } = await runWorker(bead, 1, { runId: '901' })
    expect(outcome.status).toBe('failed')
    const after = await readBead(bead)
    expect(after.status).toBe('failed')
    expect(after.error).toContain('".github/workflows/evil.yml" is a protected path')
    expect(after.error).toContain(`/actions/runs/901`)
    expect(
      await town.emulator.git.resolveRef(`${OWNER}/${REPO}`, `refs/heads/gastown/${bead}-sneaky-fix`),
    ).toBeNull()
    expect(await pulls()).toEqual([])
  })

  it('pushes the work so far and fails the bead naming the budget when it runs out', async () => {
    const goal = await createGoal(town, 'Notes', 'x')
    const bead = await createBeadIssue(town, {
      goal,
      key: 'slow',
      role: 'documenter',
      title: 'Write notes',
      description: 'Notes.',
    })
    const { outcome } = await runWorker(bead, 1, { runId: '1001', inputs: { 'max-iterations': 2 } })
    expect(outcome.status).toBe('failed')
    const after = await readBead(bead)
    expect(after).toMatchObject({ status: 'failed', failures: 1, assignedTo: '1001' })
    expect(after.error).toContain('the iterations budget ran out')
    expect(after.error).toContain(`on branch gastown/${bead}-write-notes`)
    expect(after.error).toContain('/actions/runs/1001')
    expect(after.tokens).toBeGreaterThan(0)
    const mirror = await checkout(town, town.emulator.tokenFor(OWNER), { persist: true })
    await git(mirror, ['fetch', '--quiet', 'origin', `gastown/${bead}-write-notes`])
    expect(await git(mirror, ['diff', '--name-only', 'origin/main', 'FETCH_HEAD'])).toBe(
      'notes/part-1.md\nnotes/part-2.md\n',
    )
    expect(await git(mirror, ['log', '-1', '--format=%B', 'FETCH_HEAD'])).toContain('Work in progress')
    expect(await pulls()).toEqual([])
    const [progress] = await commentsOn(bead)
    expect(progress!.body).toContain('Failed: the iterations budget ran out')

    // The Mayor retries: attempt 2 continues on the pushed branch rather than starting again.
    expect(await redispatch(town, bead)).toMatchObject({ attempt: 2, failures: 1 })
    const retry = await runWorker(bead, 2, { runId: '1002' })
    expect(retry.outcome, retry.outcome.message).toMatchObject({ status: 'in_review', prNumber: 3 })
    await git(mirror, ['fetch', '--quiet', 'origin', `gastown/${bead}-write-notes`])
    expect(await git(mirror, ['diff', '--name-only', 'origin/main', 'FETCH_HEAD'])).toBe(
      'notes/part-1.md\nnotes/part-2.md\nnotes/part-3.md\n',
    )
    expect(await git(mirror, ['rev-list', '--count', 'origin/main..FETCH_HEAD'])).toBe('2\n')
  })

  it('lets exactly one of two runs of one attempt proceed; the other does nothing', async () => {
    const { bead } = await developerBead()
    const [a, b] = await Promise.all([
      runWorker(bead, 1, { runId: '1101' }),
      runWorker(bead, 1, { runId: '1102' }),
    ])
    expect([a.outcome.status, b.outcome.status].sort()).toEqual(['claimed-elsewhere', 'in_review'])
    const winner = a.outcome.status === 'in_review' ? '1101' : '1102'
    expect(await pulls()).toHaveLength(1)
    expect(await commentsOn(bead)).toHaveLength(1)
    expect((await readBead(bead)).assignedTo).toBe(winner)
    const loser = a.outcome.status === 'in_review' ? b : a
    expect(loser.prompts).toEqual([])
  })

  it('does nothing at all for a stale attempt, after reading the marker again a few times', async () => {
    const { bead } = await developerBead()
    const before = (await town.alice.rest.issues.get({ owner: OWNER, repo: REPO, issue_number: bead })).data
    const requestsBefore = town.emulator.requests().length
    const waits: number[] = []
    const { outcome } = await runWorker(bead, 2, { runId: '1201', sleep: async (ms) => void waits.push(ms) })
    expect(waits).toEqual([1000, 2000, 4000])
    expect(outcome.status).toBe('stale')
    expect(outcome.message).toContain('at attempt 1, not 2')
    const writes = town.emulator
      .requests()
      .slice(requestsBefore)
      // The worker's GraphQL requests are queries: reads sent as POST.
      .filter((entry) => entry.method !== 'GET' && entry.route !== '/graphql')
    expect(writes).toEqual([])
    expect(
      (await town.alice.rest.issues.get({ owner: OWNER, repo: REPO, issue_number: bead })).data.body,
    ).toBe(before.body)
    expect(await town.emulator.git.listRefs(`${OWNER}/${REPO}`, 'refs/gastown/')).toEqual([])
  })

  it('waits for the Mayor to write the attempt it was dispatched for, then claims it', async () => {
    const { bead } = await developerBead()
    const waits: number[] = []
    // The Mayor's write of attempt 2 lands while the worker waits for the first time.
    const mayorWrites = async (ms: number) => {
      waits.push(ms)
      if (waits.length > 1) return
      const { data } = await town.alice.rest.issues.get({ owner: OWNER, repo: REPO, issue_number: bead })
      await town.alice.rest.issues.update({
        owner: OWNER,
        repo: REPO,
        issue_number: bead,
        body: data.body!.replace('"attempt":1', '"attempt":2'),
      })
    }
    const { outcome } = await runWorker(bead, 2, { runId: '1301', sleep: mayorWrites })
    expect(waits).toEqual([1000])
    // It claimed attempt 2 and ran the agent (whose scripted script for attempt 2 is a review round).
    expect(outcome.status).not.toBe('stale')
    expect(await town.emulator.git.listRefs(`${OWNER}/${REPO}`, 'refs/gastown/')).toEqual([
      expect.objectContaining({ ref: `refs/gastown/claims/${bead}-2` }),
    ])
  })
})
