/**
 * The emulator feed against a real emulator: bead issues written through the REST API as the Mayor and
 * workers write them, and a real workflow run of the Actions runner holding a bead.
 */
import { afterEach, describe, expect, it } from 'vitest'
import type { Bead } from '../../../src/core/bead.js'
import { encodeBead } from '../../../src/core/bead-codec.js'
import type { BoardSnapshot } from '../../../src/sandbox/board/board-feed.js'
import { feedFromEmulator, type Every } from '../../../src/sandbox/board/feed-from-emulator.js'
import type { Emulator } from '../../../src/sandbox/emulator/emulator.js'
import { octokitAs, startTown } from '../emulator/emulator-fixture.js'

const WORKFLOW = `name: gastown-worker
on:
  workflow_dispatch:
    inputs:
      bead: { required: true, type: string }
      attempt: { required: true, type: string }
jobs:
  work:
    runs-on: ubuntu-latest
    steps:
      - run: echo "bead \${{ inputs.bead }}"
`

let emulator: Emulator | undefined
afterEach(async () => {
  await emulator?.close()
  emulator = undefined
})

/** An interval timer the test fires by hand. */
function manualEvery(): { every: Every; fire(): void; stopped(): boolean } {
  let fn: (() => void) | undefined
  let stopped = false
  return {
    every: (callback) => {
      fn = callback
      return () => void (stopped = true)
    },
    fire: () => fn?.(),
    stopped: () => stopped,
  }
}

function beadOf(goal: number, key: string, fields: Partial<Bead> = {}): Bead {
  return {
    id: `${goal}/${key}`,
    title: `Do ${key}`,
    description: `Work for ${key}.`,
    role: 'developer',
    status: 'pending',
    createdAt: 1_700_000_000_000,
    updatedAt: 1_700_000_000_000,
    goal,
    key,
    dependencies: [],
    attempt: 0,
    ...fields,
  }
}

