import { afterEach, describe, expect, it } from 'vitest'
import type { Emulator } from '../../../src/sandbox/emulator/emulator.js'
import { octokitAs, startTown } from './emulator-fixture.js'

let emulator: Emulator | undefined
/** The emulator's clock, moved by hand so no test waits for a window to pass. */
let now = Date.parse('2026-01-01T00:00:00Z')

afterEach(async () => {
  await emulator?.close()
  emulator = undefined
})

async function town(): Promise<Emulator> {
  now = Date.parse('2026-01-01T00:00:00Z')
  emulator = await startTown({ clock: () => now })
  return emulator
}

/** The whole error answer of a refused call. */
async function refusal(
  promise: Promise<unknown>,
): Promise<{ status: number; data: Record<string, unknown>; headers: Record<string, string> }> {
  try {
    await promise
  } catch (error) {
    const e = error as {
      status: number
      response: { data: Record<string, unknown>; headers: Record<string, string> }
    }
    return { status: e.status, data: e.response.data, headers: e.response.headers }
  }
  throw new Error('expected the request to be refused, but it succeeded')
}

const repo = { owner: 'alice', repo: 'town' }

describe('size limits', () => {
  it('refuses an issue body over 65,536 characters and a title over 256, as GitHub words it', async () => {
    const alice = octokitAs(await town(), 'alice')
    await alice.rest.issues.create({ ...repo, title: 't'.repeat(256), body: 'b'.repeat(65_536) })
    const body = await refusal(alice.rest.issues.create({ ...repo, title: 'x', body: 'b'.repeat(65_537) }))
    expect(body.status).toBe(422)
    expect(body.data).toMatchObject({
      message: 'Validation Failed',
      errors: [
        {
          resource: 'Issue',
          field: 'body',
          code: 'custom',
          message: 'body is too long (maximum is 65536 characters)',
        },
      ],
    })
    const title = await refusal(alice.rest.issues.create({ ...repo, title: 't'.repeat(257) }))
    expect(title.data.errors).toEqual([
      {
        resource: 'Issue',
        field: 'title',
        code: 'custom',
        message: 'title is too long (maximum is 256 characters)',
      },
    ])
    // An edit is held to the same limit.
    const edit = await refusal(
      alice.rest.issues.update({ ...repo, issue_number: 1, body: 'é'.repeat(65_537) }),
    )
    expect(edit.status).toBe(422)
  })

  it('counts characters, not UTF-16 units: 65,536 emoji fit', async () => {
    const alice = octokitAs(await town(), 'alice')
    const created = await alice.rest.issues.create({ ...repo, title: 'x', body: '🏛'.repeat(65_536) })
    expect(created.status).toBe(201)
  })

  it('refuses a comment body over the limit with the IssueComment error, on create and on edit', async () => {
    const alice = octokitAs(await town(), 'alice')
    await alice.rest.issues.create({ ...repo, title: 'x' })
    const created = await alice.rest.issues.createComment({
      ...repo,
      issue_number: 1,
      body: 'c'.repeat(65_536),
    })
    const refused = await refusal(
      alice.rest.issues.createComment({ ...repo, issue_number: 1, body: 'c'.repeat(65_537) }),
    )
    expect(refused.status).toBe(422)
    expect(refused.data.errors).toEqual([
      {
        resource: 'IssueComment',
        field: 'data',
        code: 'unprocessable',
        message: 'Body is too long (maximum is 65536 characters)',
      },
    ])
    const edit = await refusal(
      alice.rest.issues.updateComment({ ...repo, comment_id: created.data.id, body: 'c'.repeat(70_000) }),
    )
    expect(edit.status).toBe(422)
  })

  it('refuses a label name over 50 characters, made directly or through an issue', async () => {
    const alice = octokitAs(await town(), 'alice')
    await alice.rest.issues.createLabel({ ...repo, name: 'l'.repeat(50) })
    const direct = await refusal(alice.rest.issues.createLabel({ ...repo, name: 'l'.repeat(51) }))
    expect(direct.data.errors).toEqual([
      {
        resource: 'Label',
        field: 'name',
        code: 'custom',
        message: 'name is too long (maximum is 50 characters)',
      },
    ])
    const viaIssue = await refusal(
      alice.rest.issues.create({ ...repo, title: 'x', labels: ['m'.repeat(51)] }),
    )
    expect(viaIssue.status).toBe(422)
    expect(viaIssue.data.errors).toEqual([
      { value: 'm'.repeat(51), resource: 'Label', field: 'name', code: 'invalid' },
    ])
  })

  it('refuses a pull request body over the limit', async () => {
    const alice = octokitAs(await town(), 'alice')
    const pr = await refusal(
      alice.rest.pulls.create({
        ...repo,
        title: 'x',
        head: 'feature',
        base: 'main',
        body: 'p'.repeat(65_537),
      }),
    )
    expect(pr.data.errors).toEqual([
      {
        resource: 'PullRequest',
        field: 'body',
        code: 'custom',
        message: 'body is too long (maximum is 65536 characters)',
      },
    ])
  })

  it('refuses workflow_dispatch inputs whose JSON is over 65,535 characters', async () => {
    const alice = octokitAs(await town(), 'alice')
    const refused = await refusal(
      alice.rest.actions.createWorkflowDispatch({
        ...repo,
        workflow_id: 'worker.yml',
        ref: 'main',
        inputs: { text: 'i'.repeat(65_536) },
      }),
    )
    expect(refused.status).toBe(422)
    expect(String(refused.data.message)).toMatch(/maximum payload for inputs is 65535 characters/)
  })
})

