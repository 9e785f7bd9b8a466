/**
 * The collide scenario, the whole town: three parallel beads rewrite the same lines. Under `merge: auto`
 * the Mayor merges and the sandbox's maintainer never does; under `manual` the maintainer merges as a
 * person would and the Mayor never does. Either way the PRs that conflict go back to workers as rebase
 * attempts, every bead completes, and main holds every feature.
 */
import { afterEach, describe, expect, it } from 'vitest'
import { TownEvents, type TownEvent } from '../../../src/sandbox/town-events.js'
import { startTown, type Town } from '../../../src/sandbox/town.js'

let town: Town | undefined

afterEach(async () => {
  await town?.close()
  town = undefined
})

async function collide(merge: 'auto' | 'manual') {
  const events = new TownEvents()
  const seen: TownEvent[] = []
  events.onAny((event) => seen.push(event))
  town = await startTown({
    env: { PATH: process.env['PATH'] },
    scenario: 'collide',
    workers: 3,
    merge,
    events,
    timeoutMs: 400_000,
  })
  const summary = await town.finished
  const merges = town.emulator
    .requests()
    .filter(
      (entry) => entry.method === 'PUT' && entry.route === '/repos/{owner}/{repo}/pulls/{pull_number}/merge',
    )
  const main = async (path: string) =>
    (await town!.emulator.git.readFile('octo/todo-api', 'refs/heads/main', path))?.toString('utf8') ?? ''
  return { summary, seen, merges, main }
}

describe('the collide town', () => {
  it('under merge: auto, the Mayor merges, rebases the conflicting beads, and main holds every feature', async () => {
    const { summary, seen, merges, main } = await collide('auto')
    expect(summary.ok, JSON.stringify(summary.beads, null, 2)).toBe(true)
    expect(summary.beads.map((b) => [b.key, b.status])).toEqual([
      ['shout', 'completed'],
      ['whisper', 'completed'],
      ['sparkle', 'completed'],
    ])
    // Three PRs rewrote the same lines: the two that did not land first needed 1 and 2 rebases.
    expect(summary.beads.map((b) => b.rebases).sort()).toEqual([0, 1, 2])
    expect(new Set(merges.map((m) => m.actor))).toEqual(new Set(['gastown[bot]']))
    expect(merges.filter((m) => m.status === 200)).toHaveLength(3)
    const features = await main('src/features.js')
    for (const name of ['shout', 'whisper', 'sparkle']) {
      expect(features).toContain(`export { ${name} } from './${name}.js'`)
      expect(await main('README.md')).toMatch(new RegExp(`^- ${name}\\(text\\)`, 'm'))
    }
    expect(features).not.toMatch(/^(<<<<<<<|=======|>>>>>>>)/m)
    // The board said so while it happened.
    expect(seen.some((e) => e.type === 'bead' && e.bead.rebasing === true)).toBe(true)
    expect(town!.emulator.violations()).toEqual([])
  }, 420_000)

  it('under merge: manual, the sandbox maintainer merges as a person would and the Mayor merges nothing', async () => {
    const { summary, merges, main } = await collide('manual')
    expect(summary.ok, JSON.stringify(summary.beads, null, 2)).toBe(true)
    expect(summary.merge).toBe('manual')
    expect(merges.filter((m) => m.status === 200).map((m) => m.actor)).toEqual(['octo', 'octo', 'octo'])
    expect(summary.totals.prsMerged).toBe(3)
    const features = await main('src/features.js')
    for (const name of ['shout', 'whisper', 'sparkle']) expect(features).toContain(name)
  }, 420_000)
})
