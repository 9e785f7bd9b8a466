import { describe, expect, it } from 'vitest'
import {
  compileCommandPolicy,
  DEFAULT_COMMAND_DENY,
  findDeniedPattern,
} from '../../../src/worker/agent/command-policy.js'

describe('command policy', () => {
  it('refuses git push and sudo by default, and allows ordinary commands', () => {
    const deny = compileCommandPolicy({ deny: DEFAULT_COMMAND_DENY })
    expect(findDeniedPattern('git push origin main', deny)?.source).toBe('\\bgit\\s+push\\b')
    expect(findDeniedPattern('npm test && sudo rm -rf /', deny)?.source).toBe('\\bsudo\\b')
    expect(findDeniedPattern('npm test', deny)).toBeUndefined()
    expect(findDeniedPattern('git pushd', deny)).toBeUndefined()
  })

  it('takes regular expressions or their text, and a stateful /g pattern still matches every time', () => {
    const deny = compileCommandPolicy({ deny: [/curl/g, 'rm\\s+-rf'] })
    expect(findDeniedPattern('curl x', deny)).toBeDefined()
    expect(findDeniedPattern('curl x', deny)).toBeDefined()
    expect(findDeniedPattern('rm  -rf dist', deny)).toBeDefined()
  })

  it('names a pattern that is not a valid regular expression', () => {
    expect(() => compileCommandPolicy({ deny: ['(unclosed'] })).toThrow(
      /"\(unclosed" is not a valid regular expression/,
    )
  })
})
