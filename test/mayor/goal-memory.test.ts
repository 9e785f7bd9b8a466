import { describe, expect, it } from 'vitest'
import type { SchedulerBead } from '../../src/core/scheduler.js'
import { GoalMemory, type RememberedGoal } from '../../src/mayor/goal-memory.js'

const repo = { owner: 'alice', repo: 'town' }
const bead = (
  id: number,
  status: SchedulerBead['status'],
  deps: number[] = [],
  attempt = 0,
): SchedulerBead => ({
  id,
  role: 'developer',
  output: 'pr',
  status,
  deps,
  attempt,
})
const goal = (beads: SchedulerBead[]): RememberedGoal => ({
  beads,
  limits: { maxWorkers: 2 },
  workflow: 'gastown-worker.yml',
  defaultBranch: 'main',
})
const statuses = (memory: GoalMemory) =>
  memory.current(repo, 7)?.beads.map((b) => `${b.id}:${b.status}:${b.attempt}`) ?? null

describe('GoalMemory', () => {
  it('knows nothing of a goal no step left, nor of one that closed', () => {
    const memory = new GoalMemory(() => 0)
    expect(memory.current(repo, 7)).toBeUndefined()
    memory.remember(repo, 7, goal([bead(1, 'pending')]))
    memory.close(repo, 7)
    expect(memory.current(repo, 7)).toBeUndefined()
  })

  it('counts dispatches being sent and sent early as running, and what webhooks said since the step', () => {
    const now = 0
    const memory = new GoalMemory(() => now)
    memory.remember(
      repo,
      7,
      goal([bead(1, 'in_progress', [], 1), bead(2, 'pending', [1]), bead(3, 'pending')]),
    )
    memory.sending(repo, 7, new Map([[3, 1]]))
    memory.hear(repo, 7, 1, 'in_review')
    expect(statuses(memory)).toEqual(['1:in_review:1', '2:pending:0', '3:in_progress:1'])
    memory.sent(repo, 7)
    memory.hear(repo, 7, 1, 'completed')
    // A later word of the PR opening does not take a merge back.
    memory.hear(repo, 7, 1, 'in_review')
    memory.noteEarly(repo, 7, {
      bead: 2,
      attempt: 1,
      after: 1,
      at: now,
      sent: Promise.resolve({ runId: '5' }),
    })
    expect(statuses(memory)).toEqual(['1:completed:1', '2:in_progress:1', '3:pending:0'])
    // A step that read the merge no longer needs the webhook's word; the early dispatch waits for it.
    memory.remember(repo, 7, goal([bead(1, 'completed', [], 1), bead(2, 'pending', [1]), bead(3, 'pending')]))
    expect(statuses(memory)).toEqual(['1:completed:1', '2:in_progress:1', '3:pending:0'])
    expect(memory.takeEarly(repo, 7, 2, 2)).toBeUndefined()
    expect(memory.takeEarly(repo, 7, 2, 1)?.after).toBe(1)
    expect(memory.early(repo, 7)).toEqual([])
  })

  it('drops an early dispatch a step saw the merge of and did not bear out, and one left too long', () => {
    let now = 0
    const memory = new GoalMemory(() => now)
    const sent = Promise.resolve(null)
    memory.noteEarly(repo, 7, { bead: 2, attempt: 1, after: 1, at: 0, sent })
    memory.noteEarly(repo, 7, { bead: 4, attempt: 1, after: 3, at: 0, sent })
    expect(memory.dropUnborne(repo, 7, (after) => after === 1).map((e) => e.bead)).toEqual([2])
    now = 11 * 60_000
    expect(memory.dropUnborne(repo, 7, () => false).map((e) => e.bead)).toEqual([4])
  })
})
