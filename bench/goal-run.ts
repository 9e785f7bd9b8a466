/**
 * End to end: one goal through the real Mayor (served by Probot, webhooks from the emulator) and the real
 * worker action (runs of the example workflow, scripted model), with GitHub-like latency on every REST
 * request. A person merges each worker PR as soon as its run ends. Measures how soon a merge dispatches
 * the beads it unblocks, how fast webhooks are acknowledged, and the API requests per bead.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { decodeBead } from '../src/core/bead-codec.js'
import type { FaultRule } from '../src/sandbox/emulator/faults.js'
import type { RequestLogEntry } from '../src/sandbox/emulator/request-log.js'
import { OWNER, REPO, startBenchTown, type BenchTown } from './bench-town.js'
import { goalScenario, layeredPlan } from './goal-scenario.js'
import {
  breakdown,
  isContentCreating,
  senderOf,
  type Sender,
  type SenderBreakdown,
} from './request-breakdown.js'
import { mean, percentile, round } from './statistics.js'
import { WORKER_ACTIONS, workerWorkflow } from './worker-workflow.js'

/** Latency the emulator adds to every REST request: a base, and a slower tail for a share of them. */
export interface LatencyProfile {
  baseMs: number
  tailMs: number
  tailProbability: number
}

/** GitHub's REST API seen from a nearby cloud region: tens of milliseconds, now and then a few hundred. */
export const REALISTIC_LATENCY: LatencyProfile = { baseMs: 40, tailMs: 200, tailProbability: 0.05 }

/** What the goal benchmark runs. */
export interface GoalRunOptions {
  beads: number
  seed: number
  latency: LatencyProfile
  /** `max_workers` in the repository's config, and the emulator's runners. */
  workers: number
  progress?: (message: string) => void
}

/** What one goal showed. */
export interface GoalRunReport {
  beads: number
  workers: number
  latency: LatencyProfile
  goalWallMs: number
  /** From the goal's label to the first dispatch. */
  planToFirstDispatchMs: number
  /**
   * From a merge (its answer to the person who merged) to the dispatch it caused going out: the moment
   * the Mayor's dispatch request reached GitHub, before GitHub's own latency for it (issue 17: "the
   * dispatch request goes out"). `toRun…` measure on to the moment GitHub made the run.
   */
  dispatchLatency: {
    samples: number
    p50Ms: number
    p99Ms: number
    maxMs: number
    toRunP50Ms: number
    toRunP99Ms: number
    /** Mean number of the Mayor's requests answered between a merge and the dispatch it caused. */
    mayorRequestsOnPath: number
  }
  webhookAck: {
    deliveries: number
    p50Ms: number
    p99Ms: number
    maxMs: number
    byEvent: Record<string, number>
  }
  requests: Record<Sender, SenderBreakdown>
  /** The Mayor's and the workers' requests per bead: the town's own traffic, people's merges aside. */
  apiCallsPerBead: number
  /** The Mayor's content-creating requests from the goal's label to its first dispatch, per bead. */
  planTime: { contentCreatingPerBead: number; byRoute: Record<string, number> }
  failedRuns: number
  violations: number
}

function latencyFaults(profile: LatencyProfile): FaultRule[] {
  const rules: FaultRule[] = []
  if (profile.baseMs > 0) rules.push({ kind: 'latency', ms: profile.baseMs })
  if (profile.tailMs > 0 && profile.tailProbability > 0) {
    rules.push({ kind: 'latency', ms: profile.tailMs, probability: profile.tailProbability })
  }
  return rules
}

