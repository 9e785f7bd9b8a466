/**
 * The emulator's git host: real bare repositories on disk, served over git's smart HTTP protocol at
 * `/<owner>/<repo>.git` with GitHub's authentication (HTTP Basic, the token as password), plus the ref,
 * merge and compare operations that the REST routes build on.
 */
import { spawn } from 'node:child_process'
import { randomUUID } from 'node:crypto'
import { chmodSync, existsSync, mkdirSync, writeFileSync } from 'node:fs'
import { mkdir, readFile, rm } from 'node:fs/promises'
import type { IncomingMessage, ServerResponse } from 'node:http'
import { join } from 'node:path'
import { createGunzip } from 'node:zlib'
import type { Actor, Authorize, ChangedFile, GitHost, Permission, PushEvent } from './contracts.js'
import { git, isolatedGitEnv, runGit } from './git-exec.js'
import { branchHead, ImmutableReads } from './git-read-cache.js'

/** What the git host needs: where repositories live, and how requests are authenticated. */
export interface GitHostOptions {
  /** Directory for the bare repositories (created when missing, removed by `close`). */
  root: string
  /** Decides who a request is from and what it may do. */
  authorize: Authorize
  /** Time used for commits the host makes itself (initial commits, merges). */
  clock?: () => Date
  /** Where failures of push listeners are reported. */
  logger?: { warn(details: object, message: string): void }
}

const ZERO_SHA = '0000000000000000000000000000000000000000'
const SERVICES = ['git-upload-pack', 'git-receive-pack'] as const
type Service = (typeof SERVICES)[number]

const RANK: Record<Permission, number> = { none: 0, read: 1, triage: 2, write: 3, admin: 4 }
const REPO_NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]*\/[A-Za-z0-9_.-]+$/
const GIT_PATH =
  /^\/([A-Za-z0-9][A-Za-z0-9_.-]*)\/([A-Za-z0-9_.-]+?)(?:\.git)?\/(info\/refs|git-upload-pack|git-receive-pack)$/
const SHA = /^[0-9a-f]{40}$/
/** Files past this size are read from git each time rather than kept in memory. */
const MAX_REMEMBERED_BLOB = 256 * 1024

type CompareResult = Awaited<ReturnType<GitHost['compare']>>
type TreeEntry = Awaited<ReturnType<GitHost['listTree']>>[number]

/** Whether a full ref name is one the host will touch (`refs/...`, no revision syntax). */
function isRefName(ref: string): boolean {
  return (
    /^refs\/[A-Za-z0-9._/-]+$/.test(ref) &&
    !ref.includes('..') &&
    !ref.includes('//') &&
    !ref.endsWith('/') &&
    !ref.endsWith('.lock') &&
    !ref.includes('/.')
  )
}

