/**
 * Each outcome of the isolation probe, through a real worker stand-in (a child process holding a
 * canary as the worker holds its token) that runs a hostile command: it hunts the canary in
 * /proc/<parent>/environ and every /proc/<pid>/environ, unmounts /proc and hunts again, reads the
 * worker's private temporary file, and writes .git. `unshare` refused is played by a stub first on
 * PATH that fails as GitHub's ubuntu-24.04 runners (AppArmor) make it fail.
 */
import { chmodSync, chownSync, lstatSync, mkdtempSync, readdirSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { agentUserIsolation } from '../../../src/worker/agent/command-isolation.js'
import { isolationError } from '../../../src/worker/agent/isolation-probe.js'
import { huntFromWorker, type HuntResult } from './isolation-stand-in.js'
import { makeRepo, removeTempDirs } from './support.js'

afterEach(() => removeTempDirs())

const NOBODY = 65534

/** A directory holding an `unshare` that fails as AppArmor makes it fail on ubuntu-24.04. */
function refusingUnshare(): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'refused-unshare-'))
  writeFileSync(
    path.join(dir, 'unshare'),
    '#!/bin/sh\necho "unshare: write failed /proc/self/uid_map: Operation not permitted" >&2\nexit 1\n',
  )
  chmodSync(path.join(dir, 'unshare'), 0o755)
  chmodSync(dir, 0o755)
  return dir
}

/** The hunt found nothing, could undo nothing and wrote no .git; the worker got the workspace back. */
function expectHeld(hunt: HuntResult): void {
  expect(hunt.parent, 'read /proc/<parent>/environ').toBe(0)
  expect(hunt.all, 'found the canary in some /proc/<pid>/environ').toBe(0)
  expect(hunt.umounted, 'unmounted /proc').toBe(false)
  expect(hunt.afterUmount, 'found the canary after umount').toBe(0)
  expect(hunt.gitWritten, 'wrote .git').toBe(false)
  expect(hunt.gitMoved, 'moved .git away').toBe(false)
  expect(hunt.wrote, 'could not write the workspace').toBe(true)
  expect(hunt.privateDirsWritable).toBe(true)
  expect(hunt.home).toMatch(/gastown-agent-[^/]+\/home$/)
  expect(hunt.tmp).toMatch(/gastown-agent-[^/]+\/tmp$/)
  expect(hunt.readBack, 'the worker reads what the command wrote, even a file it made 0600').toBe('made')
}

describe('the isolation probe, in order', () => {
  it('as root: a PID namespace, with the command dropped to the separate agent user', async () => {
    const hunt = await huntFromWorker({ workspace: makeRepo() })
    expect(hunt.kind, hunt.tried.join('\n')).toBe('pid-namespace')
    expectHeld(hunt)
    expect(hunt.uid).not.toBe(0)
    expect(hunt.secret, "read the worker's 0600 temporary file").toBe(0)
    expect(hunt.madeOwner, 'the workspace is handed back to the worker').toBe(process.getuid!())
  }, 120_000)

  it('as root with unshare refused: the separate agent user', async () => {
    const hunt = await huntFromWorker({ workspace: makeRepo(), pathPrefix: refusingUnshare() })
    expect(hunt.kind).toBe('separate-user')
    expect(hunt.tried.join('\n')).toContain('Operation not permitted')
    expectHeld(hunt)
    expect(hunt.uid).not.toBe(0)
    expect(hunt.secret, "read the worker's 0600 temporary file").toBe(0)
    expect(hunt.madeOwner).toBe(process.getuid!())
  }, 120_000)

  it('unprivileged: a user and PID namespace, .git read-only and no capabilities', async () => {
    const workspace = makeRepo()
    chownRecursive(workspace, NOBODY)
    const hunt = await huntFromWorker({ workspace, asUid: NOBODY })
    expect(hunt.kind, hunt.tried.join('\n')).toBe('user-namespace')
    expectHeld(hunt)
    expect(hunt.madeOwner).toBe(NOBODY)
  }, 120_000)

  it('unprivileged with unshare refused and no sudo: nothing, and the reasons', async () => {
    const workspace = makeRepo()
    chownRecursive(workspace, NOBODY)
    const hunt = await huntFromWorker({ workspace, asUid: NOBODY, pathPrefix: refusingUnshare() })
    expect(hunt.kind).toBeNull()
    expect(hunt.tried).toEqual([
      expect.stringMatching(/^PID namespace with a user namespace: .*Operation not permitted/),
      expect.stringMatching(/^separate user through sudo: `sudo -n true` failed/),
    ])
    const error = isolationError(hunt.tried)
    expect(error).toContain('passwordless sudo')
    expect(error).toContain('container job')
    expect(error).toContain('isolation: none')
  }, 120_000)

  it('without isolation the hunt finds the canary: the hole the probe guards is real', async () => {
    const hunt = await huntFromWorker({ workspace: makeRepo(), isolate: false })
    expect(hunt.parent).toBeGreaterThan(0)
    expect(hunt.secret).toBeGreaterThan(0)
  }, 120_000)
})

describe('through sudo (GitHub-hosted runners: the runner user has passwordless sudo)', () => {
  const user = { name: 'gastown-agent', uid: 990, gid: 991 }
  const dirs = { root: '/tmp/a', home: '/tmp/a/home', tmp: '/tmp/a/tmp' }
  const parts = { privilege: 'sudo' as const, user, dirs, granted: [] }

  it('runs the command as the agent user with the scrubbed environment set again after sudo', () => {
    const plan = agentUserIsolation(parts, false).plan('npm test', '/w', { PATH: '/usr/bin', LANG: 'C' })
    expect(plan.argv).toEqual([
      'sudo',
      '-n',
      '--',
      'env',
      '-i',
      'PATH=/usr/bin',
      'LANG=C',
      'HOME=/tmp/a/home',
      'TMPDIR=/tmp/a/tmp',
      'TMP=/tmp/a/tmp',
      'TEMP=/tmp/a/tmp',
      'setpriv',
      '--reuid=990',
      '--regid=991',
      '--clear-groups',
      '--inh-caps=-all',
      '--bounding-set=-all',
      '--no-new-privs',
      '--',
      'bash',
      '-c',
      'npm test',
    ])
    expect(plan.env).toEqual({ PATH: '/usr/bin' })
  })

  it('adds the PID namespace before dropping to the agent user when unshare works as root', () => {
    const plan = agentUserIsolation(parts, true).plan('ls', '/w', { PATH: '/usr/bin' })
    const unshare = plan.argv.indexOf('unshare')
    expect(plan.argv.slice(0, 3)).toEqual(['sudo', '-n', '--'])
    expect(plan.argv.slice(unshare, unshare + 5)).toEqual([
      'unshare',
      '--pid',
      '--fork',
      '--mount-proc',
      '--kill-child',
    ])
    expect(plan.argv.indexOf('setpriv')).toBeGreaterThan(unshare)
  })
})

function chownRecursive(dir: string, uid: number): void {
  chownSync(dir, uid, uid)
  for (const entry of readdirRecursive(dir)) chownSync(entry, uid, uid)
}

function readdirRecursive(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const full = path.join(dir, name)
    return lstatSync(full).isDirectory() ? [full, ...readdirRecursive(full)] : [full]
  })
}
