/**
 * The web board as `gastown sandbox` shows it: the sandbox town (src/sandbox/town.ts) with its built-in
 * todo-api scenario, followed through its event stream by attachTownBoards, in a real headless Chromium.
 * The scenario has a review that asks for changes and a worker that fails once, so the page must show
 * a bead go back for fixes and a failure recover before the end.
 */
import { mkdtemp } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { attachTownBoards, type PendingBoards } from '../../src/sandbox/board/attach-boards.js'
import { TownEvents, type TownSummary } from '../../src/sandbox/town-events.js'
import { startTown, type Town } from '../../src/sandbox/town.js'
import { launchChromium, type Browser } from './chromium.js'

/** Records, in the page, every status each DAG node showed. */
const RECORDER = String.raw`
window.__board = { statuses: {} };
new MutationObserver(function () {
  document.querySelectorAll('#dag .node').forEach(function (node) {
    var bead = node.getAttribute('data-bead'), status = node.getAttribute('data-status');
    var list = window.__board.statuses[bead] || (window.__board.statuses[bead] = []);
    if (list[list.length - 1] !== status) list.push(status);
  });
}).observe(document, { subtree: true, childList: true, attributes: true });
`

let browser: Browser | undefined
let town: Town | undefined
let boards: PendingBoards | undefined

afterEach(async () => {
  await boards?.close()
  await browser?.close()
  await town?.close()
  boards = browser = town = undefined
})

describe('the sandbox town on the web board', () => {
  it('shows the todo-api scenario from plan to closed goal, with the review round and the recovered failure', async () => {
    browser = await launchChromium()
    const events = new TownEvents((error) => {
      throw error
    })
    boards = attachTownBoards(events, { terminal: false, web: true })
    const { url } = await boards.ready
    const page = await browser.context.newPage()
    const problems: string[] = []
    page.on('pageerror', (error) => problems.push(error.message))
    page.on('console', (message) => {
      if (message.type() === 'error') problems.push(message.text())
    })
    await page.addInitScript({ content: RECORDER })
    await page.goto(url!)
    await page.locator('#conn.live').waitFor()

    // An empty environment: no model key, so the town replays its built-in scenario.
    town = await startTown({ events, env: {}, workers: 3 })
    const summary: TownSummary = await town.finished
    expect(summary.ok, JSON.stringify(summary.stopped)).toBe(true)
    await page.locator('#finished', { hasText: `goal #${summary.goal.number} closed` }).waitFor()

    const nodes = page.locator('#dag .node')
    expect(await nodes.count()).toBe(summary.totals.beads)
    const statuses = await page.$$eval('#dag .node', (all) =>
      all.map((node) => node.getAttribute('data-status')),
    )
    expect(new Set(statuses)).toEqual(new Set(['completed']))
    expect(await page.locator('#timeline .tl-bar').count()).toBe(summary.totals.beads)
    expect(await page.textContent('#finished')).toContain(
      `${summary.totals.completed} of ${summary.totals.beads} beads completed`,
    )

    const recorded = (await page.evaluate('window.__board.statuses')) as Record<string, string[]>
    const histories = Object.values(recorded)
    // The review sent a bead back (in_review, then in progress again); a failed attempt came back too.
    expect(
      histories.some(
        (h) =>
          h.indexOf('in_progress', h.indexOf('in_review')) > h.indexOf('in_review') &&
          h.includes('in_review'),
      ),
    ).toBe(true)
    expect(histories.some((h) => h.includes('failed') && h.at(-1) === 'completed')).toBe(true)

    // Every PR link of the details points into the emulator's repository.
    const design = summary.beads.find((bead) => bead.key === 'design')!
    await page.click(`#dag .node[data-bead="${design.number}"]`)
    await page.locator(`#detail-body[data-bead="${design.number}"]`).waitFor()
    const hrefs = await page.$$eval('#detail-body a[href^="http"]', (anchors) =>
      anchors.map((a) => a.getAttribute('href')),
    )
    expect(hrefs).toEqual([
      `${town.started.urls.repository}/issues/${design.number}`,
      `${town.started.urls.repository}/pull/${design.pr}`,
    ])

    // The links open the emulator's pages: the pull request with its review and diff, the goal with
    // the Mayor's progress comment (its Mermaid DAG as text, its hidden marker folded away).
    const shots = await mkdtemp(path.join(tmpdir(), 'gastown-sandbox-shot-'))
    const pullPage = await browser.context.newPage()
    pullPage.on('console', (message) => {
      if (message.type() === 'error') problems.push(`pull page: ${message.text()}`)
    })
    await pullPage.goto(hrefs[1]!)
    await pullPage.locator('h1', { hasText: `#${design.pr}` }).waitFor()
    expect(await pullPage.locator('.state.merged').count()).toBe(1)
    expect(await pullPage.locator('.box.file').count()).toBeGreaterThan(0)
    expect(await pullPage.locator('.diff .add').count()).toBeGreaterThan(0)
    await pullPage.screenshot({ path: path.join(shots, 'pull-page.png'), fullPage: true })
    await pullPage.click('header a')
    await pullPage.click(`a[href$="/issues/${summary.goal.number}"]`)
    await pullPage.locator('h1', { hasText: `#${summary.goal.number}` }).waitFor()
    const goalText = await pullPage.textContent('main')
    expect(goalText).toContain('```mermaid\ngraph TD')
    expect(await pullPage.locator('details.markers').count()).toBeGreaterThan(0)
    // The reviewer beads' reviews are on the pages of the pull requests they reviewed.
    let reviews = 0
    for (const bead of summary.beads.filter((item) => item.pr !== null && item.pr !== undefined)) {
      await pullPage.goto(`${town.started.urls.repository}/pull/${bead.pr}`)
      reviews += await pullPage.locator('.box.review').count()
    }
    expect(reviews).toBeGreaterThan(0)
    await pullPage.close()

    await page.screenshot({ path: path.join(shots, 'sandbox-board.png'), fullPage: true })
    console.info(`sandbox board screenshot: ${shots}`)
    expect(problems).toEqual([])
  })
})
