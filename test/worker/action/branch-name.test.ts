import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { branchFor, isPushableBranch, slugify } from '../../../src/worker/action/branch-name.js'

describe('branch names', () => {
  it('makes a branch from the number and a slug of the title', () => {
    expect(branchFor(12, 'Add the CRUD API: /todos (Ünïcode!)')).toBe(
      'gastown/12-add-the-crud-api-todos-unicode',
    )
    expect(branchFor(3, '!!!')).toBe('gastown/3-work')
  })

  it('gives a pushable branch of safe characters for any title', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 1_000_000 }), fc.string(), (number, title) => {
        const branch = branchFor(number, title)
        expect(branch).toMatch(/^gastown\/\d+-[a-z0-9]+(-[a-z0-9]+)*$/)
        expect(slugify(title).length).toBeLessThanOrEqual(40)
        expect(isPushableBranch(branch, 'main')).toBe(true)
      }),
    )
  })

  it('never lets the default branch or a foreign branch be pushed', () => {
    expect(isPushableBranch('main', 'main')).toBe(false)
    expect(isPushableBranch('feature/x', 'main')).toBe(false)
    expect(isPushableBranch('gastown/1-x', 'gastown/1-x')).toBe(false)
  })
})
