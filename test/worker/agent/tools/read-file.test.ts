import { symlinkSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { readFileTool } from '../../../../src/worker/agent/tools/read-file.js'
import { makeRepo, makeTempDir, makeToolContext, removeTempDirs } from '../support.js'

afterAll(removeTempDirs)

describe('read_file', () => {
  it('shows a file with numbered lines and a header', async () => {
    const repo = makeRepo({ 'src/a.ts': 'one\ntwo\nthree\n' })
    const result = await readFileTool.run({ path: 'src/a.ts' }, makeToolContext(repo))
    expect(result.ok).toBe(true)
    expect(result.output).toBe('src/a.ts (lines 1-3 of 3)\n1\tone\n2\ttwo\n3\tthree')
  })

  it('reads a range of lines, padding the numbers to one width', async () => {
    const lines = Array.from({ length: 12 }, (_, index) => `line ${index + 1}`).join('\n')
    const repo = makeRepo({ 'a.txt': lines })
    const result = await readFileTool.run(
      { path: 'a.txt', start_line: 9, end_line: 10 },
      makeToolContext(repo),
    )
    expect(result.output).toBe('a.txt (lines 9-10 of 12)\n 9\tline 9\n10\tline 10')
  })

  it('cuts a long file and says how to read on', async () => {
    const lines = Array.from({ length: 2_500 }, (_, index) => `l${index + 1}`).join('\n')
    const repo = makeRepo({ 'big.txt': lines })
    const result = await readFileTool.run({ path: 'big.txt' }, makeToolContext(repo))
    expect(result.output).toContain('(lines 1-2000 of 2500)')
    expect(result.output).toContain('call read_file with start_line=2001 to read on')
    expect(result.output).not.toContain('l2001')
  })

  it('caps the characters shown, whatever the line count', async () => {
    const repo = makeRepo({ 'wide.txt': `${'x'.repeat(1_900)}\n`.repeat(100) })
    const result = await readFileTool.run({ path: 'wide.txt' }, makeToolContext(repo))
    expect(result.output.length).toBeLessThan(62_000)
    expect(result.output).toMatch(/call read_file with start_line=\d+ to read on/)
  })

  it('refuses a range that starts past the end, or ends before it starts', async () => {
    const repo = makeRepo({ 'a.txt': 'one\ntwo\n' })
    const past = await readFileTool.run({ path: 'a.txt', start_line: 5 }, makeToolContext(repo))
    expect(past).toMatchObject({
      ok: false,
      output: 'Error: start_line 5 is past the end of a.txt, which has 2 lines',
    })
    const reversed = await readFileTool.run(
      { path: 'a.txt', start_line: 2, end_line: 1 },
      makeToolContext(repo),
    )
    expect(reversed.output).toBe('Error: end_line 1 comes before start_line 2')
  })

  it('says so for a missing file, a directory and a binary file', async () => {
    const repo = makeRepo({ 'src/a.ts': 'x' })
    writeFileSync(path.join(repo, 'blob.bin'), Buffer.from([0x89, 0x50, 0, 1, 2]))
    const context = makeToolContext(repo)
    expect((await readFileTool.run({ path: 'nope.ts' }, context)).output).toMatch(
      /^Error: no such file: nope\.ts/,
    )
    expect((await readFileTool.run({ path: 'src' }, context)).output).toMatch(
      /is a directory; use list_files/,
    )
    expect((await readFileTool.run({ path: 'blob.bin' }, context)).output).toMatch(
      /is a binary file \(5 bytes\)/,
    )
  })

  it('refuses what the jail refuses: .git, escapes, symlinks out', async () => {
    const repo = makeRepo()
    const outside = makeTempDir()
    writeFileSync(path.join(outside, 'secret'), 'secret')
    symlinkSync(path.join(outside, 'secret'), path.join(repo, 'link'))
    const context = makeToolContext(repo)
    await expect(readFileTool.run({ path: '.git/config' }, context)).rejects.toThrow(/inside \.git/)
    await expect(readFileTool.run({ path: '../x' }, context)).rejects.toThrow(/outside the workspace/)
    await expect(readFileTool.run({ path: 'link' }, context)).rejects.toThrow(/outside the workspace/)
  })
})
