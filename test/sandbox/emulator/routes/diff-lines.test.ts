import { describe, expect, it } from 'vitest'
import { diffHunk, findDiffLine, patchLines } from '../../../../src/sandbox/emulator/routes/diff-lines.js'
import { closingReferences } from '../../../../src/sandbox/emulator/routes/pulls.js'

const patch = ['@@ -1,3 +1,4 @@', ' a', '-b', '+B', '+C', ' d', '@@ -10,2 +11,2 @@', ' x', '-y', '+Y'].join(
  '\n',
)

describe('diff lines', () => {
  it('numbers each side of the diff and counts positions across hunks as GitHub does', () => {
    const lines = patchLines(patch)
    expect(lines.map((l) => [l.position, l.left, l.right])).toEqual([
      [1, 1, 1],
      [2, 2, null],
      [3, null, 2],
      [4, null, 3],
      [5, 3, 4],
      [7, 10, 11],
      [8, 11, null],
      [9, null, 12],
    ])
  })

  it('finds a commented line on its side, and nothing for lines outside the hunks', () => {
    expect(findDiffLine(patch, 3, 'RIGHT')?.text).toBe('+C')
    expect(findDiffLine(patch, 2, 'LEFT')?.text).toBe('-b')
    expect(findDiffLine(patch, 7, 'RIGHT')).toBeUndefined()
    expect(findDiffLine(patch, 12, 'LEFT')).toBeUndefined()
    expect(diffHunk(patch, 8)).toBe(['@@ -10,2 +11,2 @@', ' x', '-y'].join('\n'))
  })
})

describe('closing keywords', () => {
  it("finds the issues a pull request body closes, once each, in GitHub's keyword forms", () => {
    expect(closingReferences('Closes #12\nfixes #3, Resolved: #4 and close #12; refs #9')).toEqual([12, 3, 4])
    expect(closingReferences('Mentions #5 only; prefixes#6')).toEqual([])
    expect(closingReferences(null)).toEqual([])
  })
})
