/** The flags of `gastown sandbox`. */
import { describe, expect, it } from 'vitest'
import { parseSandboxArgs, UsageError } from '../../src/cli/sandbox-args.js'
import { runCli } from '../../src/cli/run-cli.js'

describe('parseSandboxArgs', () => {
  it('takes the goal from the words and the defaults for the rest', () => {
    expect(parseSandboxArgs(['Build', 'a', 'todo', 'API'])).toEqual({
      goal: 'Build a todo API',
      workers: 3,
      reportDir: 'gastown-report',
      json: false,
      keep: false,
      merge: 'auto',
      seed: 1,
      timeoutMinutes: 30,
      hostedRunner: false,
      help: false,
    })
  })

  it('reads every flag', () => {
    expect(
      parseSandboxArgs([
        '--workers=5',
        '--scenario',
        'wide',
        '--report-dir',
        'out',
        '--json',
        '--keep',
        '--port',
        '4000',
        '--merge',
        'manual',
        '--seed',
        '7',
        '--timeout-minutes',
        '3',
        '--hosted-runner',
      ]),
    ).toMatchObject({
      workers: 5,
      scenario: 'wide',
      reportDir: 'out',
      json: true,
      keep: true,
      port: 4000,
      merge: 'manual',
      seed: 7,
      timeoutMinutes: 3,
      hostedRunner: true,
    })
  })

  it('refuses bad values, naming the flag', () => {
    expect(() => parseSandboxArgs(['--workers', '0'])).toThrow(/--workers takes a whole number from 1 to 64/)
    expect(() => parseSandboxArgs(['--workers', '2.5'])).toThrow(UsageError)
    expect(() => parseSandboxArgs(['--merge', 'sometimes'])).toThrow(/--merge takes auto or manual/)
    expect(() => parseSandboxArgs(['--port', '70000'])).toThrow(/--port/)
    expect(() => parseSandboxArgs(['--colour'])).toThrow(/--colour[\s\S]*gastown sandbox --help/)
  })
})

describe('runCli', () => {
  const io = () => {
    const out: string[] = []
    const err: string[] = []
    return {
      out,
      err,
      deps: {
        env: {},
        cwd: '/',
        stdout: (t: string) => void out.push(t),
        stderr: (t: string) => void err.push(t),
        onSignal: () => () => undefined,
      },
    }
  }

  it('answers 2 for an unknown command or a bad flag, saying what is wrong', async () => {
    const a = io()
    expect(await runCli(['deploy'], a.deps)).toBe(2)
    expect(a.err.join('')).toContain('unknown command "deploy"')
    const b = io()
    expect(await runCli(['sandbox', '--workers', 'many'], b.deps)).toBe(2)
    expect(b.err.join('')).toContain('--workers takes a whole number')
  })

  it('prints the usage for help', async () => {
    const a = io()
    expect(await runCli(['sandbox', '--help'], a.deps)).toBe(0)
    expect(a.out.join('')).toContain('--merge auto|manual')
  })
})
