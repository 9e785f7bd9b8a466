/**
 * Plays a GitHub-hosted ubuntu-24.04 runner, where AppArmor refuses unprivileged user namespaces:
 * `unshare --user` fails writing its uid map. A stub `unshare` first on the steps' PATH fails the same
 * way for every call, so a worker must fall back to its separate user (the runner gives sudo).
 * https://discourse.ubuntu.com/t/ubuntu-24-04-lts-noble-numbat-release-notes/39890 (unprivileged
 * user namespace restrictions); https://github.com/actions/runner-images (the images' AppArmor setup).
 */
import { chmod, mkdir, writeFile } from 'node:fs/promises'
import { join } from 'node:path'

/** What `unshare --user` prints on ubuntu-24.04 under AppArmor's restriction. */
export const REFUSED_UNSHARE_MESSAGE = 'unshare: write failed /proc/self/uid_map: Operation not permitted'

/** Writes the refusing `unshare` into `dir` (readable by every user); answers the directory. */
export async function writeRefusedUnshare(dir: string): Promise<string> {
  await mkdir(dir, { recursive: true })
  const file = join(dir, 'unshare')
  await writeFile(file, `#!/bin/sh\necho '${REFUSED_UNSHARE_MESSAGE}' >&2\nexit 1\n`)
  await chmod(file, 0o755)
  await chmod(dir, 0o755)
  return dir
}
