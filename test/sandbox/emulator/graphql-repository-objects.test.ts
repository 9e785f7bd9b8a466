/**
 * The emulator's GraphQL answers a repository's default branch (`defaultBranchRef`) and a file by
 * `object(expression: "<ref>:<path>")` from its git host over real HTTP, as GitHub does: a Blob with its
 * text, a Tree for a directory, null for a path or revision that does not exist, HEAD as the default
 * branch, and a refusal for a token without the "Contents" permission.
 */
import { Octokit } from '@octokit/rest'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import type { Emulator } from '../../../src/sandbox/emulator/emulator.js'
import { octokitAs, quietLog, startTown } from './emulator-fixture.js'
import { cloneRepo, removeClones } from './git-client.js'

let emulator: Emulator

beforeEach(async () => {
  emulator = await startTown()
})
afterEach(async () => {
  await emulator?.close()
  await removeClones()
})

const QUERY = `query($owner: String!, $name: String!, $expression: String!) {
  repository(owner: $owner, name: $name) {
    defaultBranchRef { name prefix target { __typename oid } }
    object(expression: $expression) {
      __typename
      oid
      ... on Blob { text byteSize isTruncated isBinary }
    }
  }
}`

type Answer = {
  repository: {
    defaultBranchRef: { name: string; prefix: string; target: { __typename: string; oid: string } } | null
    object: {
      __typename: string
      oid: string
      text?: string | null
      byteSize?: number
      isTruncated?: boolean
      isBinary?: boolean
    } | null
  }
}

const read = (api: Octokit, expression: string) =>
  api.graphql<Answer>(QUERY, { owner: 'alice', name: 'town', expression })

describe('a repository object and the default branch over GraphQL', () => {
  it('answers the default branch with its head commit, and a file of a branch as a Blob with its text', async () => {
    const alice = octokitAs(emulator, 'alice')
    const head = await emulator.git.resolveRef('alice/town', 'refs/heads/main')
    const answer = await read(alice, 'main:src/index.ts')
    expect(answer.repository.defaultBranchRef).toEqual({
      name: 'main',
      prefix: 'refs/heads/',
      target: { __typename: 'Commit', oid: head },
    })
    const text = 'export const answer = 42\n'
    expect(answer.repository.object).toEqual({
      __typename: 'Blob',
      oid: expect.stringMatching(/^[0-9a-f]{40}$/),
      text,
      byteSize: Buffer.byteLength(text),
      isTruncated: false,
      isBinary: false,
    })
  })

  it('reads HEAD as the default branch, and a pushed branch at its own head', async () => {
    const copy = await cloneRepo(emulator.gitUrl, 'alice/town', emulator.tokenFor('alice'))
    await copy.git('checkout', '--quiet', '-b', 'feature')
    await copy.commit({ 'README.md': '# Feature\n' }, 'change the readme')
    await copy.git('push', '--quiet', 'origin', 'feature')
    const alice = octokitAs(emulator, 'alice')
    expect((await read(alice, 'HEAD:README.md')).repository.object?.text).toBe('# Town\n')
    expect((await read(alice, 'feature:README.md')).repository.object?.text).toBe('# Feature\n')
  })

  it('answers a Tree for a directory, null text for a binary file, and null where nothing exists', async () => {
    const copy = await cloneRepo(emulator.gitUrl, 'alice/town', emulator.tokenFor('alice'))
    await copy.commit({ 'logo.bin': 'PNG\u0000\u0001\u0002' }, 'add a binary file')
    await copy.git('push', '--quiet', 'origin', 'main')
    const alice = octokitAs(emulator, 'alice')
    expect((await read(alice, 'main:src')).repository.object).toEqual({
      __typename: 'Tree',
      oid: expect.stringMatching(/^[0-9a-f]{40}$/),
    })
    expect((await read(alice, 'main:logo.bin')).repository.object).toMatchObject({
      __typename: 'Blob',
      text: null,
      isBinary: true,
      byteSize: 6,
    })
    expect((await read(alice, 'main:.github/gastown.yml')).repository.object).toBeNull()
    expect((await read(alice, 'nowhere:README.md')).repository.object).toBeNull()
  })

  it('refuses the object to a token without the Contents permission, and still answers the branch', async () => {
    await emulator.close()
    emulator = await startTown({ appPermissions: { issues: 'write', metadata: 'read' } })
    const token = emulator.actors.createInstallationToken(emulator.state.installationFor('alice')!.id).token
    const app = new Octokit({ baseUrl: emulator.apiUrl, auth: token, log: quietLog })
    const error = await read(app, 'HEAD:README.md').then(
      () => undefined,
      (e: unknown) => e as { data?: Answer; errors?: { type?: string; message: string }[] },
    )
    expect(error?.errors).toEqual([
      expect.objectContaining({ type: 'FORBIDDEN', message: 'Resource not accessible by integration' }),
    ])
    expect(error?.data?.repository.defaultBranchRef?.name).toBe('main')
    const allowed = await read(octokitAs(emulator, 'alice'), 'HEAD:README.md')
    expect(allowed.repository.object?.text).toBe('# Town\n')
  })
})