/** Merges every open worker PR, one at a time, recording when each merge was answered. */
function createMerger(town: BenchTown, merged: Map<number, { perf: number; wall: number }>) {
  const alice = town.as(OWNER)
  let chain: Promise<void> = Promise.resolve()
  let failure: Error | undefined
  const sweep = async () => {
    const { data: pulls } = await alice.rest.pulls.list({
      owner: OWNER,
      repo: REPO,
      state: 'open',
      per_page: 100,
    })
    for (const pull of pulls) {
      const match = /^gastown\/(\d+)-/.exec(pull.head.ref)
      if (!match) continue
      const bead = Number(match[1])
      if (merged.has(bead)) continue
      await alice.rest.pulls.merge({ owner: OWNER, repo: REPO, pull_number: pull.number })
      merged.set(bead, { perf: performance.now(), wall: Date.now() })
    }
  }
  return {
    /** Queues a sweep; sweeps never overlap. */
    poke() {
      chain = chain.then(sweep).catch((error: Error) => void (failure ??= error))
    },
    async idle() {
      await chain
      if (failure) throw failure
    },
  }
}

/** A request as the bench's printouts show it: when after `since` (wall ms), who, and which route. */
function requestLine(entry: RequestLogEntry, since: number): string {
  return `+${Date.parse(entry.time) - since} ms ${senderOf(entry)} ${entry.method} ${entry.route}`
}

/**
 * When each bead's dispatch request reached the emulator (wall ms), before the latency it injects: the
 * Mayor's dispatch request that was answered first once the bead's run was made. The log records a
 * request when it is answered, with how long it took; a run is made while its dispatch is answered.
 */
function dispatchSendTimes(
  requests: readonly RequestLogEntry[],
  dispatched: ReadonlyMap<number, { wall: number }>,
): Map<number, number> {
  const answers = requests
    .filter(
      (entry) => senderOf(entry) === 'mayor' && entry.route.endsWith('/dispatches') && entry.status < 300,
    )
    .map((entry) => ({ end: Date.parse(entry.time), start: Date.parse(entry.time) - entry.ms }))
    .sort((a, b) => a.end - b.end)
  const taken = new Set<number>()
  const sent = new Map<number, number>()
  const byMaking = [...dispatched].sort((a, b) => a[1].wall - b[1].wall)
  for (const [bead, made] of byMaking) {
    // Wall clocks tick in whole milliseconds: the answer is logged in the millisecond of the run or after.
    const index = answers.findIndex((answer, i) => !taken.has(i) && answer.end >= made.wall - 1)
    if (index < 0) continue
    taken.add(index)
    sent.set(bead, answers[index]!.start)
  }
  return sent
}

