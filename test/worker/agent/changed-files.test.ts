import { execFileSync } from 'node:child_process'
import { existsSync, mkdirSync, rmSync, statSync, symlinkSync, utimesSync } from 'node:fs'
import path from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { collectChangedFiles } from '../../../src/worker/agent/changed-files.js'
import { snapshotWorkspaceGit } from '../../../src/worker/agent/workspace-git.js'
import { git, makeRepo, makeTempDir, removeTempDirs, writeRepoFile } from './support.js'

afterAll(removeTempDirs)

describe('collectChangedFiles', () => {
  it('reports added, modified, deleted and untracked files with sizes, and skips ignored ones', async () => {
    const repo = makeRepo({ '.gitignore': 'dist/\n', 'a.txt': 'a', 'b.txt': 'b', 'c.txt': 'c' })
    const snapshot = await snapshotWorkspaceGit(repo)
    writeRepoFile(repo, 'a.txt', 'changed')
    rmSync(path.join(repo, 'b.txt'))
    writeRepoFile(repo, 'new/dir/d.txt', 'dddd')
    writeRepoFile(repo, 'staged.txt', 'ss')
    execFileSync('git', ['add', 'staged.txt'], { cwd: repo })
    writeRepoFile(repo, 'dist/out.js', 'ignored')
    symlinkSync('a.txt', path.join(repo, 'link'))
    expect(await collectChangedFiles(snapshot)).toEqual([
      { path: 'a.txt', status: 'modified', bytes: 7, kind: 'file' },
      { path: 'b.txt', status: 'deleted', bytes: null, kind: 'missing' },
      { path: 'link', status: 'added', bytes: 5, kind: 'symlink' },
      { path: 'new/dir/d.txt', status: 'added', bytes: 4, kind: 'file' },
      { path: 'staged.txt', status: 'added', bytes: 2, kind: 'file' },
    ])
  })

  it('reports a nested git repository as a directory', async () => {
    const repo = makeRepo()
    const snapshot = await snapshotWorkspaceGit(repo)
    mkdirSync(path.join(repo, 'vendor/inner'), { recursive: true })
    execFileSync('git', ['init', '-q'], { cwd: path.join(repo, 'vendor/inner') })
    writeRepoFile(repo, 'vendor/inner/x.txt', 'x')
    execFileSync(
      'git',
      ['-c', 'user.email=a@b', '-c', 'user.name=a', 'commit', '-q', '--allow-empty', '-m', 'i'],
      {
        cwd: path.join(repo, 'vendor/inner'),
      },
    )
    expect(await collectChangedFiles(snapshot)).toEqual([
      { path: 'vendor/inner', status: 'added', bytes: 0, kind: 'directory' },
    ])
  })

  it('reports a same-size edit made in the second the snapshot was taken, listed a second later', async () => {
    // Git compares file times in whole seconds. Such an edit keeps size, inode and (restored here)
    // mtime, and its ctime second equals the checkout's, so only git's racy-entry check (entry not
    // older than the index file) finds it, and only if the shadow index keeps its own mtime.
    for (let attempt = 1; ; attempt++) {
      await startOfSecond()
      const repo = makeRepo({ 'sum.js': 'return a - b\n' })
      const file = path.join(repo, 'sum.js')
      const before = statSync(file)
      const snapshot = await snapshotWorkspaceGit(repo)
      writeRepoFile(repo, 'sum.js', 'return a + b\n')
      utimesSync(file, before.atime, before.mtime)
      const edited = statSync(file)
      if (Math.floor(edited.ctimeMs / 1000) !== Math.floor(before.ctimeMs / 1000) && attempt < 5) continue
      await startOfSecond()
      expect(await collectChangedFiles(snapshot)).toEqual([
        { path: 'sum.js', status: 'modified', bytes: 13, kind: 'file' },
      ])
      return
    }
  })

  it('throws, saying what to check, outside a git checkout', async () => {
    await expect(snapshotWorkspaceGit(makeTempDir())).rejects.toThrow(/is the workspace a git checkout\?/)
  })

  it('reports what the agent committed in the workspace, measured from the base commit', async () => {
    const repo = makeRepo({ 'a.txt': 'a' })
    const snapshot = await snapshotWorkspaceGit(repo)
    writeRepoFile(repo, 'a.txt', 'committed')
    git(repo, 'commit', '-qam', 'the agent commits')
    expect(await collectChangedFiles(snapshot)).toEqual([
      { path: 'a.txt', status: 'modified', bytes: 9, kind: 'file' },
    ])
  })

  it('never runs what the workspace .git or a .gitattributes asks for: filters, fsmonitor, includes', async () => {
    const repo = makeRepo({ 'a.txt': 'a' })
    const snapshot = await snapshotWorkspaceGit(repo)
    const marker = path.join(makeTempDir(), 'ran')
    const script = `sh -c 'touch ${marker}; cat'`
    const evil = path.join(makeTempDir(), 'evil.config')
    writeRepoFile(path.dirname(evil), 'evil.config', `[filter "y"]\n\tclean = ${script}\n`)
    git(repo, 'config', 'filter.x.clean', script)
    git(repo, 'config', 'core.fsmonitor', `touch ${marker}`)
    git(repo, 'config', 'include.path', evil)
    writeRepoFile(repo, '.git/info/attributes', '* filter=x\n')
    writeRepoFile(repo, '.gitattributes', '* filter=y\n')
    writeRepoFile(repo, 'a.txt', 'changed')
    expect((await collectChangedFiles(snapshot)).map((file) => file.path)).toEqual([
      '.gitattributes',
      'a.txt',
    ])
    expect(existsSync(marker)).toBe(false)
  })
})

/** Resolves just after the wall clock enters its next second. */
async function startOfSecond(): Promise<void> {
  await new Promise((resolve) => setTimeout(resolve, 1000 - (Date.now() % 1000) + 5))
}
