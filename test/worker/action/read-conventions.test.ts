/** The conventions come from the checkout: regular files inside the workspace only, never through a link. */
import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { readConventions } from '../../../src/worker/action/gather-context.js'

let root: string
let workspace: string
let outside: string

beforeEach(async () => {
  root = await mkdtemp(path.join(tmpdir(), 'conventions-'))
  workspace = path.join(root, 'ws')
  outside = path.join(root, 'outside')
  await mkdir(workspace)
  await mkdir(outside)
  await writeFile(path.join(outside, 'secret.txt'), 'RUNNER SECRET\n')
})

afterEach(async () => {
  await rm(root, { recursive: true, force: true })
})

describe('readConventions', () => {
  it('reads the conventions files present, in their order, skipping empty ones', async () => {
    await writeFile(path.join(workspace, 'AGENTS.md'), '# Agents\nRun npm test.\n')
    await writeFile(path.join(workspace, 'README.md'), '# Town\n')
    await writeFile(path.join(workspace, 'CONTRIBUTING.md'), '  \n')
    expect(await readConventions(workspace)).toEqual([
      { path: 'README.md', text: '# Town\n' },
      { path: 'AGENTS.md', text: '# Agents\nRun npm test.\n' },
    ])
  })

  it('skips a file that is a link, or lies under a directory that is one, whatever it points at', async () => {
    await symlink(path.join(outside, 'secret.txt'), path.join(workspace, 'README.md'))
    await writeFile(path.join(outside, 'CONTRIBUTING.md'), 'RUNNER SECRET\n')
    await symlink(outside, path.join(workspace, '.github'))
    await writeFile(path.join(workspace, 'AGENTS.md'), 'plain\n')
    expect(await readConventions(workspace)).toEqual([{ path: 'AGENTS.md', text: 'plain\n' }])
  })

  it('reads at most 64 KiB of a file', async () => {
    await writeFile(path.join(workspace, 'README.md'), 'x'.repeat(200_000))
    const [readme] = await readConventions(workspace)
    expect(readme!.text).toHaveLength(64 * 1024)
  })
})
