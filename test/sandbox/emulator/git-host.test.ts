import { mkdtemp, readFile, rm, writeFile, mkdir, unlink } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { gzipSync } from 'node:zlib'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import type { Actor, GitHost, PushEvent } from '../../../src/sandbox/emulator/contracts.js'
import { createGitHost } from '../../../src/sandbox/emulator/git-host.js'
import { authedUrl, clientGit, startGitServer, tokenAuthorize } from './git-test-server.js'

const alice: Actor = { login: 'alice', id: 101, type: 'User' }
const reader: Actor = { login: 'reader', id: 102, type: 'User' }
const REPO = 'acme/widgets'

let dir: string
let host: GitHost
let server: { url: string; close(): Promise<void> }
let pushes: PushEvent[]

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'git-host-test-'))
  host = createGitHost({
    root: join(dir, 'repos'),
    authorize: tokenAuthorize([
      { token: 'ghs_write', actor: alice, permission: 'write' },
      { token: 'ghs_read', actor: reader, permission: 'read' },
    ]),
  })
  pushes = []
  host.onPush((event) => pushes.push(event))
  server = await startGitServer(host)
})

afterEach(async () => {
  await server.close()
  await host.close()
  await rm(dir, { recursive: true, force: true })
})

async function ok(args: string[], cwd: string): Promise<string> {
  const result = await clientGit(args, cwd)
  if (result.code !== 0) throw new Error(`git ${args.join(' ')} failed: ${result.stderr}`)
  return result.stdout.trim()
}

/** Clones the repository with the writer's token into a fresh directory. */
async function cloneWorkdir(name = 'work'): Promise<string> {
  const work = join(dir, name)
  await ok(['clone', '--quiet', authedUrl(server.url, 'ghs_write', REPO), work], dir)
  return work
}

/** Writes files (null deletes), commits them on the current branch, and answers the new sha. */
async function commitFiles(
  work: string,
  files: Record<string, string | null>,
  message: string,
): Promise<string> {
  for (const [path, content] of Object.entries(files)) {
    const full = join(work, path)
    if (content === null) {
      await unlink(full)
    } else {
      await mkdir(dirname(full), { recursive: true })
      await writeFile(full, content)
    }
  }
  await ok(['add', '-A'], work)
  await ok(['commit', '--quiet', '-m', message], work)
  return ok(['rev-parse', 'HEAD'], work)
}

