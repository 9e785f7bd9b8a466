/**
 * A command must not reach the worker's secrets through /proc: the runner gives the worker its token and
 * key in the environment, and `/proc/<pid>/environ` of the worker (or any of its parents) shows them to
 * any process of the same user. Commands run isolated (command-isolation.ts), where those processes do
 * not exist or belong to another user.
 */
import { afterEach, expect, it } from 'vitest'
import { probeCommandIsolation } from '../../../src/worker/agent/isolation-probe.js'
import { runCommand } from '../../../src/worker/agent/run-command.js'
import { huntFromWorker } from './isolation-stand-in.js'
import { makeRepo, removeTempDirs } from './support.js'

afterEach(() => removeTempDirs())

it('finds a way to isolate commands on this machine', async () => {
  const probe = await probeCommandIsolation()
  expect(probe.isolation, probe.tried.join('\n')).not.toBeNull()
  await probe.isolation?.close()
})

it("keeps the worker's environment out of reach of an isolated command", async () => {
  // Without isolation the hole is real: the command reads the canary from its parent's environ.
  const open = await huntFromWorker({ workspace: makeRepo(), isolate: false })
  expect(open.parent).toBeGreaterThan(0)
  const closed = await huntFromWorker({ workspace: makeRepo() })
  expect([closed.parent, closed.all, closed.afterUmount]).toEqual([0, 0, 0])
})

it('still runs commands normally when isolated: exit codes, output and the workspace', async () => {
  const { isolation } = await probeCommandIsolation()
  const repo = makeRepo({ 'README.md': '# hello\n' })
  try {
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
  } finally {
    await isolation?.close()
  }
})
