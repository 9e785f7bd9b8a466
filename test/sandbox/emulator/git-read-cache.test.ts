import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { git } from '../../../src/sandbox/emulator/git-exec.js'
import { branchHead, ImmutableReads } from '../../../src/sandbox/emulator/git-read-cache.js'

let dir: string
let first: string
let second: string

const inRepo = (args: string[], input?: string) => git(['--git-dir', dir, ...args], { input })

async function commit(message: string, parent?: string): Promise<string> {
  const tree = (await inRepo(['mktree'], '')).trim()
  const env = ['-c', 'user.name=t', '-c', 'user.email=t@example.com']
  const out = await git([
    '--git-dir',
    dir,
    ...env,
    'commit-tree',
    tree,
    ...(parent ? ['-p', parent] : []),
    '-m',
    message,
  ])
  return out.trim()
}

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'git-read-cache-'))
  await git(['init', '--quiet', '--bare', dir])
  first = await commit('first')
  second = await commit('second', first)
  await inRepo(['update-ref', 'refs/heads/main', first])
})

afterEach(async () => {
  await rm(dir, { recursive: true, force: true })
})

describe('branchHead', () => {
  it('reads a loose branch as git does, by name or full ref', async () => {
    expect(await branchHead(dir, 'main')).toBe(first)
    expect(await branchHead(dir, 'refs/heads/main')).toBe(first)
    await inRepo(['update-ref', 'refs/heads/main', second])
    expect(await branchHead(dir, 'main')).toBe(second)
  })

  it('reads a packed branch, and a loose value over a stale packed one', async () => {
    await inRepo(['update-ref', 'refs/heads/feature/x', first])
    await inRepo(['pack-refs', '--all'])
    expect(await branchHead(dir, 'feature/x')).toBe(first)
    await inRepo(['update-ref', 'refs/heads/feature/x', second])
    expect(await branchHead(dir, 'feature/x')).toBe(second)
    expect((await inRepo(['rev-parse', 'feature/x'])).trim()).toBe(second)
  })

  it('leaves to git what git would answer otherwise', async () => {
    // A tag of the same name comes first in git's lookup order.
    await inRepo(['update-ref', 'refs/tags/main', second])
    expect(await branchHead(dir, 'main')).toBeUndefined()
    expect(await branchHead(dir, 'refs/heads/main')).toBe(first)
    // A missing branch, a commit id, other refs and symbolic refs: git decides.
    expect(await branchHead(dir, 'nope')).toBeUndefined()
    expect(await branchHead(dir, first)).toBeUndefined()
    expect(await branchHead(dir, 'refs/tags/main')).toBeUndefined()
    await inRepo(['symbolic-ref', 'refs/heads/alias', 'refs/heads/main'])
    expect(await branchHead(dir, 'alias')).toBeUndefined()
  })
})

describe('ImmutableReads', () => {
  it('computes once, keeps only what `keep` allows, and forgets the oldest past its limit', async () => {
    const reads = new ImmutableReads(2)
    let computed = 0
    const count = async () => (computed += 1)
    expect(await reads.get('a', count)).toBe(1)
    expect(await reads.get('a', count)).toBe(1)
    expect(await reads.get('b', count, () => false)).toBe(2)
    expect(await reads.get('b', count)).toBe(3)
    expect(await reads.get('c', count)).toBe(4)
    // 'a' was the oldest of three: computed again.
    expect(await reads.get('a', count)).toBe(5)
    expect(await reads.get('c', count)).toBe(4)
  })
})
