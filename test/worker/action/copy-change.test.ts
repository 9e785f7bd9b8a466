import { chmodSync, mkdirSync, readFileSync, readlinkSync, symlinkSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import { execFileSync } from 'node:child_process'
import { afterAll, describe, expect, it } from 'vitest'
import { copyChange, symlinkProblem } from '../../../src/worker/action/copy-change.js'
import { makeTempDir, removeTempDirs } from '../agent/support.js'

afterAll(removeTempDirs)

describe('symlinkProblem', () => {
  it.each([
    ['rootlink', '/', /absolute path "\/", outside the repository/],
    ['a/up', '../../etc/passwd', /leaves the repository/],
    ['up', '..', /leaves the repository/],
    ['cfg', '.git/config', /inside \.git/],
    ['win', 'C:\\Windows', /absolute path/],
  ])('refuses %s -> %s', (relative, target, problem) => {
    expect(symlinkProblem(relative, target)).toMatch(problem)
  })

  it('accepts links that stay inside the repository', () => {
    expect(symlinkProblem('a/b/link', '../c.txt')).toBeUndefined()
    expect(symlinkProblem('link', 'src/sum.js')).toBeUndefined()
  })
})

describe('copyChange', () => {
  it('copies files and in-repository links, deletes what is gone, and refuses a link out of the repository', async () => {
    const workspace = makeTempDir()
    const clone = makeTempDir()
    mkdirSync(path.join(workspace, 'src'))
    writeFileSync(path.join(workspace, 'src/a.txt'), 'a')
    symlinkSync('a.txt', path.join(workspace, 'src/link'))
    symlinkSync('/', path.join(workspace, 'rootlink'))
    writeFileSync(path.join(clone, 'gone.txt'), 'old')
    expect(await copyChange(workspace, clone, 'src/a.txt')).toBeUndefined()
    expect(await copyChange(workspace, clone, 'src/link')).toBeUndefined()
    expect(await copyChange(workspace, clone, 'gone.txt')).toBeUndefined()
    expect(await copyChange(workspace, clone, 'rootlink')).toMatch(/outside the repository/)
    expect(readFileSync(path.join(clone, 'src/a.txt'), 'utf8')).toBe('a')
    expect(readlinkSync(path.join(clone, 'src/link'))).toBe('a.txt')
    expect(() => readlinkSync(path.join(clone, 'rootlink'))).toThrow()
    expect(() => readFileSync(path.join(clone, 'gone.txt'))).toThrow()
  })

  it('refuses a FIFO instead of waiting on it', async () => {
    const workspace = makeTempDir()
    execFileSync('mkfifo', [path.join(workspace, 'pipe')])
    expect(await copyChange(workspace, makeTempDir(), 'pipe')).toBe('not a file or symlink')
  })

  it.skipIf(process.getuid?.() === 0)(
    'makes a file the agent locked with chmod 000 readable again, since the worker owns it',
    async () => {
      const workspace = makeTempDir()
      const clone = makeTempDir()
      writeFileSync(path.join(workspace, 'locked.txt'), 'work')
      chmodSync(path.join(workspace, 'locked.txt'), 0o000)
      expect(await copyChange(workspace, clone, 'locked.txt')).toBeUndefined()
      expect(readFileSync(path.join(clone, 'locked.txt'), 'utf8')).toBe('work')
    },
  )
})
