/**
 * Ctrl-C on `gastown sandbox`: the real CLI process, interrupted while a worker run is in progress,
 * exits promptly with the runner's children killed, its ports closed and its temporary files removed.
 */
import { mkdtemp, readdir, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { alive, descendants, listening, startCli, type CliProcess } from './cli-process.js'

let cli: CliProcess | undefined
const dirs: string[] = []

afterEach(async () => {
  if (cli && cli.child.exitCode === null) cli.child.kill('SIGKILL')
  for (const dir of dirs) await rm(dir, { recursive: true, force: true })
})

describe('gastown sandbox interrupted', () => {
  it('stops on SIGINT mid-run: children killed, ports closed, temporary directories removed', async () => {
    const temp = await mkdtemp(path.join(tmpdir(), 'gastown-interrupt-'))
    dirs.push(temp)
    // Its own TMPDIR, so what the town leaves behind can be seen.
    cli = startCli(['sandbox', '--report-dir', path.join(temp, 'report')], { TMPDIR: temp })
    const started = await cli.line(
      /GitHub emulator at http:\/\/127\.0\.0\.1:(\d+), Mayor at http:\/\/127\.0\.0\.1:(\d+)\//,
    )
    const ports = [Number(started[1]), Number(started[2])]
    // A worker is running: the plain line, or the board's line once it has attached.
    await cli.line(/runner\s+run \d+ for bead #\d+ attempt \d+: in_progress|→ in_progress/)
    expect(await listening(ports[0]!)).toBe(true)
    const own = await readdir(temp)
    expect(own.some((entry) => entry.startsWith('gastown-runs-'))).toBe(true)

    // The step processes of the run in progress, and whatever else the CLI started.
    const pids = descendants(cli.child.pid!)
    expect(pids.length).toBeGreaterThan(0)
    cli.child.kill('SIGINT')
    const exit = await cli.exited

    expect(exit, cli.stderr()).toEqual({ code: 130, signal: null })
    expect(cli.stderr()).toContain('SIGINT: stopping the town')
    expect(pids.filter(alive)).toEqual([])
    for (const port of ports) expect(await listening(port)).toBe(false)
    const left = (await readdir(temp)).filter((entry) => entry.startsWith('gastown-'))
    expect(left).toEqual([])
    // The report of the stopped run says so.
    expect(cli.stdout()).toContain('stopped (interrupted)')
  })
})
