/** `--merge manual`: the town says which PR is ready and where, merges nothing, and goes on once a person merged. */
import { Octokit } from '@octokit/rest'
import { afterAll, describe, expect, it } from 'vitest'
import { TownEvents, type LogLine } from '../../../src/sandbox/town-events.js'
import { startTown, type Town } from '../../../src/sandbox/town.js'

let town: Town | undefined

afterAll(async () => {
  await town?.close()
})

describe('a town with manual merges', () => {
  it('announces the ready PR with its URL, leaves it open, and moves on when the person merges it', async () => {
    const events = new TownEvents()
    const ready = new Promise<LogLine>((resolve) =>
      events.on('log', (line) => {
        if (line.message.includes('is ready to merge')) resolve(line)
      }),
    )
    town = await startTown({
      env: {},
      scenario: 'deep',
      workers: 1,
      merge: 'manual',
      events,
      timeoutMs: 280_000,
    })
    const line = await ready
    const pr = Number(/PR #(\d+)/.exec(line.message)![1])
    expect(line.message).toContain(`${town.emulator.url}/octo/todo-api/pull/${pr}`)
    expect(town.started.merge).toBe('manual')

    // Nothing merged it: the first chapter waits in review, the second has not started.
    const welcome = () => town!.events.past().filter((e) => e.type === 'bead' && e.bead.key === 'welcome')
    expect(town.emulator.state.issue('octo/todo-api', pr)!.pull!.merged).toBe(false)

    const completed = new Promise<void>((resolve) =>
      events.on('bead', (event) => {
        if (event.bead.key === 'goals' && event.bead.status === 'in_progress') resolve()
      }),
    )
    const person = new Octokit({ baseUrl: town.emulator.apiUrl, auth: town.maintainer.token })
    await person.rest.pulls.merge({ owner: 'octo', repo: 'todo-api', pull_number: pr })
    await completed
    const statuses = welcome().map((e) => (e.type === 'bead' ? e.bead.status : ''))
    expect(statuses).toContain('completed')
    town.stop('test over')
    const summary = await town.finished
    expect(summary).toMatchObject({ ok: false, stopped: 'test over', merge: 'manual' })
    expect(summary.totals.prsMerged).toBe(0)
  }, 300_000)
})
