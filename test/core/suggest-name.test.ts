import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { didYouMean, editDistance, suggestName } from '../../src/core/suggest-name.js'

describe('editDistance', () => {
  it('counts insertions, deletions, substitutions and swaps', () => {
    expect(editDistance('kitten', 'sitting')).toBe(3)
    expect(editDistance('tokens', 'tokns')).toBe(1)
    expect(editDistance('ab', 'ba')).toBe(1)
    expect(editDistance('', 'abc')).toBe(3)
  })

  it('is zero exactly for equal strings and symmetric', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 12 }), fc.string({ maxLength: 12 }), (a, b) => {
        expect(editDistance(a, b) === 0).toBe(a === b)
        expect(editDistance(a, b)).toBe(editDistance(b, a))
      }),
    )
  })
})

describe('suggestName', () => {
  it('suggests the closest known name', () => {
    expect(suggestName('max_worker', ['max_workers', 'max_beads'])).toBe('max_workers')
    expect(suggestName('max-workers', ['max_workers'])).toBe('max_workers')
    expect(suggestName('Reviewr', ['reviewer', 'tester'])).toBe('reviewer')
  })

  it('suggests nothing when no name is close', () => {
    expect(suggestName('colour', ['max_workers', 'budgets'])).toBeUndefined()
    expect(didYouMean('zz', ['model'])).toBe('')
  })

  it('words the hint for a message', () => {
    expect(didYouMean('modle', ['model'])).toBe(' Did you mean "model"?')
  })
})
