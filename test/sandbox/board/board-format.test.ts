import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import {
  column,
  displayWidth,
  fit,
  formatClock,
  formatCost,
  formatDuration,
  formatTokens,
  safeText,
} from '../../../src/sandbox/board/board-format.js'

describe('board formats', () => {
  it('writes durations, clocks, tokens and money the way people read them', () => {
    expect([0, 45_900, 62_000, 3_780_000].map(formatDuration)).toEqual(['0s', '45s', '1m02s', '1h03m'])
    expect([0, 133_000, 3_733_000].map(formatClock)).toEqual(['00:00', '02:13', '1:02:13'])
    expect([950, 12_345, 1_204_000].map(formatTokens)).toEqual(['950', '12.3k', '1.20M'])
    expect([0.00752, 12.5].map(formatCost)).toEqual(['$0.0075', '$12.50'])
  })

  it('counts wide characters as two columns and cuts by columns', () => {
    expect(displayWidth('todo 🚀 待办')).toBe(12)
    expect(fit('待办事项列表', 7)).toBe('待办事…')
    expect(column('ab', 4)).toBe('ab  ')
  })

  it('never gives more columns than asked, whatever the text', () => {
    fc.assert(
      fc.property(
        fc.string({ unit: 'grapheme', maxLength: 40 }),
        fc.integer({ min: 1, max: 30 }),
        (text, width) => {
          expect(displayWidth(fit(text, width))).toBeLessThanOrEqual(width)
          expect(displayWidth(column(text, width))).toBeLessThanOrEqual(width)
          if (displayWidth(text) <= width) expect(fit(text, width)).toBe(text)
        },
      ),
    )
  })

  it('leaves no control character or escape sequence in safe text', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 60 }), (text) => {
        // eslint-disable-next-line no-control-regex
        expect(safeText(text)).not.toMatch(/[\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/)
      }),
    )
  })
})
