/**
 * The web board in a real headless Chromium, watching a real town: the Mayor plans a goal, the Actions
 * runner starts the real bundled action for each bead, the test merges each pull request as the
 * maintainer, and the page must show the beads move to completed, the timeline grow and the end.
 */
import { mkdtemp } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { attachBoards, type AttachedBoards } from '../../src/sandbox/board/attach-boards.js'
import type { BoardFeed } from '../../src/sandbox/board/board-feed.js'
import { feedFromEmulator } from '../../src/sandbox/board/feed-from-emulator.js'
import { startBoardTown, type BoardTown } from './board-town.js'
import { launchChromium, type Browser } from './chromium.js'

/** Runs in the page before its own script: records every status each DAG node showed, the bar counts and spans. */
const RECORDER = String.raw`
window.__board = { statuses: {}, bars: [], spans: [] };
new MutationObserver(function () {
  var seen = window.__board;
  document.querySelectorAll('#dag .node').forEach(function (node) {
    var bead = node.getAttribute('data-bead'), status = node.getAttribute('data-status');
    var list = seen.statuses[bead] || (seen.statuses[bead] = []);
    if (list[list.length - 1] !== status) list.push(status);
  });
  var bars = document.querySelectorAll('#timeline .tl-bar').length;
  if (seen.bars[seen.bars.length - 1] !== bars) seen.bars.push(bars);
  var timeline = document.getElementById('timeline');
  var span = timeline && Number(timeline.getAttribute('data-span-ms'));
  if (span && seen.spans[seen.spans.length - 1] !== span) seen.spans.push(span);
}).observe(document, { subtree: true, childList: true, attributes: true, characterData: true });
`

interface Recorded {
  statuses: Record<string, string[]>
  bars: number[]
  spans: number[]
}

let browser: Browser | undefined
let town: BoardTown | undefined
let feed: BoardFeed | undefined
let boards: AttachedBoards | undefined

afterEach(async () => {
  await boards?.close()
  feed?.close()
  await browser?.close()
  await town?.close()
  boards = feed = browser = town = undefined
})

describe('the web board in Chromium', () => {
  it('shows a real town run: beads move to completed, the timeline grows, the end is announced', async () => {
    // First, so a missing browser fails the test before anything else starts.
    browser = await launchChromium()
    town = await startBoardTown()
    feed = feedFromEmulator(town.emulator, { repo: 'alice/town' })
    boards = await attachBoards({ feed, terminal: false, web: true })
    const url = boards.url!
    const current = town

    // The maintainer merges each worker's pull request once its bead is in review.
    const merged = new Set<number>()
    const mergeErrors: string[] = []
    let merging = Promise.resolve()
    feed.subscribe((snapshot) => {
      for (const bead of snapshot.beads) {
        if (bead.status !== 'in_review' || bead.pr === undefined || merged.has(bead.pr)) continue
        const pr = bead.pr
        merged.add(pr)
        merging = merging
          .then(() => current.merge(pr))
          .catch((error: Error) => void mergeErrors.push(`PR #${pr}: ${error.message}`))
      }
    })

    const page = await browser.context.newPage()
    const origin = url.slice(0, -1)
    const outside: string[] = []
    const problems: string[] = []
    page.on('request', (request) => {
      if (!request.url().startsWith(origin) && !request.url().startsWith('data:')) outside.push(request.url())
    })
    page.on('pageerror', (error) => problems.push(error.message))
    page.on('console', (message) => {
      if (message.type() === 'error') problems.push(message.text())
    })
    await page.addInitScript({ content: RECORDER })
    await page.goto(url)
    await page.waitForSelector('#conn.live')

    const goal = await town.openGoal()
    // Locators, not waitForFunction: the page's policy forbids the eval that the latter needs.
    await page.locator('#dag .node').nth(2).waitFor()
    await page.locator('#timeline .tl-bar').first().waitFor({ timeout: 120_000 })
    const shots = await mkdtemp(path.join(tmpdir(), 'gastown-board-shot-'))
    await page.screenshot({ path: path.join(shots, 'web-board-running.png'), fullPage: true })
    const banner = page.locator('#finished', { hasText: `goal #${goal} closed` })
    await banner.waitFor({ timeout: 240_000 })
    await merging
    expect(mergeErrors).toEqual([])
    expect(await banner.textContent()).toMatch(
      new RegExp(`^Finished in \\d\\d:\\d\\d: goal #${goal} closed: 3 of 3 beads completed$`),
    )

    // Every bead ends completed, and the page showed the way there, not only the end.
    const statuses = await page.$$eval('#dag .node', (nodes) =>
      nodes.map((node) => node.getAttribute('data-status')),
    )
    expect(statuses).toEqual(['completed', 'completed', 'completed'])
    const recorded = (await page.evaluate('window.__board')) as Recorded
    const histories = Object.values(recorded.statuses)
    expect(histories).toHaveLength(3)
    for (const history of histories) {
      expect(history.at(-1)).toBe('completed')
      expect(history.length).toBeGreaterThan(1)
    }
    expect(histories.some((history) => history.includes('in_progress'))).toBe(true)
    expect(histories.some((history) => history.includes('in_review'))).toBe(true)

    // The timeline grew: bars appeared one after another, and its span lengthened while the run went on.
    expect(recorded.bars[0]).toBe(0)
    expect(Math.max(...recorded.bars)).toBe(3)
    expect(recorded.spans.at(-1)!).toBeGreaterThan(recorded.spans[0]!)
    const bars = await page.$$eval('#timeline .tl-bar', (nodes) =>
      nodes.map((node) => [Number(node.getAttribute('data-start')), Number(node.getAttribute('data-end'))]),
    )
    for (const [start, end] of bars) expect(end!).toBeGreaterThan(start!)

    // Details on click, with links into the emulator.
    const snapshot = feed.snapshot()
    const store = snapshot.beads.find((bead) => bead.key === 'store')!
    await page.click(`#dag .node[data-bead="${store.number}"]`)
    await page.waitForSelector(`#detail-body[data-bead="${store.number}"]`)
    expect(await page.textContent('#detail-title')).toBe(`#${store.number} Implement the todo store`)
    const links = await page.$$eval('#detail-body a[href^="http"]', (anchors) =>
      anchors.map((anchor) => [anchor.textContent, anchor.getAttribute('href')]),
    )
    expect(links).toEqual([
      [`#${store.number}`, `${town.emulator.url}/alice/town/issues/${store.number}`],
      [`#${store.pr}`, `${town.emulator.url}/alice/town/pull/${store.pr}`],
    ])
    const design = snapshot.beads.find((bead) => bead.key === 'design')!
    await page.click(`#timeline .tl-row[data-bead="${design.number}"] .tl-label`)
    await page.waitForSelector(`#detail-body[data-bead="${design.number}"]`)
    expect(await page.textContent('#detail-title')).toBe(`#${design.number} Design the todo store`)
    expect(await page.textContent('#events')).toContain(`goal #${goal} closed`)
    expect(Number((await page.textContent('#tokens'))!.replace('k', ''))).toBeGreaterThan(0)

    const shot = path.join(shots, 'web-board.png')
    await page.screenshot({ path: shot, fullPage: true })
    console.info(`web board screenshots: ${shots}`)

    // The page reached nothing but its own server, and broke no rule of its own policy.
    expect(outside).toEqual([])
    expect(problems).toEqual([])
    expect(town.emulator.violations()).toEqual([])
  })
})
