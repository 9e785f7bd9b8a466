import { describe, expect, it } from 'vitest'
import { commentableLines, partitionComments } from '../../../src/worker/action/diff-lines.js'

const PATCH = [
  '@@ -1,3 +1,4 @@',
  ' keep',
  '-old',
  '+new one',
  '+new two',
  ' tail',
  '@@ -10,2 +11,2 @@',
  ' ten',
  '-gone',
  '\\ No newline at end of file',
].join('\n')

describe('diff lines', () => {
  it('finds the new and old lines inside the hunks', () => {
    const lines = commentableLines(PATCH)
    expect([...lines.RIGHT].sort((a, b) => a - b)).toEqual([1, 2, 3, 4, 11])
    expect([...lines.LEFT].sort((a, b) => a - b)).toEqual([1, 2, 3, 10, 11])
  })

  it('keeps comments on diff lines and explains the others', () => {
    const files = [{ filename: 'a.js', patch: PATCH }, { filename: 'bin.png' }]
    const { valid, invalid } = partitionComments(
      [
        { path: 'a.js', line: 2, body: 'ok' },
        { path: 'a.js', line: 10, side: 'LEFT' as const, body: 'ok left' },
        { path: 'a.js', line: 7, body: 'outside' },
        { path: 'b.js', line: 1, body: 'other file' },
        { path: 'bin.png', line: 1, body: 'binary' },
      ],
      files,
    )
    expect(valid.map((c) => c.body)).toEqual(['ok', 'ok left'])
    expect(invalid.map((entry) => entry.reason)).toEqual([
      'line 7 (RIGHT) is not in the diff',
      'the file is not changed by this pull request',
      'the file has no textual diff',
    ])
  })
})
