/** A real git client for tests: clone, commit and push over the emulator's smart HTTP. */
import { execFile } from 'node:child_process'
import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { promisify } from 'node:util'

const run = promisify(execFile)
const clones: string[] = []

/** Removes every working copy cloned so far. */
export async function removeClones(): Promise<void> {
  await Promise.all(clones.splice(0).map((dir) => rm(dir, { recursive: true, force: true })))
}

/** A working copy. */
export interface WorkingCopy {
  dir: string
  git(...args: string[]): Promise<string>
  /** Writes files, commits them, and answers the new commit's sha. */
  commit(files: Record<string, string>, message: string): Promise<string>
}

/** Clones `owner/repo` from the emulator with `token` as the password. */
export async function cloneRepo(gitUrl: string, repo: string, token: string): Promise<WorkingCopy> {
  const dir = await mkdtemp(join(tmpdir(), 'gastown-clone-'))
  clones.push(dir)
  const env = {
    PATH: process.env.PATH ?? '',
    GIT_CONFIG_GLOBAL: '/dev/null',
    GIT_CONFIG_NOSYSTEM: '1',
    GIT_TERMINAL_PROMPT: '0',
  }
  const url = new URL(`${gitUrl}/${repo}.git`)
  url.username = 'x-access-token'
  url.password = token
  await run('git', ['clone', '--quiet', url.toString(), dir], { env })
  const git = async (...args: string[]) =>
    (
      await run('git', ['-c', 'user.name=Test', '-c', 'user.email=test@example.com', ...args], {
        cwd: dir,
        env,
      })
    ).stdout.trim()
  return {
    dir,
    git,
    async commit(files, message) {
      for (const [path, content] of Object.entries(files)) {
        await mkdir(dirname(join(dir, path)), { recursive: true })
        await writeFile(join(dir, path), content)
      }
      await git('add', '-A')
      await git('commit', '--quiet', '-m', message)
      return git('rev-parse', 'HEAD')
    },
  }
}
