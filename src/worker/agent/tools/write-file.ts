/** The write_file tool: creates or replaces a file in the workspace, creating its directories. */
import { lstat, mkdir } from 'node:fs/promises'
import path from 'node:path'
import { z } from 'zod'
import { resolveJailedPath } from '../jail.js'
import { writeRegularFile } from './regular-file.js'
import { defineTool, fail, ok } from './tool.js'

const MAX_WRITE_BYTES = 2 * 1024 * 1024

/** Arguments of write_file. */
export const WriteFileArgsSchema = z.strictObject({
  path: z.string().describe('File path relative to the repository root'),
  content: z.string().describe('The whole new content of the file'),
})

/** write_file: writes a whole file, creating missing directories. */
export const writeFileTool = defineTool({
  name: 'write_file',
  description:
    'Create a file or replace its whole content; missing directories are created. To change part of an existing file, prefer edit_file.',
  schema: WriteFileArgsSchema,
  async run(args, context) {
    const target = await resolveJailedPath(args.path, 'write', context)
    const bytes = Buffer.byteLength(args.content, 'utf8')
    if (bytes > MAX_WRITE_BYTES) {
      return fail(
        `the content has ${bytes} bytes, more than write_file takes (${MAX_WRITE_BYTES}); write smaller files`,
      )
    }
    let existed = false
    try {
      const stats = await lstat(target.absolute)
      if (stats.isDirectory()) return fail(`${target.relative} is a directory; name a file inside it`)
      existed = true
    } catch {
      // A new file.
    }
    await mkdir(path.dirname(target.absolute), { recursive: true })
    await writeRegularFile(target.absolute, target.relative, args.content)
    return ok(`${existed ? 'replaced' : 'created'} ${target.relative} (${bytes} bytes)`)
  },
})
