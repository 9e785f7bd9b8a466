import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import {
  EnvironmentFileError,
  maskText,
  parseEnvironmentFile,
  parseWorkflowCommand,
} from '../../../src/sandbox/emulator/workflow-commands.js'

describe('parseWorkflowCommand', () => {
  it('reads a command with properties and escaped data', () => {
    expect(
      parseWorkflowCommand('::error file=src/a.ts,line=3,title=Bad%3A thing::broken%0Asecond line'),
    ).toEqual({
      command: 'error',
      properties: { file: 'src/a.ts', line: '3', title: 'Bad: thing' },
      message: 'broken\nsecond line',
    })
    expect(parseWorkflowCommand('::add-mask::hunter2')).toEqual({
      command: 'add-mask',
      properties: {},
      message: 'hunter2',
    })
    expect(parseWorkflowCommand('  ::set-output name=x::1')).toMatchObject({
      command: 'set-output',
      properties: { name: 'x' },
    })
  })

  it('leaves ordinary output alone', () => {
    expect(parseWorkflowCommand('hello ::error::not at the start')).toBeNull()
    expect(parseWorkflowCommand(':: nothing')).toBeNull()
  })
})

describe('parseEnvironmentFile', () => {
  it('reads name=value lines and name<<DELIMITER blocks, later values winning', () => {
    expect(parseEnvironmentFile('a=1\nb=x=y\nmulti<<EOF\nline one\n\nline three\nEOF\na=2\n')).toEqual({
      a: '2',
      b: 'x=y',
      multi: 'line one\n\nline three',
    })
  })

  it('refuses a block without its closing delimiter and a line without a name', () => {
    expect(() => parseEnvironmentFile('x<<END\nnever closed\n', 'GITHUB_OUTPUT')).toThrow(
      "GITHUB_OUTPUT: matching delimiter not found 'END'",
    )
    expect(() => parseEnvironmentFile('just text\n')).toThrow(EnvironmentFileError)
  })

  it('reads back any value written in the heredoc form', () => {
    fc.assert(
      fc.property(fc.string(), (value) => {
        const delimiter = 'ghadelimiter_5b7c'
        fc.pre(!value.split(/\r?\n/).includes(delimiter) && !value.includes('\r'))
        expect(parseEnvironmentFile(`v<<${delimiter}\n${value}\n${delimiter}\n`)).toEqual({ v: value })
      }),
    )
  })
})

describe('maskText', () => {
  it('hides the longer of overlapping values entirely', () => {
    expect(maskText('token abc123 and abc', ['abc', 'abc123'])).toBe('token *** and ***')
  })

  it('leaves no masked value in the result', () => {
    fc.assert(
      fc.property(fc.string(), fc.string({ minLength: 1 }), (text, secret) => {
        fc.pre(!secret.includes('*'))
        expect(maskText(`${text}${secret}${text}`, [secret])).not.toContain(secret)
      }),
    )
  })
})
