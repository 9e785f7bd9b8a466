/**
 * A stand-in for the worker: a child process that holds a canary in its environment (as the worker
 * holds its token) and a private temporary file, probes the isolation as run.ts does, and runs a
 * hostile command through it that hunts for both, unmounts /proc and writes .git.
 */
import { spawn } from 'node:child_process'

const CANARY = 'canary-token-4f1c9e'

// Each line the hunt prints is `name=value`; the stand-in parses them.
const HUNT = [
  'echo "uid=$(id -u)"',
  `echo "parent=$(tr '\\0' '\\n' < /proc/$PPID/environ 2>/dev/null | grep -c ${CANARY})"`,
  `echo "all=$(grep -l ${CANARY} /proc/[0-9]*/environ 2>/dev/null | wc -l)"`,
  'umount /proc 2>/dev/null && echo "umounted=1"',
  `echo "afterUmount=$(grep -l ${CANARY} /proc/[0-9]*/environ 2>/dev/null | wc -l)"`,
  `echo "secret=$(grep -c ${CANARY} "$SECRET_FILE" 2>/dev/null)"`,
  'touch .git/pwned 2>/dev/null && echo "gitWritten=1"',
  'mv .git .git-moved 2>/dev/null && echo "gitMoved=1"',
  'echo "home=$HOME"; echo "tmp=$TMPDIR"',
  'touch "$HOME/mine" "$TMPDIR/mine" && echo "privateDirsWritable=1"',
  'echo made > made-by-agent.txt && chmod 600 made-by-agent.txt && echo "wrote=1"',
].join('\n')

/** What the hunt found, and what the worker saw after it. */
export interface HuntResult {
  kind: string | null
  tried: string[]
  uid: number
  parent: number
  all: number
  afterUmount: number
  umounted: boolean
  secret: number
  gitWritten: boolean
  gitMoved: boolean
  home: string
  tmp: string
  privateDirsWritable: boolean
  wrote: boolean
  /** The worker read made-by-agent.txt back after the command (the workspace was handed back). */
  readBack: string
  /** Owner of made-by-agent.txt after the command. */
  madeOwner: number
}

/** How to run the stand-in. */
export interface HuntOptions {
  workspace: string
  /** false: run the hunt plainly, to show the hole is real. */
  isolate?: boolean
  /** Directories put first on PATH (a refusing `unshare`). */
  pathPrefix?: string
  /** Run the stand-in as this uid (an unprivileged worker). */
  asUid?: number
}

/** Runs the stand-in and answers what its hunt found. */
export function huntFromWorker(options: HuntOptions): Promise<HuntResult> {
  const module = (name: string) =>
    JSON.stringify(new URL(`../../../src/worker/agent/${name}.ts`, import.meta.url).pathname)
  const script = `
    import { chmodSync, mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs'
    import { tmpdir } from 'node:os'
    import path from 'node:path'
    import { probeCommandIsolation } from ${module('isolation-probe')}
    import { runCommand } from ${module('run-command')}
    const workspace = ${JSON.stringify(options.workspace)}
    const secretFile = path.join(mkdtempSync(path.join(tmpdir(), 'worker-secret-')), 'secret')
    writeFileSync(secretFile, ${JSON.stringify(CANARY)}, { mode: 0o600 })
    const probe = ${options.isolate === false} ? { isolation: null, tried: [] } : await probeCommandIsolation({ workspace })
    const result = await runCommand({ command: ${JSON.stringify(HUNT)}, cwd: workspace, env: { PATH: process.env.PATH, SECRET_FILE: secretFile }, timeoutMs: 30000, isolation: probe.isolation })
    const made = path.join(workspace, 'made-by-agent.txt')
    let readBack = ''
    let madeOwner = -1
    try { readBack = readFileSync(made, 'utf8').trim(); madeOwner = statSync(made).uid } catch {}
    await probe.isolation?.close()
    process.stdout.write(JSON.stringify({ kind: probe.isolation?.kind ?? null, tried: probe.tried, output: result.output, readBack, madeOwner }))
  `
  const env: Record<string, string> = {
    PATH: `${options.pathPrefix === undefined ? '' : `${options.pathPrefix}:`}${process.env['PATH']}`,
    'INPUT_GITHUB-TOKEN': CANARY,
    INPUT_API_KEY: CANARY,
  }
  if (options.asUid !== undefined) env['HOME'] = options.workspace
  const node = [process.execPath, '--import', 'tsx', '--input-type=module', '-e', script]
  const argv =
    options.asUid === undefined
      ? node
      : ['setpriv', `--reuid=${options.asUid}`, `--regid=${options.asUid}`, '--clear-groups', '--', ...node]
  return new Promise((resolve, reject) => {
    const child = spawn(argv[0]!, argv.slice(1), { env, stdio: ['ignore', 'pipe', 'pipe'] })
    let out = ''
    let err = ''
    child.stdout.on('data', (chunk) => (out += String(chunk)))
    child.stderr.on('data', (chunk) => (err += String(chunk)))
    child.once('exit', (code) => {
      if (code !== 0) return reject(new Error(`worker stand-in failed (${code}): ${err}`))
      const raw = JSON.parse(out) as { kind: string | null; tried: string[]; output: string } & Pick<
        HuntResult,
        'readBack' | 'madeOwner'
      >
      const fields = new Map<string, string>()
      for (const line of raw.output.split('\n')) {
        const at = line.indexOf('=')
        if (at > 0) fields.set(line.slice(0, at), line.slice(at + 1))
      }
      const num = (name: string) => Number(fields.get(name) ?? '0') || 0
      resolve({
        kind: raw.kind,
        tried: raw.tried,
        uid: num('uid'),
        parent: num('parent'),
        all: num('all'),
        afterUmount: num('afterUmount'),
        umounted: fields.has('umounted'),
        secret: num('secret'),
        gitWritten: fields.has('gitWritten'),
        gitMoved: fields.has('gitMoved'),
        home: fields.get('home') ?? '',
        tmp: fields.get('tmp') ?? '',
        privateDirsWritable: fields.has('privateDirsWritable'),
        wrote: fields.has('wrote'),
        readBack: raw.readBack,
        madeOwner: raw.madeOwner,
      })
    })
  })
}
