/**
 * The Mayor's container, without Docker (there is no engine here): the Dockerfile's own bundle command
 * and CMD, run as they are written, serve the real Mayor against the emulator, configured only through the
 * environment the image would get.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process'
import { mkdir, mkdtemp, readFile, rm, symlink, writeFile } from 'node:fs/promises'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { createInterface } from 'node:readline'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import { afterEach, describe, expect, it } from 'vitest'
import type { Emulator } from '../../src/sandbox/emulator/emulator.js'
import { octokitAs, startTown } from '../sandbox/emulator/emulator-fixture.js'
import { IDLE_WORKFLOW, planJson } from '../mayor/mayor-fixture.js'

const ROOT = fileURLToPath(new URL('../../', import.meta.url))
const exec = promisify(execFile)

interface Dockerfile {
  /** Instructions of the final stage, and of the build stage. */
  build: string[]
  final: string[]
}

/** The instructions of each stage, continuation lines joined. */
async function dockerfile(): Promise<Dockerfile> {
  const lines = (await readFile(path.join(ROOT, 'Dockerfile'), 'utf8'))
    .replace(/\\\n/g, ' ')
    .split('\n')
    .filter((line) => line.trim() !== '' && !line.startsWith('#'))
  const stages: string[][] = []
  for (const line of lines) {
    if (line.startsWith('FROM ')) stages.push([])
    stages.at(-1)!.push(line)
  }
  expect(stages).toHaveLength(2)
  return { build: stages[0]!, final: stages[1]! }
}

function envOf(instructions: string[]): Record<string, string> {
  const env: Record<string, string> = {}
  for (const line of instructions.filter((l) => l.startsWith('ENV '))) {
    for (const pair of line.slice(4).trim().split(/\s+/)) {
      const [key, value] = pair.split('=') as [string, string]
      env[key] = value
    }
  }
  return env
}

async function freePort(): Promise<number> {
  const server = createServer()
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as { port: number }
  await new Promise<void>((resolve) => server.close(() => resolve()))
  return port
}

let child: ChildProcess | undefined
let emulator: Emulator | undefined
let dir: string | undefined

afterEach(async () => {
  if (child && child.exitCode === null) {
    const exited = new Promise((resolve) => child!.once('exit', resolve))
    child.kill('SIGTERM')
    await exited
  }
  await emulator?.close()
  if (dir) await rm(dir, { recursive: true, force: true })
})