/** Runs one goal to its end and measures it. */
export async function runGoal(options: GoalRunOptions): Promise<GoalRunReport> {
  const dir = await mkdtemp(path.join(tmpdir(), 'gastown-bench-goal-'))
  const plan = layeredPlan(options.beads, options.seed)
  const scenario = path.join(dir, 'bench-goal.yaml')
  await writeFile(scenario, goalScenario('bench-goal', plan))
  const town = await startBenchTown({
    files: {
      'README.md': '# Town\n\nA small repository for the benchmark goal.\n',
      'package.json': '{ "name": "town", "type": "module" }\n',
      '.github/workflows/gastown-worker.yml': workerWorkflow(scenario),
      '.github/gastown.yml': `max_workers: ${options.workers}\n`,
    },
    mayorScenario: scenario,
    runners: options.workers,
    actions: WORKER_ACTIONS,
    faults: latencyFaults(options.latency),
  })
  try {
    const dispatched = new Map<number, { perf: number; wall: number }>()
    const merged = new Map<number, { perf: number; wall: number }>()
    const merger = createMerger(town, merged)
    let failedRuns = 0
    town.emulator.runner.onUpdate((run) => {
      const bead = Number(run.inputs['bead'])
      if (run.status === 'queued' && !dispatched.has(bead)) {
        dispatched.set(bead, { perf: performance.now(), wall: Date.now() })
      }
      if (run.status === 'completed') {
        if (run.conclusion !== 'success') failedRuns += 1
        options.progress?.(`goal: bead #${bead} run ${run.conclusion} (${merged.size} merged)`)
        merger.poke()
      }
    })

    const alice = town.as(OWNER)
    const started = performance.now()
    const startedWall = Date.now()
    const { data: goal } = await alice.rest.issues.create({
      owner: OWNER,
      repo: REPO,
      title: 'Benchmark goal',
      body: `Add ${plan.length} small modules.`,
    })
    await alice.rest.issues.addLabels({
      owner: OWNER,
      repo: REPO,
      issue_number: goal.number,
      labels: ['gastown:goal'],
    })

    for (;;) {
      await town.settle()
      await merger.idle()
      const { data: issue } = await alice.rest.issues.get({
        owner: OWNER,
        repo: REPO,
        issue_number: goal.number,
      })
      if (issue.state === 'closed') break
      const before = merged.size
      merger.poke()
      await merger.idle()
      const runsActive = town.emulator.runner.list(`${OWNER}/${REPO}`).some((r) => r.status !== 'completed')
      if (merged.size === before && !runsActive) {
        // Quiet for a moment is not stuck: the Mayor may be between a merge and its dispatch, and the
        // runs it starts while the town settles end in merges made beside this loop.
        const runsBefore = town.emulator.runner.list(`${OWNER}/${REPO}`).length
        await town.settle()
        await merger.idle()
        const { data: again } = await alice.rest.issues.get({
          owner: OWNER,
          repo: REPO,
          issue_number: goal.number,
        })
        if (again.state === 'closed') break
        if (merged.size !== before || town.emulator.runner.list(`${OWNER}/${REPO}`).length !== runsBefore) {
          continue
        }
        const { data: open } = await alice.rest.issues.listForRepo({
          owner: OWNER,
          repo: REPO,
          labels: 'gastown:bead',
          per_page: 100,
        })
        const beads = open.map(
          (bead) =>
            `#${bead.number} ${bead.labels.map((l) => (typeof l === 'string' ? l : l.name)).join(',')}`,
        )
        const runs = town.emulator.runner
          .list(`${OWNER}/${REPO}`)
          .map((run) => `${run.id} ${run.conclusion ?? run.status}`)
        const { data: comments } = await alice.rest.issues.listComments({
          owner: OWNER,
          repo: REPO,
          issue_number: goal.number,
        })
        const said =
          comments.find((comment) => comment.body?.includes('gastown:progress'))?.body?.slice(0, 800) ??
          '(none)'
        throw new Error(
          `goal bench: the goal #${goal.number} is stuck with ${merged.size} of ${plan.length} beads merged and nothing running. Open beads: ${beads.join('; ')}. Runs: ${runs.join('; ')}. The goal's progress comment: ${said}`,
        )
      }
    }
    const goalWallMs = performance.now() - started

    // Which bead waits on which, from the markers the Mayor wrote.
    const { data: issues } = await alice.rest.issues.listForRepo({
      owner: OWNER,
      repo: REPO,
      labels: 'gastown:bead',
      state: 'all',
      per_page: 100,
    })
    const deps = new Map<number, number[]>()
    for (const issue of issues) {
      const decoded = decodeBead({
        ...issue,
        labels: issue.labels.map((l) => (typeof l === 'string' ? l : (l.name ?? ''))),
      } as Parameters<typeof decodeBead>[0])
      if (decoded.ok) deps.set(issue.number, decoded.bead.dependencies)
    }
    if (deps.size !== plan.length) {
      throw new Error(`goal bench: expected ${plan.length} beads, found ${deps.size} readable bead issues.`)
    }

    // What still waits for its turn is written, as a running Mayor would within 30 s.
    await town.mayor?.idle()
    const requests = town.emulator.requests()
    // BENCH_REQUEST_LOG=1 prints every request of the goal in order, to see which step made which.
    if (process.env['BENCH_REQUEST_LOG']) {
      options.progress?.(
        `goal: every request:\n  ${requests
          .filter((entry) => Date.parse(entry.time) >= startedWall)
          .map((entry) => `${requestLine(entry, startedWall)} ${entry.status}`)
          .join('\n  ')}`,
      )
    }
    const latencies: number[] = []
    const toRun: number[] = []
    const onPath: number[] = []
    const sentAt = dispatchSendTimes(requests, dispatched)
    for (const [bead, waitsOn] of deps) {
      if (waitsOn.length === 0) continue
      const at = dispatched.get(bead)
      const lastMerge = waitsOn
        .map((dep) => merged.get(dep))
        .reduce(
          (latest, m) => (m && (!latest || m.perf > latest.perf) ? m : latest),
          undefined as { perf: number; wall: number } | undefined,
        )
      const sent = sentAt.get(bead)
      if (!at || !lastMerge || sent === undefined) continue
      toRun.push(at.perf - lastMerge.perf)
      latencies.push(sent - lastMerge.wall)
      // BENCH_DISPATCH_PATH=1 prints every request from the merge to the dispatch it caused, to see where the time goes.
      if (process.env['BENCH_DISPATCH_PATH']) {
        const path = requests
          .filter((entry) => Date.parse(entry.time) >= lastMerge.wall && Date.parse(entry.time) <= at.wall)
          .map((entry) => `${requestLine(entry, lastMerge.wall)} (${entry.ms} ms)`)
        options.progress?.(
          `goal: bead #${bead} dispatched ${Math.round(at.perf - lastMerge.perf)} ms after its last merge:\n  ${path.join('\n  ')}`,
        )
      }
      onPath.push(
        requests.filter((entry) => {
          const time = Date.parse(entry.time)
          return senderOf(entry) === 'mayor' && time >= lastMerge.wall && time <= at.wall
        }).length,
      )
    }

    const deliveries = town.emulator.deliveries().filter((d) => d.durationMs !== null && d.status !== null)
    const acks = deliveries.map((d) => d.durationMs!)
    const byEvent: Record<string, number[]> = {}
    for (const d of deliveries) (byEvent[`${d.event}.${d.action ?? ''}`] ??= []).push(d.durationMs!)

    const firstDispatch = requests.find(
      (entry) => senderOf(entry) === 'mayor' && entry.route.endsWith('/dispatches'),
    )
    const firstDispatchAt = firstDispatch ? Date.parse(firstDispatch.time) : Number.POSITIVE_INFINITY
    const planWrites = requests.filter(
      (entry) =>
        senderOf(entry) === 'mayor' &&
        isContentCreating(entry) &&
        Date.parse(entry.time) < firstDispatchAt &&
        Date.parse(entry.time) >= startedWall,
    )
    const planByRoute: Record<string, number> = {}
    for (const entry of planWrites) {
      const key = `${entry.method} ${entry.route}`
      planByRoute[key] = (planByRoute[key] ?? 0) + 1
    }
    const split = breakdown(requests, plan.length)
    return {
      beads: plan.length,
      workers: options.workers,
      latency: options.latency,
      goalWallMs: round(goalWallMs, 0),
      planToFirstDispatchMs: Math.min(...[...dispatched.values()].map((d) => d.perf)) - started,
      dispatchLatency: {
        samples: latencies.length,
        p50Ms: round(percentile(latencies, 50), 1),
        p99Ms: round(percentile(latencies, 99), 1),
        maxMs: round(Math.max(...latencies), 1),
        toRunP50Ms: round(percentile(toRun, 50), 1),
        toRunP99Ms: round(percentile(toRun, 99), 1),
        mayorRequestsOnPath: round(mean(onPath), 1),
      },
      webhookAck: {
        deliveries: acks.length,
        p50Ms: round(percentile(acks, 50), 1),
        p99Ms: round(percentile(acks, 99), 1),
        maxMs: round(Math.max(...acks), 1),
        byEvent: Object.fromEntries(
          Object.entries(byEvent).map(([event, values]) => [event, round(percentile(values, 99), 1)]),
        ),
      },
      requests: split,
      apiCallsPerBead: round(split.mayor.perBead + split.worker.perBead, 2),
      planTime: {
        contentCreatingPerBead: round(planWrites.length / plan.length, 2),
        byRoute: planByRoute,
      },
      failedRuns,
      violations: town.emulator.violations().length,
    }
  } finally {
    await town.close()
    await rm(dir, { recursive: true, force: true })
  }
}
