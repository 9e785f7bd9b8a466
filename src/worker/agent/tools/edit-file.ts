/** The edit_file tool: replaces one exact, unique piece of text in a file. */
import { z } from 'zod'
import { resolveJailedPath } from '../jail.js'
import { readRegularFile, writeRegularFile } from './regular-file.js'
import { defineTool, fail, ok } from './tool.js'

const MAX_EDIT_BYTES = 10 * 1024 * 1024

/** Arguments of edit_file. */
export const EditFileArgsSchema = z.strictObject({
  path: z.string().describe('File path relative to the repository root'),
  old_text: z.string().describe('The exact text to replace, whitespace included; it must occur exactly once'),
  new_text: z.string().describe('The text to put in its place'),
})

/** edit_file: exact search and replace of a unique text. */
export const editFileTool = defineTool({
  name: 'edit_file',
  description:
    'Replace old_text with new_text in a file. old_text must match the file exactly (indentation and line breaks included) ' +
    'and occur exactly once; include a few surrounding lines to make it unique. Do not include read_file line numbers.',
  schema: EditFileArgsSchema,
  async run(args, context) {
    const target = await resolveJailedPath(args.path, 'write', context)
    if (args.old_text.length === 0)
      return fail('old_text is empty; give the exact text to replace, or use write_file')
    if (args.old_text === args.new_text)
      return fail('old_text and new_text are the same; nothing would change')
    const buffer = await readRegularFile(target.absolute, target.relative, MAX_EDIT_BYTES)
    if (buffer === undefined) return fail(`no such file: ${target.relative}; use write_file to create it`)
    const content = buffer.toString('utf8')
    if (content.includes('\0'))
      return fail(`${target.relative} is a binary file; edit_file changes text only`)
    const positions = findAll(content, args.old_text)
    if (positions.length === 0) {
      const hint = matchesIgnoringWhitespace(content, args.old_text)
        ? ' It matches when whitespace is ignored: copy the indentation and line breaks exactly.'
        : ' Read the file again and copy the text exactly.'
      return fail(`old_text was not found in ${target.relative}.${hint}`)
    }
    if (positions.length > 1) {
      const lines = positions.slice(0, 10).map((position) => lineOf(content, position))
      return fail(
        `old_text occurs ${positions.length} times in ${target.relative} (lines ${lines.join(', ')}); ` +
          'include more surrounding context so that it matches exactly once',
      )
    }
    const position = positions[0] as number
    // Slicing, not String.replace, so `$&` and friends in new_text stay literal.
    const updated =
      content.slice(0, position) + args.new_text + content.slice(position + args.old_text.length)
    await writeRegularFile(target.absolute, target.relative, updated)
    const removed = args.old_text.split('\n').length
    const added = args.new_text.split('\n').length
    return ok(`edited ${target.relative} at line ${lineOf(content, position)} (-${removed} +${added} lines)`)
  },
})

function findAll(haystack: string, needle: string): number[] {
  const positions: number[] = []
  for (
    let index = haystack.indexOf(needle);
    index !== -1;
    index = haystack.indexOf(needle, index + needle.length)
  ) {
    positions.push(index)
  }
  return positions
}

function lineOf(text: string, position: number): number {
  let line = 1
  for (
    let index = text.indexOf('\n');
    index !== -1 && index < position;
    index = text.indexOf('\n', index + 1)
  )
    line += 1
  return line
}

function matchesIgnoringWhitespace(content: string, text: string): boolean {
  const squash = (value: string): string => value.replace(/\s+/g, '')
  const needle = squash(text)
  return needle.length > 0 && squash(content).includes(needle)
}
