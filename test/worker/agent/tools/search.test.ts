import { afterAll, describe, expect, it } from 'vitest'
import { searchTool } from '../../../../src/worker/agent/tools/search.js'
import { makeRepo, makeToolContext, removeTempDirs, writeRepoFile } from '../support.js'

afterAll(removeTempDirs)

function repo(): string {
  const dir = makeRepo({
    '.gitignore': 'dist/\n',
    'src/a.ts': 'export const TODO_ONE = 1\nconst x = 2\n',
    'src/b.js': '// todo: two\n',
    'docs/c.md': 'TODO three\n',
  })
  writeRepoFile(dir, 'src/new.ts', 'TODO untracked\n')
  writeRepoFile(dir, 'dist/out.js', 'TODO ignored\n')
  return dir
}

describe('search', () => {
  it('finds matches in tracked and untracked files, as path:line: text, and skips ignored ones', async () => {
    const result = await searchTool.run({ pattern: 'TODO' }, makeToolContext(repo()))
    expect(result.output.split('\n').sort()).toEqual([
      'docs/c.md:1: TODO three',
      'src/a.ts:1: export const TODO_ONE = 1',
      'src/new.ts:1: TODO untracked',
    ])
    expect(result.summary).toBe('3 matches for /TODO/')
  })

  it('searches case-insensitively, under a path, and by glob', async () => {
    const context = makeToolContext(repo())
    expect(
      (await searchTool.run({ pattern: 'todo', ignore_case: true, path: 'src', glob: '*.js' }, context))
        .output,
    ).toBe('src/b.js:1: // todo: two')
  })

  it('speaks POSIX extended regular expressions', async () => {
    const result = await searchTool.run({ pattern: 'const [a-z]+ = [0-9]+' }, makeToolContext(repo()))
    expect(result.output).toBe('src/a.ts:2: const x = 2')
  })

  it('says when nothing matches, and when the pattern is invalid', async () => {
    const context = makeToolContext(repo())
    expect((await searchTool.run({ pattern: 'nothing-here' }, context)).output).toBe(
      'no matches for /nothing-here/ in .',
    )
    const invalid = await searchTool.run({ pattern: 'a(b' }, context)
    expect(invalid.ok).toBe(false)
    expect(invalid.output).toMatch(/^Error: git grep refused the search: .*Check the pattern/s)
  })

  it('caps the matches shown and says how many there were', async () => {
    const dir = makeRepo({ 'many.txt': 'hit\n'.repeat(450) })
    const result = await searchTool.run({ pattern: 'hit' }, makeToolContext(dir))
    const lines = result.output.split('\n')
    expect(lines).toHaveLength(201)
    expect(lines[200]).toBe('[450 matches, showing 200; narrow the pattern, path or glob]')
  })

  it('refuses to search .git', async () => {
    await expect(searchTool.run({ pattern: 'x', path: '.git' }, makeToolContext(repo()))).rejects.toThrow(
      /inside \.git/,
    )
  })
})
