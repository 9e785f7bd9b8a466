/**
 * Every shell command the docs show that starts with `gastown`, `npx gastown` or `npm run` is a real
 * command: a known subcommand with options it accepts, or a script of package.json. The safe ones run:
 * through the real `gastown` dispatcher: every `--help`, and `gastown plan` with a scripted scenario. Every relative link leads to a file.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { parseArgs } from 'node:util'
import { describe, expect, it } from 'vitest'
import { INIT_OPTIONS } from '../../src/cli/init.js'
import { PLAN_OPTIONS } from '../../src/cli/plan.js'
import { USAGE, runCli } from '../../src/cli/run-cli.js'
import { parseSandboxArgs } from '../../src/cli/sandbox-args.js'
import { STATUS_OPTIONS } from '../../src/cli/status.js'

const ROOT = fileURLToPath(new URL('../../', import.meta.url))
const DOCS = readdirSync(path.join(ROOT, 'docs'))
  .filter((name) => name.endsWith('.md'))
  .map((name) => `docs/${name}`)
const scripts = (
  JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> }
).scripts

/** Pages other helpers write; a link to one may come before the page does. */
const WRITTEN_ELSEWHERE = ['docs/security.md', 'docs/performance.md']

/** A documented command: where, its environment assignments, and its words. */
interface Command {
  file: string
  line: string
  env: Record<string, string>
  words: string[]
}

/** Splits a shell line into words, honouring single and double quotes. */
function words(line: string): string[] {
  const out: string[] = []
  let current = ''
  let quote: string | null = null
  let started = false
  for (const char of line) {
    if (quote) {
      if (char === quote) quote = null
      else current += char
    } else if (char === '"' || char === "'") {
      quote = char
      started = true
    } else if (char === '#' && !started && current === '') {
      // A shell comment: the rest of the line is not part of the command.
      break
    } else if (/\s/.test(char)) {
      if (started || current) out.push(current)
      current = ''
      started = false
    } else current += char
  }
  if (started || current) out.push(current)
  return out
}

/** The commands in the shell blocks of a markdown file. */
function commandsIn(file: string): Command[] {
  const text = readFileSync(path.join(ROOT, file), 'utf8')
  const commands: Command[] = []
  for (const block of text.matchAll(/```(?:sh|bash|shell|console)\n([\s\S]*?)```/g)) {
    for (const raw of block[1]!.split('\n')) {
      const line = raw.replace(/^\$ /, '').trim()
      if (line === '' || line.startsWith('#')) continue
      for (const part of line.split(/\s*&&\s*/)) {
        const all = words(part)
        const env: Record<string, string> = {}
        while (all[0] && /^[A-Z_][A-Z0-9_]*=/.test(all[0])) {
          const [key, ...value] = all.shift()!.split('=')
          env[key!] = value.join('=')
        }
        if (all[0] === 'npx' && all[1] === 'gastown') all.shift()
        if (all[0] === 'gastown' || (all[0] === 'npm' && all[1] === 'run'))
          commands.push({ file, line: part, env, words: all })
      }
    }
  }
  return commands
}

const COMMANDS = DOCS.flatMap(commandsIn)
const gastown = COMMANDS.filter((c) => c.words[0] === 'gastown')
const npmRuns = COMMANDS.filter((c) => c.words[0] === 'npm')

/** Subcommands and how their options are checked. */
const CHECKS: Record<string, (argv: string[]) => void> = {
  init: (argv) => void parseArgs({ args: argv, options: INIT_OPTIONS, allowPositionals: false }),
  plan: (argv) => void parseArgs({ args: argv, options: PLAN_OPTIONS, allowPositionals: true }),
  status: (argv) => void parseArgs({ args: argv, options: STATUS_OPTIONS, allowPositionals: true }),
  sandbox: (argv) => void parseSandboxArgs(argv),
}
/** Subcommands safe to run here (sandbox starts a whole town: its options are checked, not run). */
const RUNNABLE = ['init', 'plan', 'status']

/** Runs a documented command through the real `gastown` dispatcher. */
async function run(command: Command) {
  const out: string[] = []
  const err: string[] = []
  const code = await runCli(command.words.slice(1), {
    cwd: ROOT,
    env: command.env,
    stdout: (t) => out.push(t),
    stderr: (t) => err.push(t),
    onSignal: () => () => {},
  })
  return { code, stdout: out.join(''), stderr: err.join('') }
}

describe('commands in the docs', () => {
  it('finds the commands the docs show', () => {
    expect(gastown.map((c) => c.words[1])).toEqual(
      expect.arrayContaining(['init', 'plan', 'status', 'sandbox']),
    )
    expect(npmRuns.length).toBeGreaterThan(0)
  })

  it.each(gastown.map((c) => [`${c.file}: ${c.line}`, c] as const))(
    '%s is a real command',
    (_name, command) => {
      const name = command.words[1]
      const cliCommands = [...USAGE.matchAll(/^ {2}(\w[\w-]*) /gm)].map((m) => m[1])
      expect(
        Object.keys(CHECKS).concat(cliCommands as string[]),
        `unknown subcommand in ${command.line}`,
      ).toContain(name)
      if (CHECKS[name!]) expect(() => CHECKS[name!]!(command.words.slice(2))).not.toThrow()
    },
  )

  it.each(npmRuns.map((c) => [`${c.file}: ${c.line}`, c] as const))(
    '%s is a script of package.json',
    (_name, command) => {
      // `npm run -s bench`: npm's own flags come before the script's name.
      const script = command.words.slice(2).find((word) => !word.startsWith('-'))!
      expect(scripts, `npm run ${script}`).toHaveProperty([script])
    },
  )

  it('runs every documented --help, and every documented plan that names a scenario', async () => {
    const safe = gastown.filter(
      (c) =>
        RUNNABLE.includes(c.words[1]!) &&
        (c.words.includes('--help') || (c.words[1] === 'plan' && c.env['GASTOWN_SCENARIO'] !== undefined)),
    )
    for (const command of [
      ...safe,
      ...['init', 'plan', 'status'].map((name) => ({
        file: '-',
        line: `gastown ${name} --help`,
        env: {},
        words: ['gastown', name, '--help'],
      })),
    ]) {
      const result = await run(command)
      expect(result.code, `${command.line}: ${result.stderr}`).toBe(0)
      expect(result.stdout.length).toBeGreaterThan(0)
    }
    expect(safe.some((c) => c.words[1] === 'plan')).toBe(true)
  })
})

describe('links in the docs', () => {
  it.each(DOCS)('%s links only to files that exist', (file) => {
    const text = readFileSync(path.join(ROOT, file), 'utf8')
    const missing = [...text.matchAll(/\]\(([^)#\s]+)(?:#[^)]*)?\)/g)]
      .map((m) => m[1]!)
      .filter((target) => !/^[a-z]+:/.test(target))
      .map((target) => path.relative(ROOT, path.resolve(path.dirname(path.join(ROOT, file)), target)))
      .filter((target) => !existsSync(path.join(ROOT, target)) && !WRITTEN_ELSEWHERE.includes(target))
    expect(missing).toEqual([])
  })
})
