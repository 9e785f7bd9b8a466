import { execFileSync } from 'node:child_process'
import { mkdirSync, rmSync, symlinkSync } from 'node:fs'
import path from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { collectChangedFiles } from '../../../src/worker/agent/changed-files.js'
import { makeRepo, makeTempDir, removeTempDirs, writeRepoFile } from './support.js'

afterAll(removeTempDirs)

const env = { PATH: process.env.PATH ?? '/usr/bin:/bin' }

describe('collectChangedFiles', () => {
  it('reports added, modified, deleted and untracked files with sizes, and skips ignored ones', async () => {
    const repo = makeRepo({ '.gitignore': 'dist/\n', 'a.txt': 'a', 'b.txt': 'b', 'c.txt': 'c' })
    writeRepoFile(repo, 'a.txt', 'changed')
    rmSync(path.join(repo, 'b.txt'))
    writeRepoFile(repo, 'new/dir/d.txt', 'dddd')
    writeRepoFile(repo, 'staged.txt', 'ss')
    execFileSync('git', ['add', 'staged.txt'], { cwd: repo })
    writeRepoFile(repo, 'dist/out.js', 'ignored')
    symlinkSync('a.txt', path.join(repo, 'link'))
    expect(await collectChangedFiles(repo, env)).toEqual([
      { path: 'a.txt', status: 'modified', bytes: 7, kind: 'file' },
      { path: 'b.txt', status: 'deleted', bytes: null, kind: 'missing' },
      { path: 'link', status: 'added', bytes: 5, kind: 'symlink' },
      { path: 'new/dir/d.txt', status: 'added', bytes: 4, kind: 'file' },
      { path: 'staged.txt', status: 'added', bytes: 2, kind: 'file' },
    ])
  })

  it('reports a nested git repository as a directory', async () => {
    const repo = makeRepo()
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
    expect(await collectChangedFiles(repo, env)).toEqual([
      { path: 'vendor/inner', status: 'added', bytes: 0, kind: 'directory' },
    ])
  })

  it('throws, saying what to check, outside a git checkout', async () => {
    await expect(collectChangedFiles(makeTempDir(), env)).rejects.toThrow(
      /git status failed .* is the workspace a git checkout\?/,
    )
  })
})
