/**
 * The Mayor's memory with many open beads: the emulator holds a goal of `beads` bead issues (ten chains;
 * the first made through the REST API as the Mayor makes them, the rest copied into the emulator's
 * store), and a child process that holds only the Mayor sweeps it once. The child is bundled with
 * esbuild first, so no TypeScript loader sits in its memory.
 */
import { execFile } from 'node:child_process'
import { mkdir } from 'node:fs/promises'
import path from 'node:path'
import { promisify } from 'node:util'
import { build } from 'esbuild'
import { encodeBead } from '../src/core/bead-codec.js'
import { nodeIdFor, type IssueRecord } from '../src/sandbox/emulator/state.js'
import { IDLE_WORKFLOW, OWNER, REPO, startBenchTown } from './bench-town.js'
import { countByRoute, senderOf } from './request-breakdown.js'
import { PROJECT_ROOT } from './worker-workflow.js'

const run = promisify(execFile)

/** What the memory benchmark found. */
export interface MayorMemoryReport {
  beads: number
  /** RSS once Probot and the Mayor are loaded, before the sweep. */
  loadedRssMb: number
  /** The peak RSS of the process over its life. */
  peakRssMb: number
  afterRssMb: number
  heapUsedMb: number
  sweepMs: number
  /** Runs the sweep dispatched: proof that it read the beads and advanced the goal. */
  dispatched: number
  mayorRequests: number
  mayorByRoute: Record<string, number>
}

/** How many beads wait on each other in a row; the goal is this many chains side by side. */
const CHAINS = 10

async function bundleChild(): Promise<string> {
  // Under node_modules so the bundle's bare imports resolve to this project's packages.
  const outdir = path.join(PROJECT_ROOT, 'node_modules', '.cache', 'gastown-bench')
  await mkdir(outdir, { recursive: true })
  const outfile = path.join(outdir, 'mayor-memory-child.mjs')
  await build({
    entryPoints: [path.join(PROJECT_ROOT, 'bench', 'mayor-memory-child.ts')],
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    packages: 'external',
    outfile,
    logLevel: 'silent',
  })
  return outfile
}

/** Creates a goal of `beads` open beads and measures a child Mayor sweeping it. */
export async function measureMayorMemory(
  beads: number,
  progress?: (message: string) => void,
): Promise<MayorMemoryReport> {
  const child = await bundleChild()
  const town = await startBenchTown({
    files: {
      'README.md': '# Town\n',
      '.github/workflows/gastown-worker.yml': IDLE_WORKFLOW,
    },
    runners: 4,
  })
  try {
    const alice = town.as(OWNER)
    const { data: goal } = await alice.rest.issues.create({
      owner: OWNER,
      repo: REPO,
      title: 'A goal with many beads',
      body: 'Memory benchmark.',
      labels: ['gastown:goal'],
    })
    const numbers: number[] = []
    const now = Date.now()
    const repo = town.emulator.state.repos.get(`${OWNER}/${REPO}`)!
    let template: IssueRecord | undefined
    for (let index = 0; index < beads; index += 1) {
      const dep = index < CHAINS ? undefined : numbers[index - CHAINS]
      const key = `m${index + 1}`
      const encoded = encodeBead({
        id: `${goal.number}/${key}`,
        title: `Module ${key}`,
        description: `Add the module ${key}, with its tests.\n\n**Acceptance criteria**\n\n- ${key} works`,
        role: index % 4 === 3 ? 'tester' : 'developer',
        status: dep === undefined ? 'ready' : 'pending',
        createdAt: now,
        updatedAt: now,
        goal: goal.number,
        key,
        dependencies: dep === undefined ? [] : [dep],
        attempt: 0,
      })
      if (index < 2 * CHAINS) {
        // The first two waves go through the API, which makes every label the beads carry.
        const { data } = await alice.rest.issues.create({
          owner: OWNER,
          repo: REPO,
          title: encoded.title,
          body: encoded.body,
          labels: encoded.labels,
        })
        numbers.push(data.number)
        template ??= town.emulator.state.issue(repo.fullName, data.number)
        continue
      }
      // The rest are copies of an API-made record with their own number, text and labels: a thousand
      // validated requests would take longer than the measurement.
      const id = town.emulator.state.nextId()
      const record: IssueRecord = {
        ...template!,
        id,
        nodeId: nodeIdFor('I', id),
        number: repo.nextNumber++,
        title: encoded.title,
        body: encoded.body,
        labels: encoded.labels.map((label) => label.toLowerCase()),
        assignees: [],
        subIssueIds: [],
        blockedBy: [],
      }
      town.emulator.state.issues.set(id, record)
      numbers.push(record.number)
    }
    // Only bead issues the app's bot opened are beads (the trust boundary): make these the bot's, as if
    // the Mayor had planned them.
    const bot = `${town.emulator.appSlug}[bot]`
    for (const number of numbers) town.emulator.state.issue(repo.fullName, number)!.user = bot
    progress?.(`memory: ${numbers.length} bead issues made`)
    await town.emulator.settled()
    const before = town.emulator.requests().length
    progress?.(`memory: a child Mayor sweeps the goal of ${beads} beads`)
    const { stdout } = await run(process.execPath, [child], {
      env: {
        PATH: process.env['PATH'] ?? '',
        BENCH_MAYOR: JSON.stringify({
          appId: town.emulator.appId,
          privateKey: town.emulator.appPrivateKey,
          secret: town.emulator.webhookSecret,
          baseUrl: town.emulator.apiUrl,
        }),
      },
      maxBuffer: 1024 * 1024,
    })
    const measured = JSON.parse(stdout.trim().split('\n').pop()!) as Omit<
      MayorMemoryReport,
      'beads' | 'dispatched' | 'mayorRequests' | 'mayorByRoute'
    >
    await town.emulator.runner.idle()
    const mayorRequests = town.emulator
      .requests()
      .slice(before)
      .filter((entry) => senderOf(entry) === 'mayor')
    const dispatched = town.emulator.runner.list(`${OWNER}/${REPO}`).length
    if (dispatched === 0) {
      throw new Error(
        `memory bench: the child Mayor dispatched nothing for a goal of ${beads} beads; it cannot have read them.`,
      )
    }
    return {
      beads,
      ...measured,
      dispatched,
      mayorRequests: mayorRequests.length,
      mayorByRoute: countByRoute(mayorRequests),
    }
  } finally {
    await town.close()
  }
}
