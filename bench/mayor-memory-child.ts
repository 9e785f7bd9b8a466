/**
 * A process that holds only the Mayor: it loads the app into Probot pointed at the emulator named in
 * BENCH_MAYOR, sweeps every open goal (reconcile), and prints its memory as one JSON line on stdout.
 */
import { Probot, ProbotOctokit } from 'probot'
import { withWriteSpacing } from '../src/github/client.js'
import { createMayor } from '../src/mayor/app.js'

interface ChildInput {
  appId: number
  privateKey: string
  secret: string
  baseUrl: string
}

const megabytes = (bytes: number) => Math.round((bytes / 1024 / 1024) * 10) / 10

async function main(): Promise<void> {
  const raw = process.env['BENCH_MAYOR']
  if (!raw)
    throw new Error('mayor-memory-child: set BENCH_MAYOR to the emulator details (JSON); the bench does.')
  const input = JSON.parse(raw) as ChildInput
  const mayor = createMayor({
    modelFor: async () => {
      throw new Error('the memory bench plans nothing: its goal has beads already')
    },
    now: () => Date.now(),
    random: () => 0.5,
    setTimer: (fn, ms) => {
      const handle = setTimeout(fn, ms)
      return () => clearTimeout(handle)
    },
    reconcileIntervalMs: 0,
  })
  const probot = new Probot({
    appId: input.appId,
    privateKey: input.privateKey,
    secret: input.secret,
    baseUrl: input.baseUrl,
    logLevel: 'fatal',
    Octokit: withWriteSpacing(ProbotOctokit, 10, 10),
  })
  await probot.load(mayor.app)
  const loaded = process.memoryUsage()
  const started = performance.now()
  await mayor.reconcile()
  await mayor.idle()
  const sweepMs = performance.now() - started
  const after = process.memoryUsage()
  mayor.stop()
  process.stdout.write(
    `${JSON.stringify({
      loadedRssMb: megabytes(loaded.rss),
      afterRssMb: megabytes(after.rss),
      // ru_maxrss is in kilobytes on Linux: the peak over the whole life of the process.
      peakRssMb: Math.round((process.resourceUsage().maxRSS / 1024) * 10) / 10,
      heapUsedMb: megabytes(after.heapUsed),
      sweepMs: Math.round(sweepMs),
    })}\n`,
  )
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    process.stderr.write(`mayor-memory-child: ${(error as Error).stack ?? String(error)}\n`)
    process.exit(1)
  },
)
