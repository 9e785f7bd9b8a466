import { existsSync, readFileSync, symlinkSync } from 'node:fs'
import path from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { writeFileTool } from '../../../../src/worker/agent/tools/write-file.js'
import { makeRepo, makeTempDir, makeToolContext, removeTempDirs } from '../support.js'

afterAll(removeTempDirs)

describe('write_file', () => {
  it('creates a file and its missing directories', async () => {
    const repo = makeRepo()
    const result = await writeFileTool.run(
      { path: 'src/deep/new.ts', content: 'export {}\n' },
      makeToolContext(repo),
    )
    expect(result).toMatchObject({ ok: true, output: 'created src/deep/new.ts (10 bytes)' })
    expect(readFileSync(path.join(repo, 'src/deep/new.ts'), 'utf8')).toBe('export {}\n')
  })

  it('replaces an existing file', async () => {
    const repo = makeRepo({ 'a.txt': 'old' })
    const result = await writeFileTool.run({ path: 'a.txt', content: 'new' }, makeToolContext(repo))
    expect(result.output).toBe('replaced a.txt (3 bytes)')
    expect(readFileSync(path.join(repo, 'a.txt'), 'utf8')).toBe('new')
  })

  it('refuses to overwrite a directory', async () => {
    const repo = makeRepo({ 'src/a.ts': 'x' })
    const result = await writeFileTool.run({ path: 'src', content: 'x' }, makeToolContext(repo))
    expect(result).toMatchObject({ ok: false, output: 'Error: src is a directory; name a file inside it' })
  })

  it('refuses protected paths, .git, and a dangling symlink out, writing nothing', async () => {
    const repo = makeRepo()
    const outside = makeTempDir()
    symlinkSync(path.join(outside, 'planted'), path.join(repo, 'dangling'))
    const context = makeToolContext(repo)
    await expect(
      writeFileTool.run({ path: '.github/workflows/x.yml', content: 'on: push' }, context),
    ).rejects.toThrow(/protected path/)
    await expect(
      writeFileTool.run({ path: '.git/hooks/pre-commit', content: 'evil' }, context),
    ).rejects.toThrow(/\.git/)
    await expect(writeFileTool.run({ path: 'dangling', content: 'evil' }, context)).rejects.toThrow(/outside/)
    expect(existsSync(path.join(repo, '.github/workflows/x.yml'))).toBe(false)
    expect(existsSync(path.join(repo, '.git/hooks/pre-commit'))).toBe(false)
    expect(existsSync(path.join(outside, 'planted'))).toBe(false)
  })

  it('refuses content over the size limit', async () => {
    const repo = makeRepo()
    const result = await writeFileTool.run(
      { path: 'big.txt', content: 'x'.repeat(3 * 1024 * 1024) },
      makeToolContext(repo),
    )
    expect(result.output).toMatch(/^Error: the content has 3145728 bytes, more than write_file takes/)
    expect(existsSync(path.join(repo, 'big.txt'))).toBe(false)
  })
})
