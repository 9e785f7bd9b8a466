import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { formatToolError, isToolError } from '../../src/llm/tool-result.js'

describe('tool results', () => {
  it('recognises every error it formats', () => {
    fc.assert(
      fc.property(fc.string(), (message) => {
        expect(isToolError(formatToolError(message))).toBe(true)
      }),
    )
  })

  it('does not mistake output for an error', () => {
    expect(isToolError('wrote 12 bytes')).toBe(false)
    expect(isToolError('errors: 0')).toBe(false)
    expect(isToolError('Error: ENOENT')).toBe(true)
  })
})
