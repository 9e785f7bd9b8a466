import { execFileSync } from 'node:child_process'
import { chmodSync, existsSync, rmSync } from 'node:fs'
import path from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { listFilesTool } from '../../../../src/worker/agent/tools/list-files.js'
import { makeRepo, makeToolContext, removeTempDirs, writeRepoFile } from '../support.js'

afterAll(removeTempDirs)

function repoWithIgnores(): string {
  const repo = makeRepo({
    '.gitignore': 'node_modules/\n*.log\n',
    'README.md': '# r\n',
    'src/index.ts': 'x',
    'src/lib/util.ts': 'x',
    'src/lib/deep/more.ts': 'x',
    'docs/guide.md': 'x',
  })
  writeRepoFile(repo, 'src/new.ts', 'untracked but not ignored')
  writeRepoFile(repo, 'node_modules/pkg/index.js', 'ignored')
  writeRepoFile(repo, 'debug.log', 'ignored')
  return repo
}

describe('list_files', () => {
  it('lists tracked and untracked files and leaves out what .gitignore excludes', async () => {
    const repo = repoWithIgnores()
    const result = await listFilesTool.run({}, makeToolContext(repo))
    expect(result.output.split('\n')).toEqual([
      '.gitignore',
      'README.md',
      'docs/guide.md',
      'src/index.ts',
      'src/lib/deep/more.ts',
      'src/lib/util.ts',
      'src/new.ts',
    ])
    expect(result.summary).toBe('7 entries under .')
  })

  it('lists one directory with paths from the root, folding deeper levels at depth', async () => {
    const repo = repoWithIgnores()
    const result = await listFilesTool.run({ dir: 'src', depth: 1 }, makeToolContext(repo))
    expect(result.output.split('\n')).toEqual(['src/index.ts', 'src/lib/', 'src/new.ts'])
  })

  it('filters by a glob on file names, or on paths when it has a slash', async () => {
    const repo = repoWithIgnores()
    const context = makeToolContext(repo)
    expect((await listFilesTool.run({ glob: '*.md' }, context)).output.split('\n')).toEqual([
      'README.md',
      'docs/guide.md',
    ])
    expect((await listFilesTool.run({ dir: 'src', glob: 'lib/**' }, context)).output.split('\n')).toEqual([
      'src/lib/deep/more.ts',
      'src/lib/util.ts',
    ])
  })

  it('leaves out files deleted from the working tree', async () => {
    const repo = repoWithIgnores()
    rmSync(path.join(repo, 'docs/guide.md'))
    const result = await listFilesTool.run({ dir: 'docs' }, makeToolContext(repo))
    expect(result.output).toBe('no files under docs')
  })

  it('refuses a missing directory, a file, .git and an escape', async () => {
    const repo = repoWithIgnores()
    const context = makeToolContext(repo)
    expect((await listFilesTool.run({ dir: 'nope' }, context)).output).toBe('Error: no such directory: nope')
    expect((await listFilesTool.run({ dir: 'README.md' }, context)).output).toMatch(/is not a directory/)
    await expect(listFilesTool.run({ dir: '.git' }, context)).rejects.toThrow(/inside \.git/)
    await expect(listFilesTool.run({ dir: '..' }, context)).rejects.toThrow(/outside the workspace/)
  })

  it('does not run a fsmonitor command planted in .git/config', async () => {
    const repo = repoWithIgnores()
    const marker = path.join(repo, 'fsmonitor-ran')
    writeRepoFile(repo, 'hook.sh', `#!/bin/sh\ntouch ${marker}\n`)
    chmodSync(path.join(repo, 'hook.sh'), 0o755)
    execFileSync('git', ['config', 'core.fsmonitor', path.join(repo, 'hook.sh')], { cwd: repo })
    await listFilesTool.run({}, makeToolContext(repo))
    expect(existsSync(marker)).toBe(false)
  })
})
