import { readdirSync, readFileSync } from 'node:fs'
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest'
import { buildCommandEnv } from '../../../src/worker/agent/command-env.js'
import { runCommand } from '../../../src/worker/agent/run-command.js'
import { makeTempDir, removeTempDirs } from './support.js'

afterAll(removeTempDirs)

const CANARY = 'canary-7f3e9a1b-do-not-leak'
const SECRET_NAMES = [
  'GITHUB_TOKEN',
  'GH_TOKEN',
  'INPUT_GITHUB-TOKEN',
  'INPUT_OPENAI_API_KEY',
  'ACTIONS_RUNTIME_TOKEN',
  'OPENAI_API_KEY',
  'NODE_AUTH_TOKEN',
  'NODE_OPTIONS',
  'GASTOWN_DEPLOY_SECRET',
  'MY_SERVICE_KEY',
]

/** True while the process runs; a zombie waiting for its parent to reap it counts as gone. */
function alive(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
    const state = stat.slice(stat.lastIndexOf(')') + 2).split(' ')[0]
    return state !== 'Z' && state !== 'X'
  } catch {
    return false
  }
}

/** The live processes of a process group, from /proc. */
function liveGroupMembers(pgid: number): number[] {
  return readdirSync('/proc')
    .filter((entry) => /^\d+$/.test(entry))
    .flatMap((entry) => {
      try {
        const stat = readFileSync(`/proc/${entry}/stat`, 'utf8')
        const [state, , group] = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
        return group === String(pgid) && state !== 'Z' && state !== 'X' ? [Number(entry)] : []
      } catch {
        return []
      }
    })
}

describe('runCommand environment', () => {
  beforeEach(() => {
    for (const name of SECRET_NAMES) process.env[name] = `${CANARY}-${name}`
  })
  afterEach(() => {
    for (const name of SECRET_NAMES) delete process.env[name]
  })

  for (const command of ['env', 'printenv', 'cat /proc/self/environ', 'cat /proc/$$/environ']) {
    it(`shows no secret of the worker's environment to \`${command}\``, async () => {
      const result = await runCommand({
        command,
        cwd: makeTempDir(),
        env: buildCommandEnv(process.env),
        timeoutMs: 30_000,
      })
      expect(result.exitCode).toBe(0)
      expect(result.output).toContain('PATH=')
      expect(result.output).not.toContain(CANARY)
      for (const name of SECRET_NAMES) expect(result.output).not.toContain(`${name}=`)
    })
  }
})

describe('runCommand', () => {
  it('reports the exit code and the interleaved stdout and stderr', async () => {
    const result = await runCommand({
      command: 'echo out; echo err >&2; exit 3',
      cwd: makeTempDir(),
      env: buildCommandEnv(process.env),
      timeoutMs: 30_000,
    })
    expect(result).toMatchObject({ exitCode: 3, signal: null, timedOut: false, elidedBytes: 0 })
    expect(result.output).toContain('out\n')
    expect(result.output).toContain('err\n')
  })

  it('runs in the given directory', async () => {
    const dir = makeTempDir()
    const result = await runCommand({
      command: 'pwd',
      cwd: dir,
      env: buildCommandEnv(process.env),
      timeoutMs: 30_000,
    })
    expect(result.output.trim()).toBe(dir)
  })

  it('closes stdin, so a command that reads it sees the end at once', async () => {
    const result = await runCommand({
      command: 'cat; echo "read done"',
      cwd: makeTempDir(),
      env: buildCommandEnv(process.env),
      timeoutMs: 30_000,
    })
    expect(result).toMatchObject({ exitCode: 0, timedOut: false })
    expect(result.output).toBe('read done\n')
  })

  it('reports the signal that ended the command', async () => {
    const result = await runCommand({
      command: 'kill -KILL $$',
      cwd: makeTempDir(),
      env: buildCommandEnv(process.env),
      timeoutMs: 30_000,
    })
    expect(result).toMatchObject({ exitCode: null, signal: 'SIGKILL', timedOut: false })
  })

  it('kills the whole process group at the timeout, children included', async () => {
    const result = await runCommand({
      command:
        'sleep 1000 & echo "child $!"; bash -c \'trap "" TERM; sleep 1000\' & echo "child $!"; echo "shell $$"; sleep 1000',
      cwd: makeTempDir(),
      env: buildCommandEnv(process.env),
      timeoutMs: 500,
      graceMs: 200,
    })
    expect(result.timedOut).toBe(true)
    const pids = [...result.output.matchAll(/(?:child|shell) (\d+)/g)].map((match) => Number(match[1]))
    expect(pids).toHaveLength(3)
    for (const pid of pids) expect(alive(pid)).toBe(false)
    // The shell leads its own group, so the group id is its pid: nothing of the group is left.
    const shell = Number(/shell (\d+)/.exec(result.output)?.[1])
    expect(liveGroupMembers(shell)).toEqual([])
  })

  it('ends background processes that outlive the command itself', async () => {
    const result = await runCommand({
      command: 'sleep 1000 > /dev/null 2>&1 & echo "child $!"',
      cwd: makeTempDir(),
      env: buildCommandEnv(process.env),
      timeoutMs: 60_000,
      graceMs: 200,
    })
    expect(result).toMatchObject({ exitCode: 0, timedOut: false })
    const pid = Number(/child (\d+)/.exec(result.output)?.[1])
    expect(pid).toBeGreaterThan(0)
    expect(alive(pid)).toBe(false)
  })

  it('caps a flood of output to its head and tail and says how much was elided', async () => {
    const result = await runCommand({
      command: 'echo START; yes | head -c 10000000; echo; echo END',
      cwd: makeTempDir(),
      env: buildCommandEnv(process.env),
      timeoutMs: 60_000,
      maxOutputBytes: 10_000,
    })
    expect(result.exitCode).toBe(0)
    expect(result.totalBytes).toBe(10_000_000 + 'START\n'.length + '\nEND\n'.length)
    expect(result.elidedBytes).toBe(result.totalBytes - 10_000)
    expect(result.output.startsWith('START\ny\ny\n')).toBe(true)
    expect(result.output.endsWith('y\n\nEND\n')).toBe(true)
    expect(result.output).toContain(`[... ${result.elidedBytes} bytes elided ...]`)
    expect(result.output.length).toBeLessThan(10_100)
  })

  it('keeps memory bounded for an endless flood stopped by the timeout', async () => {
    const result = await runCommand({
      command: 'yes',
      cwd: makeTempDir(),
      env: buildCommandEnv(process.env),
      timeoutMs: 300,
      graceMs: 100,
      maxOutputBytes: 4_096,
    })
    expect(result.timedOut).toBe(true)
    expect(result.output.length).toBeLessThan(4_200)
  })

  it('stops the command when the signal aborts', async () => {
    const controller = new AbortController()
    const running = runCommand({
      command: 'echo started; sleep 1000',
      cwd: makeTempDir(),
      env: buildCommandEnv(process.env),
      timeoutMs: 600_000,
      graceMs: 100,
      signal: controller.signal,
    })
    controller.abort()
    const result = await running
    expect(result.timedOut).toBe(true)
    expect(result.signal).toBe('SIGTERM')
  })
})