/** Whether a revision (branch, tag, full ref or sha) can be handed to git without being read as an option. */
function isRevision(rev: string): boolean {
  return rev.length > 0 && !rev.startsWith('-') && !/[\s:^~?*[\\]/.test(rev) && !rev.includes('..')
}

function pktLine(text: string): string {
  return (text.length + 4).toString(16).padStart(4, '0') + text
}

function identityEnv(prefix: 'AUTHOR' | 'COMMITTER', name: string, email: string, date: Date) {
  return {
    [`GIT_${prefix}_NAME`]: name,
    [`GIT_${prefix}_EMAIL`]: email,
    [`GIT_${prefix}_DATE`]: `@${Math.floor(date.getTime() / 1000)} +0000`,
  }
}

/** GitHub's no-reply address for a user. */
function noreplyEmail(actor: Actor): string {
  return `${actor.id}+${actor.login}@users.noreply.github.com`
}

/** Splits a full `git diff` into one chunk per file, in the order git printed them. */
function splitPatch(diff: string): string[] {
  const chunks: string[] = []
  let current: string[] | null = null
  for (const line of diff.split('\n')) {
    if (line.startsWith('diff --git ')) {
      if (current) chunks.push(current.join('\n'))
      current = [line]
    } else if (current) {
      current.push(line)
    }
  }
  if (current) chunks.push(current.join('\n'))
  return chunks
}

/** GitHub's `patch` field: the hunks alone, without git's file header, and their line counts. */
function hunksOf(chunk: string): { patch?: string; additions: number; deletions: number } {
  const lines = chunk.replace(/\n+$/, '').split('\n')
  const start = lines.findIndex((line) => line.startsWith('@@'))
  if (start < 0) return { additions: 0, deletions: 0 }
  const hunk = lines.slice(start)
  let additions = 0
  let deletions = 0
  for (const line of hunk) {
    if (line.startsWith('+')) additions += 1
    else if (line.startsWith('-')) deletions += 1
  }
  return { patch: hunk.join('\n'), additions, deletions }
}

/** Parses `git diff --name-status -z` output. */
function parseNameStatus(
  output: string,
): { status: ChangedFile['status']; filename: string; previous?: string }[] {
  const tokens = output.split('\0')
  const entries: { status: ChangedFile['status']; filename: string; previous?: string }[] = []
  let i = 0
  while (i < tokens.length) {
    const code = tokens[i]
    if (!code) break
    const letter = code[0]
    if (letter === 'R' || letter === 'C') {
      const previous = tokens[i + 1] ?? ''
      const filename = tokens[i + 2] ?? ''
      entries.push(letter === 'R' ? { status: 'renamed', filename, previous } : { status: 'added', filename })
      i += 3
    } else {
      const filename = tokens[i + 1] ?? ''
      const status = letter === 'A' ? 'added' : letter === 'D' ? 'removed' : 'modified'
      entries.push({ status, filename })
      i += 2
    }
  }
  return entries
}

/** Creates the git host over bare repositories under `root`. */
export function createGitHost(options: GitHostOptions): GitHost {
  const { root, authorize } = options
  const clock = options.clock ?? (() => new Date())
  const listeners: ((event: PushEvent) => void)[] = []
  const hooksDir = join(root, '.hooks')
  const recordsDir = join(root, '.push-records')
  mkdirSync(hooksDir, { recursive: true })
  mkdirSync(recordsDir, { recursive: true })
  // post-receive hands git's exact list of moved refs back to us through a file named per push, so that
  // concurrent pushes and API ref changes are never mistaken for each other.
  const hook = join(hooksDir, 'post-receive')
  writeFileSync(
    hook,
    '#!/bin/sh\nif [ -n "$GASTOWN_PUSH_RECORD" ]; then cat > "$GASTOWN_PUSH_RECORD"; fi\n',
    {
      mode: 0o755,
    },
  )
  chmodSync(hook, 0o755)

  const dirOf = (repo: string): string => {
    if (!REPO_NAME.test(repo) || repo.includes('..')) {
      throw new Error(
        `"${repo}" is not a repository name; use "owner/name" with letters, digits, ".", "-" and "_"`,
      )
    }
    return join(root, `${repo}.git`)
  }
  const gitIn = (repo: string, args: string[], env?: Record<string, string>) =>
    git(['--git-dir', dirOf(repo), ...args], { env })
  const runIn = (repo: string, args: string[], input?: Buffer | string, env?: Record<string, string>) =>
    runGit(['--git-dir', dirOf(repo), ...args], { input, env })

  const requireRepo = (repo: string): string => {
    const dir = dirOf(repo)
    if (!existsSync(dir))
      throw new Error(`repository ${repo} does not exist in the emulator; create it first`)
    return dir
  }

  // Answers that depend on commit ids alone, keyed by repository (git-read-cache.ts says why).
  const reads = new ImmutableReads()
  const commitKey = (repo: string, sha: string) => `commit\0${repo}\0${sha}`

  /** A branch from its ref file, a known commit id as it is, anything else (tags, `HEAD`) by git. */
  const peel = async (repo: string, rev: string): Promise<string | null> => {
    const dir = requireRepo(repo)
    const head = await branchHead(dir, rev)
    if (head !== undefined) return head
    if (SHA.test(rev) && reads.peek(commitKey(repo, rev)) === true) return rev
    const result = await runIn(repo, ['rev-parse', '--verify', '--quiet', `${rev}^{commit}`])
    if (result.code !== 0) return null
    const sha = result.stdout.toString().trim()
    reads.set(commitKey(repo, sha), true)
    return sha
  }

  const resolveRev = async (repo: string, rev: string): Promise<string | null> => {
    requireRepo(repo)
    return isRevision(rev) ? peel(repo, rev) : null
  }

  const resolveRef = async (repo: string, ref: string): Promise<string | null> => {
    requireRepo(repo)
    return isRefName(ref) ? peel(repo, ref) : null
  }

  const isAncestor = (repo: string, ancestor: string, descendant: string): Promise<boolean> =>
    reads.get(`ancestor\0${repo}\0${ancestor}\0${descendant}`, async () => {
      const result = await runIn(repo, ['merge-base', '--is-ancestor', ancestor, descendant])
      if (result.code > 1) throw new Error(`git merge-base failed in ${repo}: ${result.stderr.trim()}`)
      return result.code === 0
    })

  /** Merges two commits in memory: the tree, or null on a conflict. */
  const mergeTree = async (repo: string, base: string, head: string): Promise<string | null> => {
    const result = await runIn(repo, ['merge-tree', '--write-tree', '--no-messages', base, head])
    if (result.code === 1) return null
    if (result.code !== 0) throw new Error(`git merge-tree failed in ${repo}: ${result.stderr.trim()}`)
    return result.stdout.toString().split('\n')[0]?.trim() ?? null
  }

  const branchRef = (base: string): string => (base.startsWith('refs/') ? base : `refs/heads/${base}`)

  const emit = (event: PushEvent) => {
    for (const listener of listeners) {
      try {
        listener(event)
      } catch (error) {
        options.logger?.warn({ err: error, repo: event.repo, ref: event.ref }, 'push listener failed')
      }
    }
  }

  const deny = (
    res: ServerResponse,
    status: number,
    message: string,
    headers: Record<string, string> = {},
  ) => {
    res.writeHead(status, { 'Content-Type': 'text/plain; charset=utf-8', ...headers })
    res.end(`${message}\n`)
  }

  /** Runs one git service for a request, streaming the (possibly gzipped) body in and git's answer out. */
  const serve = (
    req: IncomingMessage,
    res: ServerResponse,
    args: string[],
    env: Record<string, string>,
    contentType: string,
    preamble?: string,
    beforeEnd?: () => Promise<void>,
  ): Promise<number> =>
    new Promise((resolve) => {
      const child = spawn('git', args, { env: isolatedGitEnv(env), stdio: ['pipe', 'pipe', 'pipe'] })
      const stderr: Buffer[] = []
      child.stderr.on('data', (chunk: Buffer) => stderr.push(chunk))
      child.stdin.on('error', () => undefined)
      res.writeHead(200, {
        'Content-Type': contentType,
        'Cache-Control': 'no-cache, max-age=0, must-revalidate',
      })
      if (preamble) res.write(preamble)
      // The answer ends only after `beforeEnd`, so a client's push returns after its events were reported.
      child.stdout.pipe(res, { end: false })
      res.on('close', () => {
        if (child.exitCode === null) child.kill()
      })
      child.on('error', () => {
        res.destroy()
        resolve(1)
      })
      child.on('close', (code) => {
        if (code !== 0) {
          options.logger?.warn(
            { args: args.slice(0, 3), stderr: Buffer.concat(stderr).toString().trim() },
            'git service failed',
          )
        }
        const finish = () => {
          res.end()
          resolve(code ?? 1)
        }
        if (beforeEnd) beforeEnd().then(finish, finish)
        else finish()
      })
      if (req.method === 'POST') {
        const encoding = String(req.headers['content-encoding'] ?? '').toLowerCase()
        const body = encoding === 'gzip' || encoding === 'x-gzip' ? req.pipe(createGunzip()) : req
        body.on('error', () => child.kill())
        body.pipe(child.stdin)
      } else {
        child.stdin.end()
      }
    })

  const host: GitHost = {
    root,

    async createRepo(repo, { defaultBranch, files = {}, message = 'Initial commit' }) {
      const dir = dirOf(repo)
      if (existsSync(dir)) throw new Error(`repository ${repo} already exists in the emulator`)
      await mkdir(dir, { recursive: true })
      await git(['-c', `init.defaultBranch=${defaultBranch}`, 'init', '--quiet', '--bare', dir])
      await gitIn(repo, ['symbolic-ref', 'HEAD', `refs/heads/${defaultBranch}`])
      // Build the first commit through a private index, so no worktree and no user configuration is needed.
      const index = join(dir, `gastown-index-${randomUUID()}`)
      try {
        for (const [path, content] of Object.entries(files)) {
          const blob = (await runIn(repo, ['hash-object', '-w', '--stdin'], content)).stdout.toString().trim()
          await gitIn(repo, ['update-index', '--add', '--cacheinfo', `100644,${blob},${path}`], {
            GIT_INDEX_FILE: index,
          })
        }
        const tree = (await gitIn(repo, ['write-tree'], { GIT_INDEX_FILE: index })).trim()
        const now = clock()
        const commit = (
          await runIn(repo, ['commit-tree', tree, '-F', '-'], message, {
            ...identityEnv('AUTHOR', 'GitHub', 'noreply@github.com', now),
            ...identityEnv('COMMITTER', 'GitHub', 'noreply@github.com', now),
          })
        ).stdout
          .toString()
          .trim()
        await gitIn(repo, ['update-ref', `refs/heads/${defaultBranch}`, commit, ZERO_SHA])
        return { headSha: commit }
      } finally {
        await rm(index, { force: true })
      }
    },

    async handle(req, res) {
      const url = new URL(req.url ?? '/', 'http://emulator.invalid')
      const match = GIT_PATH.exec(url.pathname)
      if (!match) return false
      const repo = `${match[1]}/${match[2]}`
      const isInfoRefs = match[3] === 'info/refs'
      const service = (isInfoRefs ? url.searchParams.get('service') : match[3]) as Service | null
      if (isInfoRefs && req.method !== 'GET') {
        deny(res, 405, 'Method not allowed: info/refs answers GET')
        return true
      }
      if (!isInfoRefs && req.method !== 'POST') {
        deny(res, 405, `Method not allowed: ${match[3]} answers POST`)
        return true
      }
      if (!service || !SERVICES.includes(service)) {
        deny(res, 403, 'Dumb HTTP is not supported; use a git client that speaks smart HTTP')
        return true
      }
      const auth = authorize(req)
      if (!auth) {
        deny(res, 401, 'Authentication required: use any username and a token as the password', {
          'WWW-Authenticate': 'Basic realm="GitHub"',
        })
        return true
      }
      const dir = dirOf(repo)
      const permission = auth.permission(repo)
      if (!existsSync(dir) || permission === 'none') {
        deny(res, 404, 'Repository not found.')
        return true
      }
      const needed: Permission = service === 'git-receive-pack' ? 'write' : 'read'
      if (RANK[permission] < RANK[needed]) {
        deny(res, 403, `Permission to ${repo}.git denied to ${auth.actor.login}.`)
        return true
      }
      const env: Record<string, string> = {}
      const protocol = req.headers['git-protocol']
      if (typeof protocol === 'string' && /^[A-Za-z0-9=:._-]+$/.test(protocol)) env.GIT_PROTOCOL = protocol
      const command = service === 'git-upload-pack' ? 'upload-pack' : 'receive-pack'

      if (isInfoRefs) {
        // As git http-backend does: protocol v2 has no service announcement line.
        const preamble = env.GIT_PROTOCOL?.includes('version=2')
          ? undefined
          : `${pktLine(`# service=${service}\n`)}0000`
        await serve(
          req,
          res,
          [command, '--stateless-rpc', '--advertise-refs', dir],
          env,
          `application/x-${service}-advertisement`,
          preamble,
        )
        return true
      }
      if (service === 'git-upload-pack') {
        await serve(req, res, [command, '--stateless-rpc', dir], env, `application/x-${service}-result`)
        return true
      }
      const record = join(recordsDir, randomUUID())
      const report = async () => {
        const moved = existsSync(record) ? await readFile(record, 'utf8') : ''
        await rm(record, { force: true })
        for (const line of moved.split('\n')) {
          const [before, after, ref] = line.trim().split(' ')
          if (!before || !after || !ref || before === after) continue
          emit({ repo, ref, before, after, pusher: auth.actor })
        }
      }
      await serve(
        req,
        res,
        ['-c', `core.hooksPath=${hooksDir}`, command, '--stateless-rpc', dir],
        { ...env, GASTOWN_PUSH_RECORD: record },
        `application/x-${service}-result`,
        undefined,
        report,
      )
      return true
    },

    async branches(repo) {
      requireRepo(repo)
      const out = await gitIn(repo, [
        'for-each-ref',
        '--format=%(objectname) %(refname:strip=2)',
        'refs/heads/',
      ])
      return out
        .split('\n')
        .filter(Boolean)
        .map((line) => {
          const space = line.indexOf(' ')
          return { name: line.slice(space + 1), sha: line.slice(0, space) }
        })
    },

    resolveRef,

    isAncestor,

    async listRefs(repo, prefix) {
      requireRepo(repo)
      const out = await gitIn(repo, ['for-each-ref', '--format=%(objectname) %(refname)'])
      return out
        .split('\n')
        .filter(Boolean)
        .map((line) => {
          const space = line.indexOf(' ')
          return { ref: line.slice(space + 1), sha: line.slice(0, space) }
        })
        .filter((entry) => entry.ref.startsWith(prefix))
    },

    async createRef(repo, ref, sha) {
      requireRepo(repo)
      if (!isRefName(ref))
        throw new Error(`"${ref}" is not a valid ref name; use a full name such as refs/heads/x`)
      if (!(await host.hasCommit(repo, sha)))
        throw new Error(`Object does not exist: ${sha} is not a commit in ${repo}`)
      // The zero old value makes git refuse an existing ref under the ref's lock: the check is atomic.
      const result = await runIn(repo, ['update-ref', ref, sha, ZERO_SHA])
      return result.code === 0
    },

    async updateRef(repo, ref, sha, force) {
      requireRepo(repo)
      if (!(await host.hasCommit(repo, sha)))
        throw new Error(`Object does not exist: ${sha} is not a commit in ${repo}`)
      const old = await resolveRef(repo, ref)
      if (!old) return false
      if (!force && !(await isAncestor(repo, old, sha))) return false
      const result = await runIn(repo, ['update-ref', ref, sha, old])
      return result.code === 0
    },

    async deleteRef(repo, ref) {
      const old = await resolveRef(repo, ref)
      if (!old) return false
      const result = await runIn(repo, ['update-ref', '-d', ref, old])
      return result.code === 0
    },

    async hasCommit(repo, sha) {
      requireRepo(repo)
      if (!SHA.test(sha)) return false
      // Only a found commit is remembered: a missing one may be pushed any moment.
      return reads.get(
        commitKey(repo, sha),
        async () => (await runIn(repo, ['cat-file', '-e', `${sha}^{commit}`])).code === 0,
        (found) => found,
      )
    },

    async merge(repo, { base, head, message, method, author }) {
      const ref = branchRef(base)
      // Retry when base moves between reading it and moving it: update-ref checks the old value atomically.
      for (let attempt = 0; attempt < 5; attempt += 1) {
        const baseSha = await resolveRef(repo, ref)
        if (!baseSha) throw new Error(`base branch ${base} does not exist in ${repo}`)
        const headSha = await resolveRev(repo, head)
        if (!headSha) throw new Error(`head ${head} does not exist in ${repo}`)
        if (await isAncestor(repo, headSha, baseSha)) return { sha: baseSha }
        const tree = await mergeTree(repo, baseSha, headSha)
        if (!tree) return { conflict: true }
        const parents = method === 'merge' ? ['-p', baseSha, '-p', headSha] : ['-p', baseSha]
        const now = clock()
        const commit = await runIn(repo, ['commit-tree', tree, ...parents, '-F', '-'], message, {
          ...identityEnv('AUTHOR', author.login, noreplyEmail(author), now),
          ...identityEnv('COMMITTER', 'GitHub', 'noreply@github.com', now),
        })
        if (commit.code !== 0) throw new Error(`git commit-tree failed in ${repo}: ${commit.stderr.trim()}`)
        const sha = commit.stdout.toString().trim()
        const moved = await runIn(repo, ['update-ref', ref, sha, baseSha])
        if (moved.code === 0) return { sha }
      }
      throw new Error(
        `could not merge ${head} into ${base} of ${repo}: the base branch kept moving; try again`,
      )
    },

    async mergeable(repo, base, head) {
      const baseSha = await resolveRef(repo, branchRef(base))
      const headSha = await resolveRev(repo, head)
      if (!baseSha || !headSha) return false
      if (await isAncestor(repo, headSha, baseSha)) return true
      return reads.get(
        `mergeable\0${repo}\0${baseSha}\0${headSha}`,
        async () => (await mergeTree(repo, baseSha, headSha)) !== null,
      )
    },

    async compare(repo, base, head) {
      const baseSha = await resolveRev(repo, base)
      const headSha = await resolveRev(repo, head)
      if (!baseSha) throw new Error(`base ${base} does not exist in ${repo}`)
      if (!headSha) throw new Error(`head ${head} does not exist in ${repo}`)
      return reads.get(`compare\0${repo}\0${baseSha}\0${headSha}`, () =>
        compareCommits(repo, { base, head }, baseSha, headSha),
      )
    },

    async readFile(repo, ref, path) {
      const sha = await resolveRev(repo, ref)
      const clean = path.replace(/^\/+/, '')
      if (!sha || clean.length === 0) return null
      return reads.get(
        `blob\0${repo}\0${sha}\0${clean}`,
        async () => {
          const result = await runIn(repo, ['cat-file', 'blob', `${sha}:${clean}`])
          return result.code === 0 ? result.stdout : null
        },
        (blob) => blob === null || blob.length <= MAX_REMEMBERED_BLOB,
      )
    },

    async listTree(repo, ref, path = '') {
      const sha = await resolveRev(repo, ref)
      if (!sha) return []
      const dir = path.replace(/^\/+|\/+$/g, '')
      return reads.get(`tree\0${repo}\0${sha}\0${dir}`, () => listTreeAt(repo, sha, dir))
    },

    onPush(listener) {
      listeners.push(listener)
    },

    async close() {
      await rm(root, { recursive: true, force: true })
    },
  }

  /** What changed from the merge base of two commits to the second: files with patches, and commits. */
  async function compareCommits(
    repo: string,
    { base, head }: { base: string; head: string },
    baseSha: string,
    headSha: string,
  ): Promise<CompareResult> {
    const mergeBase = await runIn(repo, ['merge-base', baseSha, headSha])
    if (mergeBase.code !== 0) throw new Error(`${base} and ${head} of ${repo} have no common history`)
    const from = mergeBase.stdout.toString().trim()
    const diffArgs = [
      '-c',
      'core.quotePath=false',
      'diff',
      '--no-ext-diff',
      '--no-color',
      '-M',
      from,
      headSha,
    ]
    const names = parseNameStatus(
      await gitIn(repo, ['diff', '--no-ext-diff', '-M', '--name-status', '-z', from, headSha]),
    )
    const chunks = splitPatch(await gitIn(repo, diffArgs))
    if (chunks.length !== names.length) {
      throw new Error(`git diff of ${repo} listed ${names.length} files but printed ${chunks.length} patches`)
    }
    const files: ChangedFile[] = names.map((entry, index) => {
      const { patch, additions, deletions } = hunksOf(chunks[index] ?? '')
      const file: ChangedFile = {
        filename: entry.filename,
        status: entry.status,
        additions,
        deletions,
        changes: additions + deletions,
      }
      if (patch !== undefined) file.patch = patch
      if (entry.previous !== undefined) file.previous_filename = entry.previous
      return file
    })
    const log = await gitIn(repo, ['log', '-z', '--reverse', '--format=%H%n%B', `${baseSha}..${headSha}`])
    const commits = log
      .split('\0')
      .filter(Boolean)
      .map((record) => {
        const newline = record.indexOf('\n')
        return { sha: record.slice(0, newline), message: record.slice(newline + 1).trimEnd() }
      })
    return { mergeBase: from, files, commits }
  }

  /** The entries of directory `dir` (the root when empty) at commit `sha`. */
  async function listTreeAt(repo: string, sha: string, dir: string): Promise<TreeEntry[]> {
    const result = await runIn(repo, ['ls-tree', '-l', '-z', dir ? `${sha}:${dir}` : `${sha}^{tree}`])
    if (result.code !== 0) return []
    const entries: TreeEntry[] = []
    for (const record of result.stdout.toString('utf8').split('\0')) {
      if (!record) continue
      const tab = record.indexOf('\t')
      const [, type, objectSha, size] = record.slice(0, tab).split(/\s+/)
      if ((type !== 'blob' && type !== 'tree') || !objectSha) continue
      const name = record.slice(tab + 1)
      const entry: TreeEntry = {
        path: dir ? `${dir}/${name}` : name,
        type,
        sha: objectSha,
      }
      if (type === 'blob' && size) entry.size = Number(size)
      entries.push(entry)
    }
    return entries
  }

  return host
}
