/** src/github tells GitHub's 422s apart by what GitHub said: "already done" is not "refused". */
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import type { Emulator } from '../../src/sandbox/emulator/emulator.js'
import { createGitHubClient } from '../../src/github/client.js'
import { createRef } from '../../src/github/refs.js'
import { addBlockedBy, addSubIssue } from '../../src/github/sub-issues.js'
import { octokitAs, startTown } from '../sandbox/emulator/emulator-fixture.js'

let emulator: Emulator
let now = Date.parse('2026-01-01T00:00:00Z')
const repo = { owner: 'alice', repo: 'town' }

beforeEach(async () => {
  now = Date.parse('2026-01-01T00:00:00Z')
  emulator = await startTown({ clock: () => now })
})

afterEach(async () => {
  await emulator?.close()
})

const api = () =>
  createGitHubClient({ token: emulator.tokenFor('alice'), baseUrl: emulator.apiUrl, writeSpacingMs: 1 })

async function issue(title: string): Promise<{ id: number; number: number }> {
  now += 1_000
  const { data } = await octokitAs(emulator, 'alice').rest.issues.create({ ...repo, title })
  return { id: data.id, number: data.number }
}

describe('addSubIssue', () => {
  it('reads "duplicate sub-issues" as already linked, and throws the 100-sub-issue cap in GitHub words', async () => {
    const parent = await issue('parent')
    const first = await issue('child 0')
    expect(await addSubIssue(api(), repo, parent.number, first.id)).toBe('linked')
    expect(await addSubIssue(api(), repo, parent.number, first.id)).toBe('already')
    for (let i = 1; i < 100; i += 1) {
      const child = await issue(`child ${i}`)
      now += 1_000
      await addSubIssue(api(), repo, parent.number, child.id)
    }
    const extra = await issue('child 100')
    await expect(addSubIssue(api(), repo, parent.number, extra.id)).rejects.toThrow(
      /GitHub refused to link issue id \d+ under #1 in alice\/town: Validation Failed: Parent cannot have more than 100 sub-issues/,
    )
  })
})

describe('addBlockedBy', () => {
  it('reads "already exists" as already linked, and throws any other 422 with what GitHub said', async () => {
    const blocked = await issue('blocked')
    const blocker = await issue('blocker')
    expect(await addBlockedBy(api(), repo, blocked.number, blocker.id)).toBe('linked')
    expect(await addBlockedBy(api(), repo, blocked.number, blocker.id)).toBe('already')
    await expect(addBlockedBy(api(), repo, blocker.number, blocked.id)).rejects.toThrow(
      /GitHub refused to record #2 as blocked by issue id \d+ in alice\/town: .*Dependency would create a cycle/,
    )
  })
})

describe('createRef', () => {
  it('reads "Reference already exists" as claimed elsewhere, and throws an unknown sha as a refusal', async () => {
    const sha = (await emulator.git.resolveRef('alice/town', 'refs/heads/main'))!
    expect(await createRef(api(), repo, 'refs/gastown/claims/1-1', sha)).toBe('created')
    expect(await createRef(api(), repo, 'refs/gastown/claims/1-1', sha)).toBe('exists')
    await expect(createRef(api(), repo, 'refs/gastown/claims/2-1', 'f'.repeat(40))).rejects.toThrow(
      'GitHub refused to create refs/gastown/claims/2-1 in alice/town: Object does not exist',
    )
  })
})
