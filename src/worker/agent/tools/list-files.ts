/** The list_files tool: the files of a directory as git sees them, so ignored files stay out. */
import { lstat, stat } from 'node:fs/promises'
import { z } from 'zod'
import { resolveJailedPath } from '../jail.js'
import { compileGlob } from '../path-glob.js'
import { defineTool, fail, ok } from './tool.js'

const MAX_ENTRIES = 1_000

/** Arguments of list_files. */
export const ListFilesArgsSchema = z.strictObject({
  dir: z.string().optional().describe('Directory relative to the repository root; default the root'),
  depth: z
    .number()
    .int()
    .min(1)
    .max(100)
    .optional()
    .describe('Levels below dir to show; deeper entries are folded into "dir/"'),
  glob: z
    .string()
    .optional()
    .describe(
      'Only paths matching this glob (relative to dir); a glob without "/" matches file names at any depth, e.g. "*.ts"',
    ),
})

/** list_files: tracked and untracked files, minus what .gitignore excludes. */
export const listFilesTool = defineTool({
  name: 'list_files',
  description:
    'List the files under a directory (tracked and new files; what .gitignore excludes is left out). ' +
    `Paths are relative to the repository root. At most ${MAX_ENTRIES} entries.`,
  schema: ListFilesArgsSchema,
  async run(args, context) {
    const target = await resolveJailedPath(args.dir ?? '.', 'read', context)
    try {
      if (!(await stat(target.absolute)).isDirectory())
        return fail(`${target.relative} is not a directory; use read_file for a file`)
    } catch {
      return fail(`no such directory: ${target.relative}`)
    }
    const pathspec = target.relative === '.' ? [] : ['--', target.relative]
    const result = await context.git.run([
      '--literal-pathspecs',
      'ls-files',
      '--cached',
      '--others',
      '--exclude-standard',
      '-z',
      ...pathspec,
    ])
    if (result.code !== 0) return fail(`git ls-files failed: ${result.stderr.trim()}`)
    const prefix = target.relative === '.' ? '' : `${target.relative}/`
    const glob = args.glob === undefined ? undefined : compileGlob(args.glob)
    const byName = args.glob !== undefined && !args.glob.includes('/')
    const entries = new Set<string>()
    for (const file of new Set(result.stdout.toString('utf8').split('\0'))) {
      if (file === '' || !file.startsWith(prefix)) continue
      const inner = file.slice(prefix.length)
      if (glob !== undefined && !glob(byName ? (inner.split('/').pop() ?? inner) : inner)) continue
      // The index still lists files deleted from the working tree until they are staged.
      if (!(await exists(`${context.workspace}/${file}`))) continue
      const segments = inner.split('/')
      if (args.depth !== undefined && segments.length > args.depth) {
        entries.add(`${prefix}${segments.slice(0, args.depth).join('/')}/`)
      } else {
        entries.add(file)
      }
    }
    const sorted = [...entries].sort()
    if (sorted.length === 0)
      return ok(`no files under ${target.relative}${args.glob === undefined ? '' : ` matching ${args.glob}`}`)
    const shown = sorted.slice(0, MAX_ENTRIES)
    const more =
      sorted.length > MAX_ENTRIES
        ? `\n[${sorted.length - MAX_ENTRIES} more entries; narrow dir, depth or glob]`
        : ''
    return ok(`${shown.join('\n')}${more}`, `${sorted.length} entries under ${target.relative}`)
  },
})

async function exists(file: string): Promise<boolean> {
  try {
    await lstat(file)
    return true
  } catch {
    return false
  }
}