describe('createGitHost', () => {
  it('creates a repository whose default branch holds the files in one commit', async () => {
    const { headSha } = await host.createRepo(REPO, {
      defaultBranch: 'trunk',
      files: { 'README.md': '# Widgets\n', 'src/index.ts': 'export {}\n' },
    })
    expect(await host.branches(REPO)).toEqual([{ name: 'trunk', sha: headSha }])
    expect(await host.resolveRef(REPO, 'refs/heads/trunk')).toBe(headSha)
    expect((await host.readFile(REPO, 'trunk', 'src/index.ts'))?.toString()).toBe('export {}\n')
    expect(await host.readFile(REPO, headSha, 'missing.txt')).toBeNull()
    expect(await host.listTree(REPO, 'trunk')).toEqual([
      { path: 'README.md', type: 'blob', sha: expect.stringMatching(/^[0-9a-f]{40}$/), size: 10 },
      { path: 'src', type: 'tree', sha: expect.stringMatching(/^[0-9a-f]{40}$/) },
    ])
    expect((await host.listTree(REPO, 'trunk', 'src')).map((entry) => entry.path)).toEqual(['src/index.ts'])
    expect(await host.hasCommit(REPO, headSha)).toBe(true)
    expect(await host.hasCommit(REPO, 'f'.repeat(40))).toBe(false)
  })

  it('serves a clone over smart HTTP with the token as the Basic password', async () => {
    const { headSha } = await host.createRepo(REPO, { defaultBranch: 'main', files: { 'a.txt': 'hello\n' } })
    const work = await cloneWorkdir()
    expect(await readFile(join(work, 'a.txt'), 'utf8')).toBe('hello\n')
    expect(await ok(['rev-parse', 'HEAD'], work)).toBe(headSha)
    expect(await ok(['rev-parse', '--abbrev-ref', 'HEAD'], work)).toBe('main')
  })

  it('accepts a push of a new branch and reports the moved ref once with its pusher', async () => {
    const { headSha } = await host.createRepo(REPO, { defaultBranch: 'main', files: { 'a.txt': 'one\n' } })
    const work = await cloneWorkdir()
    await ok(['checkout', '--quiet', '-b', 'gastown/12-api'], work)
    const sha = await commitFiles(work, { 'a.txt': 'two\n' }, 'Change a')
    await ok(['push', '--quiet', 'origin', 'gastown/12-api'], work)
    expect(pushes).toEqual([
      { repo: REPO, ref: 'refs/heads/gastown/12-api', before: '0'.repeat(40), after: sha, pusher: alice },
    ])
    expect(await host.resolveRef(REPO, 'refs/heads/gastown/12-api')).toBe(sha)
    expect(await host.resolveRef(REPO, 'refs/heads/main')).toBe(headSha)
  })

  it('finds a commit, its files and its branch once pushed, after answering that they are missing', async () => {
    await host.createRepo(REPO, { defaultBranch: 'main', files: { 'README.md': '# Widgets\n' } })
    const work = await cloneWorkdir()
    await ok(['checkout', '--quiet', '-b', 'feature'], work)
    const sha = await commitFiles(work, { 'a.txt': 'a\n' }, 'add a')
    // Asked before the push: the host remembers only what exists, as commits never change.
    expect(await host.hasCommit(REPO, sha)).toBe(false)
    expect(await host.readFile(REPO, sha, 'a.txt')).toBeNull()
    expect(await host.resolveRef(REPO, 'refs/heads/feature')).toBeNull()
    await ok(['push', '--quiet', 'origin', 'feature'], work)
    expect(await host.hasCommit(REPO, sha)).toBe(true)
    expect((await host.readFile(REPO, sha, 'a.txt'))?.toString()).toBe('a\n')
    expect(await host.resolveRef(REPO, 'refs/heads/feature')).toBe(sha)
    expect((await host.readFile(REPO, 'feature', 'a.txt'))?.toString()).toBe('a\n')
    // A branch that moves is read again: its ref file, not a remembered answer.
    const next = await commitFiles(work, { 'a.txt': 'b\n' }, 'change a')
    await ok(['push', '--quiet', 'origin', 'feature'], work)
    expect(await host.resolveRef(REPO, 'refs/heads/feature')).toBe(next)
    expect((await host.readFile(REPO, 'feature', 'a.txt'))?.toString()).toBe('b\n')
  })

  it('reports each ref of a multi-ref push, and nothing for a push that moves nothing', async () => {
    await host.createRepo(REPO, { defaultBranch: 'main', files: { 'a.txt': 'one\n' } })
    const work = await cloneWorkdir()
    const before = await ok(['rev-parse', 'HEAD'], work)
    const after = await commitFiles(work, { 'b.txt': 'b\n' }, 'Add b')
    await ok(['push', '--quiet', 'origin', 'HEAD:refs/heads/main', 'HEAD:refs/heads/copy'], work)
    expect(pushes.map((event) => [event.ref, event.before, event.after]).sort()).toEqual([
      ['refs/heads/copy', '0'.repeat(40), after],
      ['refs/heads/main', before, after],
    ])
    await ok(['push', '--quiet', 'origin', 'HEAD:refs/heads/main'], work)
    expect(pushes).toHaveLength(2)
  })

  it('refuses a push with a read-only token and changes nothing', async () => {
    const { headSha } = await host.createRepo(REPO, { defaultBranch: 'main', files: { 'a.txt': 'one\n' } })
    const work = join(dir, 'ro')
    await ok(['clone', '--quiet', authedUrl(server.url, 'ghs_read', REPO), work], dir)
    await commitFiles(work, { 'a.txt': 'two\n' }, 'Change a')
    const push = await clientGit(['push', 'origin', 'main'], work)
    expect(push.code).not.toBe(0)
    expect(push.stderr).toMatch(/403/)
    expect(await host.resolveRef(REPO, 'refs/heads/main')).toBe(headSha)
    expect(pushes).toEqual([])
  })

  it('answers 401 with a GitHub Basic challenge when the token is missing or wrong', async () => {
    await host.createRepo(REPO, { defaultBranch: 'main' })
    const anonymous = await fetch(`${server.url}/${REPO}.git/info/refs?service=git-upload-pack`)
    expect(anonymous.status).toBe(401)
    expect(anonymous.headers.get('www-authenticate')).toBe('Basic realm="GitHub"')
    const wrong = await clientGit(['clone', authedUrl(server.url, 'ghs_wrong', REPO), join(dir, 'x')], dir)
    expect(wrong.code).not.toBe(0)
    expect(wrong.stderr).toMatch(/Authentication failed|401/)
  })

  it('answers 404 for an unknown repository and leaves non-git paths to the caller', async () => {
    const auth = { authorization: `Basic ${Buffer.from('x-access-token:ghs_write').toString('base64')}` }
    const missing = await fetch(`${server.url}/acme/nothing.git/info/refs?service=git-upload-pack`, {
      headers: auth,
    })
    expect(missing.status).toBe(404)
    const other = await fetch(`${server.url}/repos/acme/widgets`, { headers: auth })
    expect(await other.text()).toBe('not a git path')
  })

  it('reads gzip-compressed request bodies as git clients send them', async () => {
    const { headSha } = await host.createRepo(REPO, { defaultBranch: 'main' })
    const pkt = (text: string) => (text.length + 4).toString(16).padStart(4, '0') + text
    const body = gzipSync(Buffer.from(`${pkt('command=ls-refs\n')}0001${pkt('peel\n')}0000`))
    const response = await fetch(`${server.url}/${REPO}.git/git-upload-pack`, {
      method: 'POST',
      headers: {
        authorization: `Basic ${Buffer.from('x-access-token:ghs_read').toString('base64')}`,
        'content-type': 'application/x-git-upload-pack-request',
        'content-encoding': 'gzip',
        'git-protocol': 'version=2',
      },
      body,
    })
    expect(response.status).toBe(200)
    expect(await response.text()).toContain(`${headSha} refs/heads/main`)
  })

  it('lets exactly one of ten concurrent creations of one ref win', async () => {
    const { headSha } = await host.createRepo(REPO, { defaultBranch: 'main' })
    const results = await Promise.all(
      Array.from({ length: 10 }, () => host.createRef(REPO, 'refs/gastown/claims/7-1', headSha)),
    )
    expect(results.filter(Boolean)).toHaveLength(1)
    expect(await host.listRefs(REPO, 'refs/gastown/')).toEqual([
      { ref: 'refs/gastown/claims/7-1', sha: headSha },
    ])
    expect(await host.createRef(REPO, 'refs/gastown/claims/7-1', headSha)).toBe(false)
  })

  it('moves refs only forward unless forced, and deletes only what exists', async () => {
    const { headSha } = await host.createRepo(REPO, { defaultBranch: 'main', files: { 'a.txt': '1\n' } })
    const work = await cloneWorkdir()
    const next = await commitFiles(work, { 'a.txt': '2\n' }, 'Two')
    await ok(['push', '--quiet', 'origin', 'HEAD:refs/heads/next'], work)
    expect(await host.createRef(REPO, 'refs/heads/feature', headSha)).toBe(true)
    expect(await host.updateRef(REPO, 'refs/heads/feature', next, false)).toBe(true)
    expect(await host.updateRef(REPO, 'refs/heads/feature', headSha, false)).toBe(false)
    expect(await host.resolveRef(REPO, 'refs/heads/feature')).toBe(next)
    expect(await host.updateRef(REPO, 'refs/heads/feature', headSha, true)).toBe(true)
    expect(await host.resolveRef(REPO, 'refs/heads/feature')).toBe(headSha)
    expect(await host.updateRef(REPO, 'refs/heads/absent', headSha, true)).toBe(false)
    expect(await host.deleteRef(REPO, 'refs/heads/feature')).toBe(true)
    expect(await host.deleteRef(REPO, 'refs/heads/feature')).toBe(false)
    expect(await host.resolveRef(REPO, 'refs/heads/feature')).toBeNull()
  })

  it('merges head into base as a commit with two parents, authored by the merger', async () => {
    await host.createRepo(REPO, { defaultBranch: 'main', files: { 'a.txt': 'a\n', 'b.txt': 'b\n' } })
    const work = await cloneWorkdir()
    await ok(['checkout', '--quiet', '-b', 'feature'], work)
    const head = await commitFiles(work, { 'a.txt': 'a from feature\n' }, 'Feature')
    await ok(['push', '--quiet', 'origin', 'feature'], work)
    await ok(['checkout', '--quiet', 'main'], work)
    const base = await commitFiles(work, { 'b.txt': 'b from main\n' }, 'Main')
    await ok(['push', '--quiet', 'origin', 'main'], work)

    expect(await host.mergeable(REPO, 'main', 'feature')).toBe(true)
    const result = await host.merge(REPO, {
      base: 'main',
      head: 'feature',
      message: 'Merge pull request #3 from acme/feature',
      method: 'merge',
      author: alice,
    })
    if (!('sha' in result)) throw new Error('expected a merge commit')
    expect(await host.resolveRef(REPO, 'refs/heads/main')).toBe(result.sha)
    await ok(['fetch', '--quiet', 'origin'], work)
    expect(await ok(['log', '-1', '--format=%P', result.sha], work)).toBe(`${base} ${head}`)
    expect(await ok(['log', '-1', '--format=%an <%ae>|%s', result.sha], work)).toBe(
      'alice <101+alice@users.noreply.github.com>|Merge pull request #3 from acme/feature',
    )
    expect((await host.readFile(REPO, 'main', 'a.txt'))?.toString()).toBe('a from feature\n')
    expect((await host.readFile(REPO, 'main', 'b.txt'))?.toString()).toBe('b from main\n')
  })

  it('squashes head into one commit with base as its only parent', async () => {
    const { headSha: base } = await host.createRepo(REPO, {
      defaultBranch: 'main',
      files: { 'a.txt': 'a\n' },
    })
    const work = await cloneWorkdir()
    await ok(['checkout', '--quiet', '-b', 'feature'], work)
    await commitFiles(work, { 'a.txt': 'a1\n' }, 'One')
    await commitFiles(work, { 'c.txt': 'c\n' }, 'Two')
    await ok(['push', '--quiet', 'origin', 'feature'], work)
    const result = await host.merge(REPO, {
      base: 'main',
      head: 'feature',
      message: 'Feature (#4)',
      method: 'squash',
      author: alice,
    })
    if (!('sha' in result)) throw new Error('expected a squash commit')
    await ok(['fetch', '--quiet', 'origin'], work)
    expect(await ok(['log', '-1', '--format=%P|%s', result.sha], work)).toBe(`${base}|Feature (#4)`)
    expect((await host.readFile(REPO, 'main', 'a.txt'))?.toString()).toBe('a1\n')
    expect((await host.readFile(REPO, 'main', 'c.txt'))?.toString()).toBe('c\n')
  })

  it('reports a conflict and leaves base where it was', async () => {
    await host.createRepo(REPO, { defaultBranch: 'main', files: { 'a.txt': 'a\n' } })
    const work = await cloneWorkdir()
    await ok(['checkout', '--quiet', '-b', 'feature'], work)
    await commitFiles(work, { 'a.txt': 'feature\n' }, 'Feature')
    await ok(['push', '--quiet', 'origin', 'feature'], work)
    await ok(['checkout', '--quiet', 'main'], work)
    const base = await commitFiles(work, { 'a.txt': 'main\n' }, 'Main')
    await ok(['push', '--quiet', 'origin', 'main'], work)
    expect(await host.mergeable(REPO, 'main', 'feature')).toBe(false)
    const result = await host.merge(REPO, {
      base: 'main',
      head: 'feature',
      message: 'm',
      method: 'merge',
      author: alice,
    })
    expect(result).toEqual({ conflict: true })
    expect(await host.resolveRef(REPO, 'refs/heads/main')).toBe(base)
  })

  it('compares head with its merge base as GitHub files with unified-diff hunks', async () => {
    await host.createRepo(REPO, {
      defaultBranch: 'main',
      files: { 'keep.txt': 'one\ntwo\nthree\n', 'gone.txt': 'bye\n', 'old-name.txt': 'same content here\n' },
    })
    const work = await cloneWorkdir()
    await ok(['checkout', '--quiet', '-b', 'feature'], work)
    const first = await commitFiles(
      work,
      { 'keep.txt': 'one\n2\nthree\nfour\n', 'gone.txt': null },
      'Edit and remove',
    )
    await ok(['mv', 'old-name.txt', 'new-name.txt'], work)
    const second = await commitFiles(
      work,
      { 'added/new.ts': 'export const x = 1\n' },
      'Add and rename\n\nWith a body.',
    )
    await ok(['push', '--quiet', 'origin', 'feature'], work)
    // A later commit on base must not show up in the comparison.
    await ok(['checkout', '--quiet', 'main'], work)
    await commitFiles(work, { 'base-only.txt': 'x\n' }, 'Base only')
    await ok(['push', '--quiet', 'origin', 'main'], work)

    const result = await host.compare(REPO, 'main', 'feature')
    expect(result.commits).toEqual([
      { sha: first, message: 'Edit and remove' },
      { sha: second, message: 'Add and rename\n\nWith a body.' },
    ])
    const byName = Object.fromEntries(result.files.map((file) => [file.filename, file]))
    expect(Object.keys(byName).sort()).toEqual(['added/new.ts', 'gone.txt', 'keep.txt', 'new-name.txt'])
    expect(byName['keep.txt']).toEqual({
      filename: 'keep.txt',
      status: 'modified',
      additions: 2,
      deletions: 1,
      changes: 3,
      patch: '@@ -1,3 +1,4 @@\n one\n-two\n+2\n three\n+four',
    })
    expect(byName['gone.txt']).toMatchObject({
      status: 'removed',
      additions: 0,
      deletions: 1,
      patch: '@@ -1 +0,0 @@\n-bye',
    })
    expect(byName['added/new.ts']).toMatchObject({
      status: 'added',
      additions: 1,
      deletions: 0,
      patch: '@@ -0,0 +1 @@\n+export const x = 1',
    })
    expect(byName['new-name.txt']).toEqual({
      filename: 'new-name.txt',
      status: 'renamed',
      previous_filename: 'old-name.txt',
      additions: 0,
      deletions: 0,
      changes: 0,
    })
    const mainSha = await host.resolveRef(REPO, 'refs/heads/main')
    expect(result.mergeBase).not.toBe(mainSha)
  })
})
