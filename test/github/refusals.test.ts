/** src/github tells GitHub's 422s apart by what GitHub said: "already done" is not "refused". */
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import type { Emulator } from '../../src/sandbox/emulator/emulator.js'
import { createGitHubClient } from '../../src/github/client.js'
import { createRef } from '../../src/github/refs.js'
import { addBlockedBy, addSubIssue, createSubIssue } from '../../src/github/sub-issues.js'
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

describe('createSubIssue', () => {
  it('creates the issue with its labels under its parent in one request, and throws a refusal in GitHub words', async () => {
    const parent = await issue('goal')
    const alice = octokitAs(emulator, 'alice')
    const { data: label } = await alice.rest.issues.createLabel({
      ...repo,
      name: 'gastown:bead',
      color: 'bfd4f2',
    })
    const { data: repository } = await alice.rest.repos.get(repo)
    const { data: goal } = await alice.rest.issues.get({ ...repo, issue_number: parent.number })
    const target = { repositoryId: repository.node_id, parentId: goal.node_id, labelIds: [label.node_id] }
    const created = await createSubIssue(api(), repo, target, { title: 'a bead', body: 'marker' })
    expect(created).toMatchObject({ number: parent.number + 1, title: 'a bead', labels: ['gastown:bead'] })
    const { data: children } = await alice.request(
      'GET /repos/{owner}/{repo}/issues/{issue_number}/sub_issues',
      {
        ...repo,
        issue_number: parent.number,
      },
    )
    expect(children.map((child) => child.number)).toEqual([parent.number + 1])
    await expect(
      createSubIssue(api(), repo, { ...target, labelIds: ['LA_gone'] }, { title: 'b', body: '' }),
    ).rejects.toThrow(
      /GitHub refused to create the sub-issue "b" in alice\/town: .*Could not resolve to a node with the global id of 'LA_gone'/,
    )
  })

  it("answers unsupported when GitHub's schema has no parentIssueId (an older Enterprise Server)", async () => {
    // GitHub Enterprise Server before sub-issues refuses the document itself, in graphql-ruby's words.
    const server = createServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' })
      res.end(
        JSON.stringify({
          errors: [
            {
              path: ['mutation CreateSubIssue', 'createIssue', 'input', 'parentIssueId'],
              extensions: { code: 'argumentNotAccepted', name: 'CreateIssueInput', typeName: 'InputObject' },
              locations: [{ line: 2, column: 3 }],
              message: "InputObject 'CreateIssueInput' doesn't accept argument 'parentIssueId'",
            },
          ],
        }),
      )
    })
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
    try {
      const old = createGitHubClient({
        token: 'ghs_old',
        baseUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
        writeSpacingMs: 1,
      })
      const target = { repositoryId: 'R_1', parentId: 'I_1', labelIds: [] }
      expect(await createSubIssue(old, repo, target, { title: 't', body: '' })).toBe('unsupported')
    } finally {
      await new Promise((resolve) => server.close(resolve))
    }
  })
})
