import { mkdtemp, readFile, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import {
  addMask,
  appendJobSummary,
  escapeData,
  formatOutput,
  getInput,
  inputVariable,
  setOutputs,
  type RunnerIo,
} from '../../../src/worker/action/runner-io.js'

/** Reads a GITHUB_OUTPUT file the way the runner does: `name=value` lines and `name<<DELIM` blocks. */
function parseOutputFile(text: string): Record<string, string> {
  const outputs: Record<string, string> = {}
  const lines = text.split('\n')
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!
    if (line === '') continue
    const heredoc = /^([^=<]+)<<(.+)$/.exec(line)
    if (heredoc) {
      const value: string[] = []
      i++
      while (lines[i] !== heredoc[2]) value.push(lines[i++]!)
      outputs[heredoc[1]!] = value.join('\n')
    } else {
      const at = line.indexOf('=')
      outputs[line.slice(0, at)] = line.slice(at + 1)
    }
  }
  return outputs
}

function memoryIo(env: Record<string, string | undefined> = {}): RunnerIo & { lines: string[] } {
  const lines: string[] = []
  return { env, lines, writeLine: (line) => void lines.push(line) }
}

describe('runner io', () => {
  it('reads inputs the way the runner names them, trimmed', () => {
    expect(inputVariable('github-token')).toBe('INPUT_GITHUB-TOKEN')
    expect(inputVariable('secret value')).toBe('INPUT_SECRET_VALUE')
    expect(getInput({ 'INPUT_MAX-TOKENS': ' 12 ' }, 'max-tokens')).toBe('12')
    expect(getInput({}, 'model')).toBe('')
  })

  it('writes outputs that the runner reads back exactly, multiline values included', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'runner-io-'))
    const file = path.join(dir, 'output')
    await writeFile(file, '')
    await fc.assert(
      fc.asyncProperty(
        fc.dictionary(fc.stringMatching(/^[a-z][a-z-]{0,10}$/), fc.string({ maxLength: 40 })),
        async (outputs) => {
          await writeFile(file, '')
          const values = Object.fromEntries(
            Object.entries(outputs).map(([k, v]) => [k, v.replace(/\r/g, '')]),
          )
          await setOutputs({ env: { GITHUB_OUTPUT: file }, writeLine: () => {} }, values)
          expect(parseOutputFile(await readFile(file, 'utf8'))).toEqual(values)
        },
      ),
      { numRuns: 50 },
    )
  })

  it('uses the heredoc form for a multiline value and refuses a delimiter inside the value', () => {
    expect(formatOutput('a', 'one', 'EOF')).toBe('a=one\n')
    expect(formatOutput('a', 'one\ntwo', 'EOF')).toBe('a<<EOF\none\ntwo\nEOF\n')
    expect(() => formatOutput('a', 'x\nEOF', 'EOF')).toThrow(/delimiter/)
  })

  it('prints outputs to the log when there is no output file', async () => {
    const io = memoryIo()
    await setOutputs(io, { status: 'stale' })
    expect(io.lines).toEqual(['status=stale'])
  })

  it('masks a secret and each line of a multiline one, escaping command data', () => {
    const io = memoryIo()
    addMask(io, 'abc%def\nsecond-line')
    expect(io.lines).toContain('::add-mask::abc%25def%0Asecond-line')
    expect(io.lines).toContain('::add-mask::second-line')
    expect(escapeData('a\r\nb%')).toBe('a%0D%0Ab%25')
  })

  it('appends to the job summary file, and writes nothing without one', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'runner-io-'))
    const file = path.join(dir, 'summary')
    await writeFile(file, '# before\n')
    expect(await appendJobSummary(memoryIo({ GITHUB_STEP_SUMMARY: file }), 'after')).toBe(true)
    expect(await readFile(file, 'utf8')).toBe('# before\nafter\n')
    expect(await appendJobSummary(memoryIo(), 'lost')).toBe(false)
  })
})