describe('link limits', () => {
  it('refuses a 101st sub-issue, closed sub-issues included', async () => {
    const e = await town()
    const alice = octokitAs(e, 'alice')
    await alice.rest.issues.create({ ...repo, title: 'parent' })
    for (let i = 1; i <= 101; i += 1) {
      now += 1_000
      const child = await alice.rest.issues.create({ ...repo, title: `child ${i}` })
      now += 1_000
      const link = alice.request('POST /repos/{owner}/{repo}/issues/{issue_number}/sub_issues', {
        ...repo,
        issue_number: 1,
        sub_issue_id: child.data.id,
      })
      if (i <= 100) {
        await link
        if (i === 1)
          await alice.rest.issues.update({ ...repo, issue_number: child.data.number, state: 'closed' })
        continue
      }
      const refused = await refusal(link)
      expect(refused.status).toBe(422)
      expect(refused.data.errors).toEqual([
        {
          resource: 'Issue',
          field: 'sub_issue_id',
          code: 'invalid',
          message: 'Parent cannot have more than 100 sub-issues',
        },
      ])
    }
  })

  it('refuses a 51st blocked-by link', async () => {
    const e = await town()
    const alice = octokitAs(e, 'alice')
    await alice.rest.issues.create({ ...repo, title: 'blocked' })
    for (let i = 1; i <= 51; i += 1) {
      now += 2_000
      const blocker = await alice.rest.issues.create({ ...repo, title: `blocker ${i}` })
      const link = alice.request('POST /repos/{owner}/{repo}/issues/{issue_number}/dependencies/blocked_by', {
        ...repo,
        issue_number: 1,
        issue_id: blocker.data.id,
      })
      if (i <= 50) {
        await link
        continue
      }
      const refused = await refusal(link)
      expect(refused.status).toBe(422)
      expect(refused.data.errors).toEqual([
        {
          resource: 'IssueDependency',
          field: 'issue_id',
          code: 'invalid',
          message: 'Issue cannot be blocked by more than 50 issues',
        },
      ])
    }
  })
})

describe('secondary rate limit on content creation', () => {
  it('refuses the 81st content-creating request in a minute with 403 and retry-after, then allows it once the minute has passed', async () => {
    const e = await town()
    const alice = octokitAs(e, 'alice')
    for (let i = 0; i < 80; i += 1) await alice.rest.issues.create({ ...repo, title: `issue ${i}` })
    // Reading is not creating content.
    await alice.rest.issues.get({ ...repo, issue_number: 1 })
    const refused = await refusal(alice.rest.issues.create({ ...repo, title: 'one too many' }))
    expect(refused.status).toBe(403)
    expect(String(refused.data.message)).toMatch(/^You have exceeded a secondary rate limit/)
    expect(refused.data.documentation_url).toMatch(/#about-secondary-rate-limits$/)
    expect(refused.headers['retry-after']).toBe('60')
    // Bob has a budget of his own.
    await octokitAs(e, 'bob').rest.issues.create({ ...repo, title: 'bob' })
    now += 30_000
    expect(
      (await refusal(alice.rest.issues.create({ ...repo, title: 'still too many' }))).headers['retry-after'],
    ).toBe('30')
    now += 30_001
    expect((await alice.rest.issues.create({ ...repo, title: 'next minute' })).status).toBe(201)
  })

  it('refuses the 501st content-creating request in an hour, though no minute held more than 80', async () => {
    const e = await town()
    const alice = octokitAs(e, 'alice')
    for (let i = 0; i < 500; i += 1) {
      if (i % 50 === 0) now += 60_000
      await alice.rest.issues.create({ ...repo, title: `issue ${i}` })
    }
    now += 60_000
    const refused = await refusal(alice.rest.issues.create({ ...repo, title: 'one too many' }))
    expect(refused.status).toBe(403)
    // The oldest of the hour's 500 leaves the window 3600 s after it was made: 11 minutes from now.
    expect(Number(refused.headers['retry-after'])).toBe(3_600 - 10 * 60)
  })

  it('compresses its windows by timeScale, for a sandbox whose clients compress their waits', async () => {
    now = Date.parse('2026-01-01T00:00:00Z')
    emulator = await startTown({ clock: () => now, timeScale: 100 })
    const alice = octokitAs(emulator, 'alice')
    for (let i = 0; i < 80; i += 1) await alice.rest.issues.create({ ...repo, title: `issue ${i}` })
    expect((await refusal(alice.rest.issues.create({ ...repo, title: 'x' }))).headers['retry-after']).toBe(
      '60',
    )
    now += 600
    expect((await alice.rest.issues.create({ ...repo, title: 'a GitHub minute later' })).status).toBe(201)
  })
})
