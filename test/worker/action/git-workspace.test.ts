import { existsSync } from 'node:fs'
import { chmod, mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import {
  commitStaged,
  prepareBranch,
  pushBranch,
  findStoredCredentials,
  stageInTrustedClone,
  type GitRemote,
} from '../../../src/worker/action/git-workspace.js'
import { OWNER, REPO, checkout, git, startWorkerTown, type Town } from './worker-town.js'

let town: Town
let remote: GitRemote
let tmpRoot: string

beforeEach(async () => {
  town = await startWorkerTown()
  remote = { url: `${town.emulator.url}/${OWNER}/${REPO}.git`, token: town.emulator.tokenFor(OWNER) }
  tmpRoot = await mkdtemp(path.join(tmpdir(), 'git-workspace-'))
})

afterEach(async () => {
  await town?.close()
  await rm(tmpRoot, { recursive: true, force: true })
})

describe('git workspace', () => {
  it('finds the credentials a checkout persisted: v4/v5 auth header, v6 includeIf and its file under RUNNER_TEMP', async () => {
    expect(await findStoredCredentials(await checkout(town, remote.token), tmpRoot)).toEqual([])
    const persisted = await checkout(town, remote.token, { persist: true })
    expect(await findStoredCredentials(persisted)).toEqual([
      `http.${town.emulator.url}/.extraheader in .git/config`,
    ])
    const v6 = await checkout(town, remote.token)
    const file = path.join(tmpRoot, 'git-credentials-0d1e.config')
    await writeFile(file, '[http "https://github.com/"]\n\textraheader = AUTHORIZATION: basic x\n')
    await git(v6, ['config', '--local', `includeIf.gitdir:${v6}/.git.path`, file])
    const found = await findStoredCredentials(v6, tmpRoot)
    expect(found).toEqual([`includeif.gitdir:${v6}/.git.path in .git/config`, file])
    expect(found.join('\n')).not.toContain('AUTHORIZATION')
  })

  it('builds the commit in a trusted clone, so hooks and config the agent planted in the workspace never run', async () => {
    const workspace = await checkout(town, remote.token)
    const base = await prepareBranch(workspace, remote, { branch: 'gastown/7-x', source: 'main' })

    // What a hostile agent could leave behind with run_command.
    const planted = path.join(tmpRoot, 'hook-ran')
    await writeFile(path.join(workspace, '.git/hooks/pre-commit'), `#!/bin/sh\ntouch ${planted}\n`)
    await chmod(path.join(workspace, '.git/hooks/pre-commit'), 0o755)
    await git(workspace, ['config', '--local', `url.http://127.0.0.1:9/.insteadOf`, town.emulator.url])
    await writeFile(path.join(workspace, 'src/sum.js'), 'export const sum = (a, b) => a + b\n')
    await writeFile(path.join(workspace, 'new.txt'), 'new\n')
    await rm(path.join(workspace, 'AGENTS.md'))
    await symlink('src/sum.js', path.join(workspace, 'link'))
    await symlink('/etc/hostname', path.join(workspace, 'outlink'))
    await mkdir(path.join(tmpRoot, 'outside'))
    await writeFile(path.join(tmpRoot, 'outside/secret.txt'), 'secret\n')
    await symlink(path.join(tmpRoot, 'outside'), path.join(workspace, 'escape'))

    const staged = await stageInTrustedClone({
      workspace,
      remote,
      source: 'main',
      branch: 'gastown/7-x',
      baseSha: base,
      changes: [
        { path: 'src/sum.js', status: 'modified' },
        { path: 'new.txt', status: 'added' },
        { path: 'AGENTS.md', status: 'deleted' },
        { path: 'link', status: 'added' },
        { path: 'outlink', status: 'added' },
        { path: 'escape/secret.txt', status: 'added' },
        { path: '.git/config', status: 'modified' },
      ],
      tmpRoot,
    })
    expect(staged.refused).toEqual([
      '"outlink": a symlink to the absolute path "/etc/hostname", outside the repository',
      '"escape/secret.txt": its parent escape is a symlink',
      '".git/config": not a path inside the repository',
    ])
    expect(staged.staged).toEqual([
      { path: 'AGENTS.md', status: 'deleted' },
      { path: 'link', status: 'added' },
      { path: 'new.txt', status: 'added' },
      { path: 'src/sum.js', status: 'modified' },
    ])
    const sha = await commitStaged(staged.dir, 'Fix\n\nGastown-Bead: #7\n')
    await pushBranch(staged.dir, remote, 'gastown/7-x')
    expect(existsSync(planted)).toBe(false)
    expect(await town.emulator.git.resolveRef(`${OWNER}/${REPO}`, 'refs/heads/gastown/7-x')).toBe(sha)
    expect((await town.emulator.git.readFile(`${OWNER}/${REPO}`, sha, 'link'))?.toString()).toBe('src/sum.js')
  })

  it('never forces a push over work it did not start from', async () => {
    const workspace = await checkout(town, remote.token)
    const base = await prepareBranch(workspace, remote, { branch: 'gastown/8-y', source: 'main' })
    const first = await stageInTrustedClone({
      workspace,
      remote,
      source: 'main',
      branch: 'gastown/8-y',
      baseSha: base,
      changes: [],
      tmpRoot,
    })
    await writeFile(path.join(first.dir, 'a.txt'), 'a\n')
    await git(first.dir, ['add', 'a.txt'])
    await commitStaged(first.dir, 'first')
    await pushBranch(first.dir, remote, 'gastown/8-y')

    const second = await stageInTrustedClone({
      workspace,
      remote,
      source: 'main',
      branch: 'gastown/8-y',
      baseSha: base,
      changes: [],
      tmpRoot,
    })
    await writeFile(path.join(second.dir, 'b.txt'), 'b\n')
    await git(second.dir, ['add', 'b.txt'])
    await commitStaged(second.dir, 'second')
    await expect(pushBranch(second.dir, remote, 'gastown/8-y')).rejects.toThrow(
      /rejected|non-fast-forward|fetch first/,
    )
  })
})
