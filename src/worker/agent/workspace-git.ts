/**
 * Git over the workspace's files through a git directory the agent never had. Before the agent runs,
 * `snapshotWorkspaceGit` records the base commit and an index of its tree (read from the workspace's
 * `.git` while trusted code alone has touched it). Each later call builds a fresh git directory from
 * that record (HEAD, a minimal config, the index) in a private temporary directory, runs git with
 * `--git-dir` there and `--work-tree` at the workspace, and removes it: the workspace's `.git` (config,
 * hooks, info/attributes, index), which the agent's commands may have rewritten, is never read.
 */
import { mkdir, mkdtemp, readFile, rm, stat, utimes, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { runTrustedGit, type GitResult, type TrustedGitOptions } from './trusted-git.js'

/** Git over the workspace, with the git directory of the snapshot. */
export interface WorkspaceGit {
  /** The workspace (a real path). */
  workspace: string
  /** The commit the snapshot was taken at. */
  baseSha: string
  /** Runs git with the snapshot's git directory and the workspace as work tree. */
  run(args: readonly string[], options?: TrustedGitOptions): Promise<GitResult>
}

const MINIMAL_CONFIG = '[core]\n\trepositoryformatversion = 0\n\tbare = false\n'

/**
 * Records the workspace's HEAD commit and an index of its tree. Call it before the agent runs: it is
 * the last time the workspace's `.git` is read. Throws when the workspace is not a git checkout.
 */
export async function snapshotWorkspaceGit(workspace: string, tmpRoot = tmpdir()): Promise<WorkspaceGit> {
  const head = await runTrustedGit(workspace, ['rev-parse', '--verify', '--quiet', 'HEAD^{commit}'])
  const baseSha = head.code === 0 ? head.stdout.toString('utf8').trim() : ''
  await mkdir(tmpRoot, { recursive: true })
  const scratch = await mkdtemp(path.join(tmpRoot, 'gastown-index-'))
  let index: Buffer
  try {
    const indexFile = path.join(scratch, 'index')
    const read = await runTrustedGit(workspace, ['read-tree', baseSha === '' ? '--empty' : baseSha], {
      env: { GIT_INDEX_FILE: indexFile },
    })
    if (read.code !== 0) {
      throw new Error(
        `git read-tree failed in ${workspace}: ${read.stderr.trim()}; is the workspace a git checkout?`,
      )
    }
    index = await readFile(indexFile)
  } finally {
    await rm(scratch, { recursive: true, force: true })
  }
  // Fill the index's stat data once, so later listings need not hash every file again.
  const refreshed = await withShadow(baseSha, { bytes: index }, tmpRoot, async (dir) => {
    await runTrustedGit(workspace, [...shadowArgs(dir, workspace), 'update-index', '-q', '--refresh'])
    const file = path.join(dir, 'index')
    return { bytes: await readFile(file), mtime: (await stat(file)).mtime }
  })
  return {
    workspace,
    baseSha,
    run: (args, options) => runInShadow(workspace, baseSha, refreshed, tmpRoot, args, options),
  }
}

/**
 * An index and, once git has written it, the time it was written. Git compares file times at
 * whole seconds, so a same-size edit in the second the index was written looks unchanged by stat;
 * git catches it only because such an entry is "racily clean" (not older than the index file) and
 * then compares content. Each shadow copy must therefore keep the index's own mtime: a copy made
 * later would make the entry look safely older and the edit would be missed.
 */
interface IndexRecord {
  bytes: Buffer
  mtime?: Date
}

function shadowArgs(dir: string, workspace: string): string[] {
  return [`--git-dir=${dir}`, `--work-tree=${workspace}`]
}

async function runInShadow(
  workspace: string,
  baseSha: string,
  index: IndexRecord,
  tmpRoot: string,
  args: readonly string[],
  options: TrustedGitOptions = {},
): Promise<GitResult> {
  return withShadow(baseSha, index, tmpRoot, (dir) =>
    runTrustedGit(workspace, [...shadowArgs(dir, workspace), ...args], options),
  )
}

async function withShadow<T>(
  baseSha: string,
  index: IndexRecord,
  tmpRoot: string,
  use: (dir: string) => Promise<T>,
): Promise<T> {
  const dir = await mkdtemp(path.join(tmpRoot, 'gastown-gitdir-'))
  try {
    await mkdir(path.join(dir, 'objects'))
    await mkdir(path.join(dir, 'refs'))
    // A detached HEAD at the base commit: git accepts it without reading the object.
    await writeFile(path.join(dir, 'HEAD'), baseSha === '' ? 'ref: refs/heads/none\n' : `${baseSha}\n`)
    await writeFile(path.join(dir, 'config'), MINIMAL_CONFIG)
    const indexFile = path.join(dir, 'index')
    await writeFile(indexFile, index.bytes)
    if (index.mtime !== undefined) await utimes(indexFile, index.mtime, index.mtime)
    return await use(dir)
  } finally {
    await rm(dir, { recursive: true, force: true })
  }
}