describe('feedFromEmulator', () => {
  it('shows the beads of the goal, the worker holding one, run events, and the end when the goal closes', async () => {
    emulator = await startTown({
      repos: [
        {
          owner: 'alice',
          name: 'town',
          files: { 'README.md': '# Town\n', '.github/workflows/gastown-worker.yml': WORKFLOW },
        },
      ],
    })
    const alice = octokitAs(emulator, 'alice')
    const repo = { owner: 'alice', repo: 'town' }
    const timer = manualEvery()
    const feed = feedFromEmulator(emulator, { repo: 'alice/town', every: timer.every })
    const seen: BoardSnapshot[] = []
    feed.subscribe((snapshot) => seen.push(snapshot))

    const { data: goal } = await alice.rest.issues.create({
      ...repo,
      title: 'Build a todo API',
      labels: ['gastown:goal'],
    })
    const write = async (number: number | undefined, bead: Bead): Promise<number> => {
      const encoded = encodeBead(bead)
      const fields = {
        title: encoded.title,
        body: encoded.body,
        labels: encoded.labels,
        state: encoded.state,
      }
      if (number === undefined) return (await alice.rest.issues.create({ ...repo, ...fields })).data.number
      await alice.rest.issues.update({
        ...repo,
        issue_number: number,
        ...fields,
        ...(encoded.stateReason ? { state_reason: encoded.stateReason } : {}),
      })
      return number
    }
    const model = await write(undefined, beadOf(goal.number, 'model', { status: 'ready' }))
    const api = await write(undefined, beadOf(goal.number, 'api', { dependencies: [model] }))
    // A bead issue without a readable marker is left out, not guessed.
    await alice.rest.issues.create({
      ...repo,
      title: 'Broken bead',
      body: 'no marker',
      labels: ['gastown:bead'],
    })
    timer.fire()

    let snapshot = feed.snapshot()
    expect(snapshot.goal).toMatchObject({
      number: goal.number,
      title: 'Build a todo API',
      state: 'open',
      url: `${emulator.url}/alice/town/issues/${goal.number}`,
    })
    expect(snapshot.beads.map((b) => [b.number, b.key, b.status, b.deps])).toEqual([
      [model, 'model', 'ready', []],
      [api, 'api', 'pending', [model]],
    ])
    expect(snapshot.beads[0]!.issueUrl).toBe(`${emulator.url}/alice/town/issues/${model}`)

    await write(
      model,
      beadOf(goal.number, 'model', { status: 'in_progress', attempt: 1, tokens: 1200, costUsd: 0.002 }),
    )
    const { data: dispatched } = await alice.request(
      'POST /repos/{owner}/{repo}/actions/workflows/{workflow_id}/dispatches',
      {
        ...repo,
        workflow_id: 'gastown-worker.yml',
        ref: 'main',
        inputs: { bead: String(model), attempt: '1' },
        return_run_details: true,
      },
    )
    const runId = (dispatched as { workflow_run_id: number }).workflow_run_id
    await emulator.runner.idle()
    const busy = seen.find((s) => s.workers.length > 0)
    expect(busy?.workers).toEqual([
      expect.objectContaining({
        bead: model,
        key: 'model',
        role: 'developer',
        attempt: 1,
        runId,
        runUrl: `${emulator.url}/alice/town/actions/runs/${runId}`,
      }),
    ])
    snapshot = feed.snapshot()
    expect(snapshot.workers).toEqual([])
    expect(snapshot.events.filter((e) => e.kind === 'run').map((e) => e.text)).toEqual([
      `run ${runId} queued for #${model} model, attempt 1`,
      `run ${runId} started for #${model} model, attempt 1`,
      `run ${runId} for #${model} model ended: success`,
    ])
    const started = snapshot.beads[0]!.startedAt!
    expect(started).toBe(Date.parse(emulator.runner.get(runId)!.run_started_at!))
    expect(snapshot.tokens).toBe(1200)

    await write(
      model,
      beadOf(goal.number, 'model', { status: 'in_review', attempt: 1, pr: 9, tokens: 1200, costUsd: 0.002 }),
    )
    await write(
      model,
      beadOf(goal.number, 'model', { status: 'completed', attempt: 1, pr: 9, tokens: 1200, costUsd: 0.002 }),
    )
    await write(api, beadOf(goal.number, 'api', { status: 'cancelled', dependencies: [model] }))
    timer.fire()
    snapshot = feed.snapshot()
    expect(snapshot.beads[0]).toMatchObject({
      status: 'completed',
      pr: 9,
      prUrl: `${emulator.url}/alice/town/pull/9`,
    })
    expect(snapshot.beads[0]!.endedAt).toBeGreaterThanOrEqual(started)
    expect(snapshot.finished).toBe(true)
    expect(snapshot.outcome).toBe('1 of 2 beads completed')

    await alice.rest.issues.update({
      ...repo,
      issue_number: goal.number,
      state: 'closed',
      state_reason: 'completed',
    })
    timer.fire()
    snapshot = feed.snapshot()
    expect(snapshot.outcome).toBe(`goal #${goal.number} closed: 1 of 2 beads completed`)
    expect(snapshot.events.filter((e) => e.kind === 'finished')).toHaveLength(1)
    expect(snapshot.events.map((e) => e.text)).toContain(`goal #${goal.number} closed`)

    feed.close()
    expect(timer.stopped()).toBe(true)
  })

  it('follows the goal it is given and leaves other goals out', async () => {
    emulator = await startTown()
    const alice = octokitAs(emulator, 'alice')
    const repo = { owner: 'alice', repo: 'town' }
    const goals = []
    for (const title of ['First goal', 'Second goal']) {
      goals.push((await alice.rest.issues.create({ ...repo, title, labels: ['gastown:goal'] })).data.number)
    }
    for (const [goal, key] of [
      [goals[0]!, 'one'],
      [goals[1]!, 'two'],
    ] as const) {
      const encoded = encodeBead(beadOf(goal, key))
      await alice.rest.issues.create({
        ...repo,
        title: encoded.title,
        body: encoded.body,
        labels: encoded.labels,
      })
    }
    const timer = manualEvery()
    const newest = feedFromEmulator(emulator, { repo: 'alice/town', every: timer.every })
    const first = feedFromEmulator(emulator, { repo: 'alice/town', goal: goals[0]!, every: timer.every })
    expect(newest.snapshot().beads.map((b) => b.key)).toEqual(['two'])
    expect(first.snapshot().beads.map((b) => b.key)).toEqual(['one'])
    expect(first.snapshot().goal?.title).toBe('First goal')
    newest.close()
    first.close()
  })
})