describe('the Dockerfile', () => {
  it('builds the app with production dependencies only, runs as a user, and answers health checks', async () => {
    const { build, final } = await dockerfile()
    expect(build[0]).toMatch(/^FROM node:20-slim AS build$/)
    expect(final[0]).toBe('FROM node:20-slim')
    expect(final).toContain(
      'RUN npm ci --omit=dev --ignore-scripts --no-audit --no-fund && npm cache clean --force',
    )
    expect(final).toContain('USER node')
    expect(final.find((l) => l.startsWith('HEALTHCHECK'))).toContain('/ping')
    expect(envOf(final)).toMatchObject({ NODE_ENV: 'production', HOST: '0.0.0.0' })
  })

  it("serves the real Mayor from its bundle with the image's CMD, set up by the environment alone", async () => {
    const { build, final } = await dockerfile()
    dir = await mkdtemp(path.join(tmpdir(), 'gastown-image-'))
    // The image's /app: the bundle beside the dependencies, which the bundle leaves outside.
    await symlink(path.join(ROOT, 'node_modules'), path.join(dir, 'node_modules'), 'dir')
    const bundle = build.find((l) => l.startsWith('RUN npx esbuild '))!
    const [, ...esbuildArgs] = bundle.slice('RUN npx '.length).split(/\s+/)
    const metafile = path.join(dir, 'meta.json')
    await exec(
      path.join(ROOT, 'node_modules/.bin/esbuild'),
      [
        ...esbuildArgs.map((a) =>
          a.startsWith('--outfile=') ? `--outfile=${path.join(dir!, a.slice('--outfile='.length))}` : a,
        ),
        `--metafile=${metafile}`,
      ],
      { cwd: ROOT },
    )
    // The build context holds only what .dockerignore lets through: the bundle must need nothing else.
    const ignored = (await readFile(path.join(ROOT, '.dockerignore'), 'utf8'))
      .split('\n')
      .filter((line) => /^src\/\w+\/$/.test(line))
    const inputs = Object.keys((JSON.parse(await readFile(metafile, 'utf8')) as { inputs: object }).inputs)
    expect(ignored).toEqual(['src/sandbox/', 'src/worker/', 'src/cli/'])
    expect(
      inputs.filter((input) => !input.startsWith('src/') || ignored.some((dir) => input.startsWith(dir))),
    ).toEqual([])

    emulator = await startTown({
      repos: [
        {
          owner: 'alice',
          name: 'town',
          files: { 'README.md': '# Town\n', '.github/workflows/gastown-worker.yml': IDLE_WORKFLOW },
        },
      ],
    })
    const scenario = path.join(dir, 'planner.yaml')
    await writeFile(
      scenario,
      `name: image\nplan:\n  - turns:\n      - content: ${JSON.stringify(planJson([{ key: 'hello', role: 'developer' }]))}\nbeads: {}\n`,
    )
    await mkdir(path.join(dir, 'keys'))
    const keyPath = path.join(dir, 'keys', 'app.pem')
    await writeFile(keyPath, emulator.appPrivateKey)
    const port = await freePort()
    const cmd = JSON.parse(final.find((l) => l.startsWith('CMD '))!.slice(4)) as string[]
    // The image's `node` is the Node on its PATH; here, the one running the tests.
    child = spawn(cmd[0] === 'node' ? process.execPath : path.join(dir, cmd[0]!), cmd.slice(1), {
      cwd: dir,
      env: {
        PATH: process.env['PATH'] ?? '',
        ...envOf(final),
        // Loopback only here; the image listens on every interface of its container.
        HOST: '127.0.0.1',
        PORT: String(port),
        APP_ID: String(emulator.appId),
        PRIVATE_KEY_PATH: keyPath,
        WEBHOOK_SECRET: emulator.webhookSecret,
        GHE_HOST: new URL(emulator.url).host,
        GHE_PROTOCOL: 'http',
        GASTOWN_SCENARIO: scenario,
        GASTOWN_RECONCILE_MINUTES: '0',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    const logs: { msg?: string }[] = []
    const waiters: { test: (m: string) => boolean; resolve: () => void }[] = []
    const stderr: string[] = []
    child.stderr!.on('data', (chunk: Buffer) => stderr.push(chunk.toString()))
    createInterface({ input: child.stdout! }).on('line', (line) => {
      try {
        const entry = JSON.parse(line) as { msg?: string }
        logs.push(entry)
        for (const waiter of waiters.filter((w) => w.test(entry.msg ?? ''))) {
          waiters.splice(waiters.indexOf(waiter), 1)
          waiter.resolve()
        }
      } catch {
        // A line that is not JSON is not a log entry to wait for.
      }
    })
    const logged = (test: (message: string) => boolean) =>
      logs.some((entry) => test(entry.msg ?? ''))
        ? Promise.resolve()
        : new Promise<void>((resolve, reject) => {
            waiters.push({ test, resolve })
            child!.once('exit', (code) => reject(new Error(`the Mayor exited (${code}): ${stderr.join('')}`)))
          })
    await logged((m) => m.startsWith('Listening on'))
    expect(await (await fetch(`http://127.0.0.1:${port}/ping`)).text()).toBe('PONG')

    emulator.setWebhookUrl(`http://127.0.0.1:${port}/api/github/webhooks`)
    const alice = octokitAs(emulator, 'alice')
    const { data: goal } = await alice.rest.issues.create({
      owner: 'alice',
      repo: 'town',
      title: 'Say hello',
    })
    await alice.rest.issues.addLabels({
      owner: 'alice',
      repo: 'town',
      issue_number: goal.number,
      labels: ['gastown:goal'],
    })
    await logged((m) => m === 'goal planned')
    const { data: comments } = await alice.rest.issues.listComments({
      owner: 'alice',
      repo: 'town',
      issue_number: goal.number,
    })
    expect(comments.some((c) => c.user?.login === 'gastown[bot]' && c.body?.includes('`hello`'))).toBe(true)
    expect(emulator.deliveries().every((d) => d.status === 200)).toBe(true)
  })
})
