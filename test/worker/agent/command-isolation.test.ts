/**
 * A command must not reach the worker's secrets through /proc: the runner gives the worker its token and
 * key in the environment, and `/proc/<pid>/environ` of the worker (or any of its parents) shows them to
 * any process of the same user. Commands run in their own PID namespace, where those processes do not
 * exist.
 */
import { spawn } from 'node:child_process'
import { afterEach, expect, it } from 'vitest'
import { probeCommandIsolation } from '../../../src/worker/agent/command-isolation.js'
import { runCommand } from '../../../src/worker/agent/run-command.js'
import { makeRepo, removeTempDirs } from './support.js'

afterEach(() => removeTempDirs())

const CANARY = 'canary-token-4f1c9e'
// Looks for the canary in every process's environment the command can see, its parent's first.
const HUNT = `cat /proc/$PPID/environ 2>/dev/null | tr '\\0' '\\n' | grep -c ${CANARY}; grep -l ${CANARY} /proc/[0-9]*/environ 2>/dev/null | wc -l`

/** Runs the hunt from a child process that holds the canary in its environment, as the worker does. */
function huntFromWorker(isolation: readonly string[] | null, cwd: string): Promise<string> {
  const script = `
    import { runCommand } from ${JSON.stringify(new URL('../../../src/worker/agent/run-command.ts', import.meta.url).pathname)}
    const result = await runCommand({ command: ${JSON.stringify(HUNT)}, cwd: ${JSON.stringify(cwd)}, env: { PATH: process.env.PATH }, timeoutMs: 20000, isolation: ${JSON.stringify(isolation)} })
    process.stdout.write(result.output)
  `
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
      env: { PATH: process.env['PATH'], 'INPUT_GITHUB-TOKEN': CANARY, INPUT_API_KEY: CANARY },
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    let out = ''
    let err = ''
    child.stdout.on('data', (c) => (out += String(c)))
    child.stderr.on('data', (c) => (err += String(c)))
    child.once('exit', (code) =>
      code === 0 ? resolve(out) : reject(new Error(`worker stand-in failed: ${err}`)),
    )
  })
}

it('finds a way to isolate commands on this machine', async () => {
  expect(await probeCommandIsolation()).not.toBeNull()
})

it("keeps the worker's environment out of reach of a command run in its own PID namespace", async () => {
  const isolation = await probeCommandIsolation()
  const repo = makeRepo()
  // Without isolation the hole is real: the command reads the canary from its parent's environ.
  const open = (await huntFromWorker(null, repo)).trim().split('\n')
  expect(Number(open[0])).toBeGreaterThan(0)
  const closed = (await huntFromWorker(isolation, repo)).trim().split('\n')
  expect(closed.map(Number)).toEqual([0, 0])
})

it('still runs commands normally inside the namespace: exit codes, output and the workspace', async () => {
  const isolation = await probeCommandIsolation()
  const repo = makeRepo({ 'README.md': '# hello\n' })
  const ok = await runCommand({
    command: 'cat README.md; exit 3',
    cwd: repo,
    env: { PATH: process.env['PATH']! },
    timeoutMs: 20_000,
    isolation,
  })
  expect(ok.exitCode).toBe(3)
  expect(ok.output).toContain('# hello')
  const hung = await runCommand({
    command: 'sleep 1000 & sleep 1000',
    cwd: repo,
    env: { PATH: process.env['PATH']! },
    timeoutMs: 500,
    isolation,
  })
  expect(hung.timedOut).toBe(true)
})
