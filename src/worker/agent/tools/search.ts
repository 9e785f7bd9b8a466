/** The search tool: a regular expression over the files git sees, with matches capped. */
import { z } from 'zod'
import { resolveJailedPath } from '../jail.js'
import { compileGlob } from '../path-glob.js'
import { defineTool, fail, ok } from './tool.js'

const MAX_MATCHES = 200
const MAX_LINE_CHARS = 300

/** Arguments of search. */
export const SearchArgsSchema = z.strictObject({
  pattern: z.string().min(1).describe('POSIX extended regular expression (use [0-9] rather than \\d)'),
  path: z
    .string()
    .optional()
    .describe('File or directory to search, relative to the repository root; default the root'),
  glob: z
    .string()
    .optional()
    .describe('Only files matching this glob; without "/" it matches file names, e.g. "*.ts"'),
  ignore_case: z.boolean().optional().describe('Match case-insensitively'),
})

/** search: `git grep -E` over tracked and untracked files, honouring .gitignore. */
export const searchTool = defineTool({
  name: 'search',
  description:
    'Search file contents with a regular expression (POSIX extended, as git grep -E). Answers "path:line: text" lines, ' +
    `at most ${MAX_MATCHES}. Files that .gitignore excludes and binary files are skipped.`,
  schema: SearchArgsSchema,
  async run(args, context) {
    const target = await resolveJailedPath(args.path ?? '.', 'read', context)
    const pathspec = target.relative === '.' ? [] : ['--', target.relative]
    const result = await context.git.run(
      [
        '--literal-pathspecs',
        'grep',
        '--untracked',
        '-n',
        '-I',
        '-E',
        '-z',
        '--no-color',
        '--full-name',
        ...(args.ignore_case === true ? ['-i'] : []),
        '-e',
        args.pattern,
        ...pathspec,
      ],
      { maxBytes: 4 * 1024 * 1024 },
    )
    if (!result.truncated && result.code !== 0 && result.code !== 1) {
      return fail(
        `git grep refused the search: ${result.stderr.trim()}. Check the pattern (POSIX extended syntax).`,
      )
    }
    const glob = args.glob === undefined ? undefined : compileGlob(args.glob)
    const byName = args.glob !== undefined && !args.glob.includes('/')
    const matches: string[] = []
    let total = 0
    for (const line of result.stdout.toString('utf8').split('\n')) {
      // With -z, git grep separates path, line number and text with NUL bytes.
      const [file, number, ...rest] = line.split('\0')
      if (file === undefined || number === undefined || rest.length === 0) continue
      if (glob !== undefined && !glob(byName ? (file.split('/').pop() ?? file) : file)) continue
      total += 1
      if (matches.length >= MAX_MATCHES) continue
      let text = rest.join('\0')
      if (text.length > MAX_LINE_CHARS) text = `${text.slice(0, MAX_LINE_CHARS)} [cut]`
      matches.push(`${file}:${number}: ${text}`)
    }
    if (total === 0) return ok(`no matches for /${args.pattern}/ in ${target.relative}`)
    const more =
      total > matches.length || result.truncated
        ? `\n[${result.truncated ? 'more than ' : ''}${total} matches, showing ${matches.length}; narrow the pattern, path or glob]`
        : ''
    return ok(
      `${matches.join('\n')}${more}`,
      `${total}${result.truncated ? '+' : ''} matches for /${args.pattern}/`,
    )
  },
})
