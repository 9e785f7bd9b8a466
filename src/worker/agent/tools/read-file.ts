/** The read_file tool: a text file with numbered lines, optionally a range, capped in size. */
import { stat } from 'node:fs/promises'
import { z } from 'zod'
import { resolveJailedPath } from '../jail.js'
import { readRegularFile } from './regular-file.js'
import { defineTool, fail, ok } from './tool.js'

const MAX_FILE_BYTES = 10 * 1024 * 1024
const MAX_LINES = 2_000
const MAX_OUTPUT_CHARS = 60_000
const MAX_LINE_CHARS = 2_000

/** Arguments of read_file. */
export const ReadFileArgsSchema = z.strictObject({
  path: z.string().describe('File path relative to the repository root'),
  start_line: z
    .number()
    .int()
    .min(1)
    .max(10_000_000)
    .optional()
    .describe('First line to read (1-based); default 1'),
  end_line: z.number().int().min(1).max(10_000_000).optional().describe('Last line to read, inclusive'),
})

/** read_file: numbered lines of a text file in the workspace. */
export const readFileTool = defineTool({
  name: 'read_file',
  description:
    'Read a text file of the repository. Lines come numbered ("  12\\tcode"); the numbers are not part of the file. ' +
    `Long files are cut at ${MAX_LINES} lines: use start_line and end_line to read on.`,
  schema: ReadFileArgsSchema,
  async run(args, context) {
    const target = await resolveJailedPath(args.path, 'read', context)
    let stats
    try {
      stats = await stat(target.absolute)
    } catch {
      return fail(`no such file: ${target.relative}; use list_files or search to find the right path`)
    }
    if (stats.isDirectory())
      return fail(`${target.relative} is a directory; use list_files to see what it holds`)
    if (stats.size > MAX_FILE_BYTES) {
      return fail(
        `${target.relative} has ${stats.size} bytes, more than read_file takes; use search to find what you need`,
      )
    }
    const buffer = await readRegularFile(target.absolute, target.relative, MAX_FILE_BYTES)
    if (buffer === undefined) return fail(`no such file: ${target.relative}`)
    if (buffer.subarray(0, 8000).includes(0)) {
      return fail(`${target.relative} is a binary file (${buffer.length} bytes); read_file shows text only`)
    }
    const text = buffer.toString('utf8')
    const lines = text.split('\n')
    if (text.endsWith('\n')) lines.pop()
    const total = lines.length
    if (total === 0) return ok(`${target.relative} is empty (0 lines)`)

    const start = args.start_line ?? 1
    if (start > total)
      return fail(`start_line ${start} is past the end of ${target.relative}, which has ${total} lines`)
    const requestedEnd = Math.min(args.end_line ?? total, total)
    if (requestedEnd < start) return fail(`end_line ${requestedEnd} comes before start_line ${start}`)
    const end = Math.min(requestedEnd, start + MAX_LINES - 1)
    const width = String(end).length
    const body: string[] = []
    let chars = 0
    let last = start - 1
    for (let number = start; number <= end; number += 1) {
      let line = lines[number - 1] ?? ''
      if (line.length > MAX_LINE_CHARS)
        line = `${line.slice(0, MAX_LINE_CHARS)} [line cut at ${MAX_LINE_CHARS} characters]`
      const numbered = `${String(number).padStart(width)}\t${line}`
      if (chars + numbered.length > MAX_OUTPUT_CHARS && body.length > 0) break
      body.push(numbered)
      chars += numbered.length + 1
      last = number
    }
    const header = `${target.relative} (lines ${start}-${last} of ${total})`
    const more =
      last < requestedEnd
        ? `\n[showing lines ${start}-${last} of ${total}; call read_file with start_line=${last + 1} to read on]`
        : ''
    return ok(`${header}\n${body.join('\n')}${more}`, header)
  },
})
