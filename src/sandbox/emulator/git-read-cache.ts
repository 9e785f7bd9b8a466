/**
 * Reads of the git host that need no git process. Starting a process from a large Node process blocks
 * its event loop while the kernel copies the process (tens of milliseconds on a busy machine), and the
 * emulator shares its loop with whatever runs beside it: in the bench, the Mayor, whose webhook answers
 * and dispatches then wait on GitHub's own disk work, which real GitHub never makes them do. So branch
 * heads are read from the ref files as git stores them, and whatever depends only on commit ids (a file
 * at a commit, a tree listing, a merge check) is remembered, since a commit never changes.
 */
import { readFile } from 'node:fs/promises'
import { existsSync } from 'node:fs'
import { join } from 'node:path'

const SHA_LINE = /^([0-9a-f]{40})$/

/** The sha in a loose ref file, null when there is none, undefined when only git can tell. */
async function looseRef(dir: string, ref: string): Promise<string | null | undefined> {
  try {
    const text = (await readFile(join(dir, ref), 'utf8')).trim()
    // A symbolic ref (`ref: refs/heads/x`) or anything unexpected is left to git.
    return SHA_LINE.exec(text)?.[1] ?? undefined
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code
    if (code === 'ENOENT' || code === 'ENOTDIR') return null
    if (code === 'EISDIR') return undefined
    throw error
  }
}

/** packed-refs as a map from ref to sha (empty when the file is missing). */
async function packedRefs(dir: string): Promise<Map<string, string>> {
  let text: string
  try {
    text = await readFile(join(dir, 'packed-refs'), 'utf8')
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return new Map()
    throw error
  }
  const refs = new Map<string, string>()
  for (const line of text.split('\n')) {
    if (line.length > 41 && line[40] === ' ') refs.set(line.slice(41), line.slice(0, 40))
  }
  return refs
}

/**
 * The commit a branch points at, read as git reads it: the loose file `refs/heads/<name>` (git replaces
 * it by rename, so a read sees the old or the new value, never half), else its line in packed-refs
 * (git writes packed-refs before it deletes loose files). `rev` is a branch name or `refs/heads/…`.
 * Undefined whenever git could answer otherwise: a name that is also a tag or another ref (git's
 * lookup order puts those first), a missing branch (git tries more places), or a reftable repository.
 */
export async function branchHead(dir: string, rev: string): Promise<string | undefined> {
  if (existsSync(join(dir, 'reftable'))) return undefined
  // packed-refs is read at most once, and after the loose file of `ref`: git writes packed-refs before
  // it deletes the loose files it packed.
  let packed: Map<string, string> | undefined
  const packedOf = async () => (packed ??= await packedRefs(dir))
  const short = !rev.startsWith('refs/heads/')
  if (short && (rev.startsWith('refs/') || /^[0-9a-f]{40}$/.test(rev))) return undefined
  const ref = short ? `refs/heads/${rev}` : rev
  const loose = await looseRef(dir, ref)
  if (short) {
    // rev-parse looks up <name>, refs/<name> and refs/tags/<name> before refs/heads/<name>.
    for (const name of [rev, `refs/${rev}`, `refs/tags/${rev}`]) {
      if ((await looseRef(dir, name)) !== null || (await packedOf()).has(name)) return undefined
    }
  }
  return loose !== null ? loose : (await packedOf()).get(ref)
}

/** Answers remembered by key, the oldest forgotten first past `limit`. */
export class ImmutableReads {
  private readonly answers = new Map<string, unknown>()

  constructor(private readonly limit = 4000) {}

  /** The remembered answer for `key`, or `compute`'s, remembered when `keep` allows it. */
  async get<T>(key: string, compute: () => Promise<T>, keep: (value: T) => boolean = () => true): Promise<T> {
    if (this.answers.has(key)) return this.answers.get(key) as T
    const value = await compute()
    if (keep(value)) {
      this.answers.set(key, value)
      if (this.answers.size > this.limit) {
        const oldest = this.answers.keys().next()
        if (!oldest.done) this.answers.delete(oldest.value)
      }
    }
    return value
  }

  /** The remembered answer for `key`, or undefined. */
  peek(key: string): unknown {
    return this.answers.get(key)
  }

  /** Remembers `value` for `key` without computing it. */
  set(key: string, value: unknown): void {
    this.answers.set(key, value)
  }
}
