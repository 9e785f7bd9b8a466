import { readFileSync } from 'node:fs'
import path from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { editFileTool } from '../../../../src/worker/agent/tools/edit-file.js'
import { makeRepo, makeToolContext, removeTempDirs } from '../support.js'

afterAll(removeTempDirs)

const source = 'function a() {\n  return 1\n}\n\nfunction b() {\n  return 1\n}\n'

describe('edit_file', () => {
  it('replaces a unique text and says where', async () => {
    const repo = makeRepo({ 'src/x.ts': source })
    const result = await editFileTool.run(
      { path: 'src/x.ts', old_text: 'function b() {\n  return 1', new_text: 'function b() {\n  return 2' },
      makeToolContext(repo),
    )
    expect(result).toMatchObject({ ok: true, output: 'edited src/x.ts at line 5 (-2 +2 lines)' })
    expect(readFileSync(path.join(repo, 'src/x.ts'), 'utf8')).toBe(
      source.replace('b() {\n  return 1', 'b() {\n  return 2'),
    )
  })

  it('keeps $ patterns in the new text literal', async () => {
    const repo = makeRepo({ 'a.txt': 'price: X\n' })
    await editFileTool.run({ path: 'a.txt', old_text: 'X', new_text: "$& $' $1 $$" }, makeToolContext(repo))
    expect(readFileSync(path.join(repo, 'a.txt'), 'utf8')).toBe("price: $& $' $1 $$\n")
  })

  it('says how many times a text that is not unique occurs, on which lines, and to add context', async () => {
    const repo = makeRepo({ 'src/x.ts': source })
    const result = await editFileTool.run(
      { path: 'src/x.ts', old_text: 'return 1', new_text: 'return 3' },
      makeToolContext(repo),
    )
    expect(result).toMatchObject({
      ok: false,
      output:
        'Error: old_text occurs 2 times in src/x.ts (lines 2, 6); include more surrounding context so that it matches exactly once',
    })
    expect(readFileSync(path.join(repo, 'src/x.ts'), 'utf8')).toBe(source)
  })

  it('says when the text is missing, and hints when only whitespace differs', async () => {
    const repo = makeRepo({ 'src/x.ts': source })
    const context = makeToolContext(repo)
    const missing = await editFileTool.run(
      { path: 'src/x.ts', old_text: 'return 42', new_text: 'x' },
      context,
    )
    expect(missing.output).toBe(
      'Error: old_text was not found in src/x.ts. Read the file again and copy the text exactly.',
    )
    const spaced = await editFileTool.run(
      { path: 'src/x.ts', old_text: 'function a() {\nreturn 1', new_text: 'x' },
      context,
    )
    expect(spaced.output).toMatch(/It matches when whitespace is ignored/)
  })

  it('refuses an empty old_text, a no-op, a missing file and a protected path', async () => {
    const repo = makeRepo({ 'a.txt': 'abc', '.github/workflows/ci.yml': 'on: push\n' })
    const context = makeToolContext(repo)
    expect((await editFileTool.run({ path: 'a.txt', old_text: '', new_text: 'x' }, context)).output).toMatch(
      /old_text is empty/,
    )
    expect((await editFileTool.run({ path: 'a.txt', old_text: 'a', new_text: 'a' }, context)).output).toMatch(
      /are the same/,
    )
    expect((await editFileTool.run({ path: 'b.txt', old_text: 'a', new_text: 'b' }, context)).output).toMatch(
      /no such file: b\.txt; use write_file/,
    )
    await expect(
      editFileTool.run(
        { path: '.github/workflows/ci.yml', old_text: 'push', new_text: 'pull_request_target' },
        context,
      ),
    ).rejects.toThrow(/protected path/)
  })
})
