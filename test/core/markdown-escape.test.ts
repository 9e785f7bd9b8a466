import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { inertText, tableCell } from '../../src/core/markdown-escape.js'

describe('inertText', () => {
  it('turns HTML comments and markers into visible text and silences mentions', () => {
    expect(inertText('Fix <!-- gastown:plan {"v":1} --> for @bob & @org/team')).toBe(
      'Fix &lt;!-- gastown:plan {"v":1} --&gt; for `@bob` &amp; `@org/team`',
    )
  })

  it('joins lines unless asked to keep them', () => {
    expect(inertText('a\r\n  b\n\nc')).toBe('a b c')
    expect(inertText('a\n<b>', { multiline: true })).toBe('a\n&lt;b&gt;')
  })

  it('never lets a `<` through, whatever the text', () => {
    fc.assert(
      fc.property(fc.string(), (text) => {
        expect(inertText(text)).not.toMatch(/[<>]/)
      }),
    )
  })
})

describe('tableCell', () => {
  it('keeps a cell one cell: pipes escaped, one line', () => {
    const cell = tableCell('a | b\n<!-- x --> | @c')
    expect(cell).toBe('a \\| b &lt;!-- x --&gt; \\| `@c`')
    expect(cell.split(/(?<!\\)\|/)).toHaveLength(1)
  })

  it('leaves trusted text (code spans of generated docs) unescaped but for pipes and lines', () => {
    expect(tableCell('`<name>` | x\ny', { trusted: true })).toBe('`<name>` \\| x y')
  })
})
