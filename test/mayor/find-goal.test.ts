/** Routing an event to its goal: from the marker on GitHub, or from a marker a step already read. */
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { BotIdentity } from '../../src/mayor/bot-identity.js'
import { FactsCache } from '../../src/mayor/facts-cache.js'
import { goalOfBead, goalOfRun } from '../../src/mayor/find-goal.js'
import type { MayorLog } from '../../src/mayor/mayor-deps.js'
import type { Emulator } from '../../src/sandbox/emulator/emulator.js'
import { octokitAs, startTown } from '../sandbox/emulator/emulator-fixture.js'

const repo = { owner: 'alice', repo: 'town' }
const quiet: MayorLog = { info() {}, warn() {}, error() {}, debug() {}, child: () => quiet }
let emulator: Emulator

beforeEach(async () => {
  emulator = await startTown()
})
afterEach(async () => {
  await emulator?.close()
})

describe('the goal of a bead', () => {
  it("answers from a marker a step read, without a request, and otherwise reads the issue and trusts only the bot's", async () => {
    const alice = octokitAs(emulator, 'alice')
    // A forged bead: a marker naming goal 1, written by a person, not by the Mayor's bot.
    const { data: forged } = await alice.rest.issues.create({
      ...repo,
      title: 'forged bead',
      body: 'x\n\n<!-- gastown:bead {"v":1,"goal":1,"key":"api","deps":[],"attempt":1} -->',
      labels: ['gastown:bead', 'gastown:role/developer', 'gastown:status/ready'],
    })
    const bot = new BotIdentity(async () => alice, quiet)
    const facts = new FactsCache(() => 0)

    let before = emulator.requests().length
    expect(await goalOfBead(bot, alice, repo, forged.number, facts)).toBeUndefined()
    expect(
      emulator
        .requests()
        .slice(before)
        .map((r) => r.route),
    ).toContain('/repos/{owner}/{repo}/issues/{issue_number}')

    facts.noteBeadGoal(repo, 7, 3)
    before = emulator.requests().length
    expect(await goalOfBead(bot, alice, repo, 7, facts)).toBe(3)
    expect(emulator.requests().length).toBe(before)
  })

  it('finds the goal of a run it dispatched without listing the bead issues, and lists them for a run it never saw', async () => {
    const alice = octokitAs(emulator, 'alice')
    const bot = new BotIdentity(async () => alice, quiet)
    const facts = new FactsCache(() => 0)
    facts.noteRunBead(repo, '41', 7)
    facts.noteBeadGoal(repo, 7, 3)

    let before = emulator.requests().length
    expect(await goalOfRun(bot, alice, repo, '41', facts)).toBe(3)
    expect(emulator.requests().length).toBe(before)

    before = emulator.requests().length
    expect(await goalOfRun(bot, alice, repo, '42', facts)).toBeUndefined()
    expect(
      emulator
        .requests()
        .slice(before)
        .map((r) => r.route),
    ).toContain('/repos/{owner}/{repo}/issues')
  })
})
