/**
 * The town in a box: the GitHub emulator with a sample repository, the real Mayor served by a real
 * Probot over HTTP, and the emulator's Actions runner starting the real bundled action (dist/index.js)
 * as child processes. The town opens a goal as the maintainer, then plays the maintainer to the end
 * (merging reviewed pull requests), and tells what happens through `TownEvents`.
 */
import { randomBytes } from 'node:crypto'
import { existsSync } from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { Octokit } from '@octokit/rest'
import type { Bead } from '../core/bead.js'
import { parseConfig } from '../core/config.js'
import { GOAL_LABEL } from '../core/labels.js'
import { mulberry32 } from '../core/random.js'
import { resolveRoles } from '../core/roles.js'
import type { BeadOutput } from '../core/scheduler.js'
import type { ChatModel } from '../llm/chat-model.js'
import type { Logger } from '../llm/logger.js'
import { loadScenario } from '../llm/scenario.js'
import { ScriptedModel } from '../llm/scripted-model.js'
import { createMayor, type Mayor } from '../mayor/app.js'
import { timerSet } from '../mayor/mayor-deps.js'
import { modelFromConfig } from '../mayor/model-for.js'
import type { WorkflowRun } from './emulator/contracts.js'
import { startEmulator, type Emulator } from './emulator/emulator.js'
import { pullsReadyToMerge } from './maintainer.js'
import { SANDBOX_RETRY_AFTER_MS, SANDBOX_TIME_SCALE, serveMayor, type ServedMayor } from './serve-mayor.js'
import { readRepoView, type RepoView } from './repo-view.js'
import { gastownConfig, sampleRepoFiles } from './sample-repo.js'
import { DEFAULT_SCENARIO, resolveScenario } from './scenario-catalogue.js'
import {
  TownEvents,
  type LogLine,
  type TownBead,
  type TownRun,
  type TownStarted,
  type TownSummary,
} from './town-events.js'
import { chooseTownModel, scriptedAnnouncement } from './town-model.js'
import { summarizeTown } from './town-summary.js'

/** This project's root: the action (action.yml, dist/index.js) the runner starts lives there. */
export const PROJECT_ROOT = fileURLToPath(new URL('../../', import.meta.url))

/** How a town is set up. */
export interface TownOptions {
  /** The goal's text; the scenario's own goal (or the seed's) when absent. */
  goal?: string
  /** Workers (runners and `max_workers`); 3 by default. */
  workers?: number
  /** A built-in scenario name or a scenario file: asks for the scripted model. */
  scenario?: string
  /** auto: the town merges reviewed PRs; manual: it says which are ready and waits for a person. */
  merge?: 'auto' | 'manual'
  /** The emulator's port; a free one when absent. */
  port?: number
  /** Where the model key and names are read (OPENAI_API_KEY, GASTOWN_MODEL, OPENAI_BASE_URL). */
  env?: Readonly<Record<string, string | undefined>>
  /** The emitter to tell; a new one when absent. */
  events?: TownEvents
  /** Seeds the emulator and the Mayor's retry jitter. */
  seed?: number
  /** Workers run as on GitHub's ubuntu-24.04 runners, where `unshare` is refused (refused-unshare.ts). */
  refuseUnshare?: boolean
  /** The town stops with `timeout` after this long; 30 minutes by default. */
  timeoutMs?: number
  /** Where action.yml and dist/index.js are; this project by default. */
  projectRoot?: string
  /** The repository to create, `owner/name`; `octo/todo-api` by default. */
  repo?: string
  /** Resolves relative scenario paths. */
  cwd?: string
  /** Probot's log level for the Mayor; `fatal` by default, so its logs stay out of the town's output. */
  mayorLogLevel?: 'trace' | 'debug' | 'info' | 'warn' | 'error' | 'fatal'
}

/** A running town. */
export interface Town {
  events: TownEvents
  started: TownStarted
  emulator: Emulator
  /** The maintainer's login and personal token (for `--keep`: clone, browse, merge). */
  maintainer: { login: string; token: string }
  /** Resolves when the goal is closed or the town stopped; never rejects. */
  finished: Promise<TownSummary>
  /** Stops watching now (`interrupted`, ...): `finished` resolves with the reason. */
  stop(reason: string): void
  /** Stops the Mayor, kills the runner's children, closes the servers and removes temporary files. */
  close(): Promise<void>
}

interface BeadTrack {
  startedAt?: number
  endedAt?: number
  runs: Set<number>
  last?: string
}

/** Starts a town and opens its goal; watch `events` and await `finished`. */
export async function startTown(options: TownOptions = {}): Promise<Town> {
  const events = options.events ?? new TownEvents()
  const env = options.env ?? process.env
  const workers = options.workers ?? 3
  const merge = options.merge ?? 'auto'
  const projectRoot = options.projectRoot ?? PROJECT_ROOT
  const [owner = 'octo', name = 'todo-api'] = (options.repo ?? 'octo/todo-api').split('/')
  const fullName = `${owner}/${name}`
  const log = (level: LogLine['level'], source: LogLine['source'], message: string, bead?: number) =>
    events.emit({
      type: 'log',
      at: Date.now(),
      level,
      source,
      message,
      ...(bead === undefined ? {} : { bead }),
    })

  if (!Number.isInteger(workers) || workers < 1 || workers > 64) {
    throw new Error(`--workers must be a whole number from 1 to 64, not ${workers}.`)
  }
  if (!existsSync(path.join(projectRoot, 'dist/index.js'))) {
    throw new Error(
      `The bundled action ${path.join(projectRoot, 'dist/index.js')} is missing: run \`npm run build\` first.`,
    )
  }

  const choice = chooseTownModel(env, {
    ...(options.scenario === undefined ? {} : { scenario: options.scenario }),
    defaultScenario: DEFAULT_SCENARIO,
  })
  const scenario =
    choice.kind === 'scripted' ? await resolveScenario(choice.scenario, options.cwd) : undefined
  const goalText =
    options.goal ?? scenario?.goal ?? 'Build a REST API for a todo list with CRUD operations and tests'
  if (choice.kind === 'scripted') {
    log('warn', 'town', scriptedAnnouncement(scenario!.name, choice.why))
    if (options.goal !== undefined && scenario!.goal !== undefined && options.goal !== scenario!.goal) {
      log(
        'warn',
        'town',
        `the scripted model replays the plan of "${scenario!.goal}", whatever the goal says`,
      )
    }
  } else {
    log(
      'info',
      'town',
      `model: ${choice.name}${choice.baseUrl ? ` at ${choice.baseUrl}` : ''} (key from ${choice.apiKeyEnv})`,
    )
  }

  const files = await sampleRepoFiles({
    projectRoot,
    workers,
    merge,
    ...(scenario ? { scenarioPath: scenario.path } : {}),
    ...(choice.kind === 'real'
      ? { model: { name: choice.name, ...(choice.baseUrl ? { baseUrl: choice.baseUrl } : {}) } }
      : {}),
  })
  const config = parseConfig(files['.github/gastown.yml'] ?? gastownConfig({ workers }))
  if (!config.ok) throw new Error(`The sample config is invalid: ${JSON.stringify(config)}`)
  const roles = resolveRoles(config.config)
  const outputOf = (role: string): BeadOutput => roles[role]?.output ?? 'pr'

  const emulator = await startEmulator({
    ...(options.port === undefined ? {} : { port: options.port }),
    webhookSecret: randomBytes(20).toString('hex'),
    users: [{ login: owner }],
    appOwner: owner,
    seed: options.seed ?? 1,
    timeScale: SANDBOX_TIME_SCALE,
    runners: workers,
    refuseUnshare: options.refuseUnshare ?? false,
    actions: { 'gastown-github/gastown@v1': projectRoot },
    secrets: choice.kind === 'real' ? { OPENAI_API_KEY: choice.apiKey } : {},
    repos: [{ owner, name, files, description: 'A todo list REST API, built by Gas Town' }],
  })

  const timers = timerSet()
  let mayor: Mayor | undefined
  let served: ServedMayor | undefined
  let closed: Promise<void> | undefined
  const close = () =>
    (closed ??= (async () => {
      stop('closed')
      mayor?.stop()
      timers.cancelAll()
      await served?.close()
      await emulator.close()
    })())

  // Everything after the emulator started must close it on failure.
  let stop: (reason: string) => void = () => undefined
  try {
    const modelLogger: Logger = {
      debug: () => undefined,
      info: (_fields, message) => log('info', 'mayor', message),
      warn: (_fields, message) => log('warn', 'mayor', message),
    }
    let scripted: Promise<ChatModel> | undefined
    const realModel = modelFromConfig(env, modelLogger)
    mayor = createMayor({
      modelFor: (repoConfig) => {
        if (!scenario) return realModel(repoConfig)
        // One planner model for the town, announced once; the workers replay the same file.
        scripted ??= loadScenario(scenario.path).then(
          (file) => new ScriptedModel(file, { logger: silentAnnounced }),
        )
        return scripted
      },
      now: Date.now,
      random: mulberry32(options.seed ?? 1),
      setTimer: timers.setTimer,
      reconcileIntervalMs: 30_000,
      // The emulator's clock runs faster: its `retry-after` seconds are the sandbox's short ones.
      retryAfterMs: SANDBOX_RETRY_AFTER_MS,
    })
    // Deliveries and run updates poke the watch below; before it is set up (the goal is still being
    // opened) there is nothing to watch, and its state does not exist yet.
    let watching = false
    served = await serveMayor(emulator, mayor.app, {
      logLevel: options.mayorLogLevel ?? 'fatal',
      // Every delivery may change what the town sees: look once the Mayor has answered it.
      onRequest: (_req, res) => res.on('finish', () => poke()),
    })
    const mayorUrl = served.webhookUrl

    const maintainer = new Octokit({
      baseUrl: emulator.apiUrl,
      auth: emulator.tokenFor(owner),
      log: { debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined },
    })

    // Runs, as the runner reports them.
    const runs = new Map<number, TownRun>()
    const tracks = new Map<number, BeadTrack>()
    const track = (bead: number): BeadTrack => {
      const existing = tracks.get(bead)
      if (existing) return existing
      const fresh: BeadTrack = { runs: new Set() }
      tracks.set(bead, fresh)
      return fresh
    }
    emulator.runner.onUpdate((run: WorkflowRun) => {
      if (run.repo !== fullName) return
      const bead = Number(run.inputs['bead'])
      const attempt = Number(run.inputs['attempt'])
      const previous = runs.get(run.id)
      const now = Date.now()
      const view: TownRun = {
        id: run.id,
        status: run.status,
        conclusion: run.conclusion,
        url: `${emulator.url}/${fullName}/actions/runs/${run.id}`,
        ...(Number.isInteger(bead) && bead > 0 ? { bead } : {}),
        ...(Number.isInteger(attempt) && attempt > 0 ? { attempt } : {}),
        ...(previous?.startedAt !== undefined
          ? { startedAt: previous.startedAt }
          : run.status !== 'queued'
            ? { startedAt: now }
            : {}),
        ...(run.status === 'completed' ? { endedAt: now } : {}),
      }
      runs.set(run.id, view)
      if (view.bead !== undefined) {
        const t = track(view.bead)
        t.runs.add(run.id)
        if (view.startedAt !== undefined) t.startedAt ??= view.startedAt
      }
      events.emit({ type: 'run', at: now, run: view })
      poke()
    })

    // The goal, opened by the maintainer as a person would.
    const { data: issue } = await maintainer.rest.issues.create({
      owner,
      repo: name,
      title: goalText.length > 200 ? `${goalText.slice(0, 197)}...` : goalText,
      body: `${goalText}\n\n_Opened by \`gastown sandbox\`: the Mayor plans it into beads, workers build them, the sandbox merges reviewed pull requests._`,
    })
    const goal = { number: issue.number, title: issue.title, url: issue.html_url }
    await maintainer.rest.issues.addLabels({
      owner,
      repo: name,
      issue_number: goal.number,
      labels: [GOAL_LABEL],
    })

    const startedAt = Date.now()
    const started: TownStarted = {
      type: 'started',
      at: startedAt,
      repo: fullName,
      goal,
      urls: {
        emulator: emulator.url,
        api: emulator.apiUrl,
        mayor: mayorUrl,
        repository: `${emulator.url}/${fullName}`,
      },
      model:
        choice.kind === 'real'
          ? { kind: 'real', name: choice.name }
          : { kind: 'scripted', name: scenario!.name, scenarioPath: scenario!.path },
      workers,
      merge,
    }
    events.emit(started)
    log('info', 'maintainer', `opened goal #${goal.number} "${goal.title}" and labelled it ${GOAL_LABEL}`)

    // Watching: a scan after every delivery and run update, and a slow tick as a safety net.
    let view: RepoView | undefined
    const merging = new Set<number>()
    const announced = new Set<number>()
    let prsMerged = 0
    let done = false
    let resolveFinished: (summary: TownSummary) => void = () => undefined
    const finished = new Promise<TownSummary>((resolve) => (resolveFinished = resolve))
    let scanQueued = false
    let scanning: Promise<void> = Promise.resolve()
    watching = true

    const townBeads = (): TownBead[] =>
      (view?.beads ?? []).map((bead) => {
        const t = tracks.get(bead.number!)
        return {
          ...bead,
          runs: t?.runs.size ?? 0,
          ...(t?.startedAt === undefined ? {} : { startedAt: t.startedAt }),
          ...(t?.endedAt === undefined ? {} : { endedAt: t.endedAt }),
        }
      })

    const summary = (stopped?: string): TownSummary =>
      summarizeTown({
        repo: fullName,
        goal: { ...goal, state: view?.goal?.state ?? 'open' },
        model: started.model,
        workers,
        merge,
        startedAt,
        endedAt: Date.now(),
        beads: townBeads(),
        runs: [...runs.values()],
        outputOf,
        requests: emulator.requests(),
        deliveries: emulator.deliveries(),
        maintainer: owner,
        // Under `auto` the Mayor merged them; the count is of the goal's merged bead PRs either way.
        prsMerged:
          merge === 'manual'
            ? prsMerged
            : (view?.beads ?? []).filter((b) => b.pr !== undefined && view?.pulls.get(b.pr)?.merged).length,
        ...(stopped === undefined ? {} : { stopped }),
      })

    const finish = (stopped?: string) => {
      if (done) return
      done = true
      clearInterval(tick)
      clearTimeout(deadline)
      const result = summary(stopped)
      events.emit({ type: 'finished', at: Date.now(), summary: result })
      resolveFinished(result)
    }
    stop = (reason: string) => finish(reason)

    const scan = () => {
      if (done) return
      const now = Date.now()
      view = readRepoView(emulator.state, fullName, goal.number)
      for (const problem of view.unreadable) log('warn', 'town', problem.message, problem.number)
      for (const bead of view.beads) {
        const t = track(bead.number!)
        const key = JSON.stringify([
          bead.status,
          bead.attempt,
          bead.pr,
          bead.round,
          bead.tokens,
          bead.needsHuman,
        ])
        if (t.last === key) continue
        const previous = t.last === undefined ? undefined : (JSON.parse(t.last) as [Bead['status']])[0]
        t.last = key
        if (bead.status === 'completed' || bead.status === 'cancelled')
          t.endedAt ??= endOf(bead, view, now, t.startedAt)
        const current = townBeads().find((b) => b.number === bead.number)!
        events.emit({ type: 'bead', at: now, bead: current, ...(previous === undefined ? {} : { previous }) })
      }
      // Under `merge: auto` the Mayor merges (its Refinery); the maintainer keeps its hands off. Under
      // `manual` it merges as a person would: what is reviewed and does not conflict with main.
      for (const candidate of merge === 'manual' ? pullsReadyToMerge(view.beads, view.pulls, outputOf) : []) {
        // One merge at a time, as a person clicks: each merge changes what the next PR merges onto.
        if (merging.size > prsMerged) break
        if (merging.has(candidate.pr)) continue
        merging.add(candidate.pr)
        void (async () => {
          const { data } = await maintainer.rest.pulls.get({ owner, repo: name, pull_number: candidate.pr })
          if (data.mergeable_state === 'dirty') {
            if (!announced.has(candidate.pr)) {
              announced.add(candidate.pr)
              log(
                'info',
                'maintainer',
                `PR #${candidate.pr} (bead #${candidate.bead}) conflicts with main: it waits for the rebase attempt`,
                candidate.bead,
              )
            }
            merging.delete(candidate.pr)
            return
          }
          await maintainer.rest.pulls.merge({
            owner,
            repo: name,
            pull_number: candidate.pr,
            merge_method: 'squash',
          })
          prsMerged += 1
          log(
            'info',
            'maintainer',
            `merged PR #${candidate.pr} of bead #${candidate.bead}: ${candidate.reason}`,
            candidate.bead,
          )
        })()
          .catch((error: unknown) => {
            merging.delete(candidate.pr)
            log(
              'error',
              'maintainer',
              `could not merge PR #${candidate.pr}: ${(error as Error).message}`,
              candidate.bead,
            )
          })
          .finally(() => poke())
      }
      if (view.goal?.state === 'closed' && view.beads.length > 0) {
        void settleThenFinish()
        return
      }
      const stuck = view.beads.filter((bead) => bead.needsHuman === true)
      const active = [...runs.values()].some((run) => run.status !== 'completed')
      if (stuck.length > 0 && !active && (merge === 'auto' || merging.size === prsMerged)) {
        log(
          'error',
          'town',
          `bead ${stuck.map((b) => `#${b.number}`).join(', ')} needs a person (gastown:needs-human)`,
        )
        finish('needs-human')
      }
    }

    let settling = false
    const settleThenFinish = async () => {
      if (settling) return
      settling = true
      // The last run ends and the Mayor's last comments go out after it closed the goal: wait, briefly.
      await Promise.race([
        (async () => {
          await emulator.runner.idle()
          await emulator.settled()
          await mayor!.idle()
        })(),
        new Promise<void>((resolve) => timers.setTimer(resolve, 5_000)),
      ])
      view = readRepoView(emulator.state, fullName, goal.number)
      for (const bead of view.beads) {
        const t = track(bead.number!)
        if (bead.status === 'completed') t.endedAt ??= endOf(bead, view, Date.now(), t.startedAt)
      }
      log('info', 'town', `goal #${goal.number} closed: every bead is done`)
      finish()
    }

    function poke(): void {
      if (!watching || scanQueued || done) return
      scanQueued = true
      scanning = scanning.then(() => {
        scanQueued = false
        try {
          scan()
        } catch (error) {
          log('error', 'town', `watching the town failed: ${(error as Error).message}`)
        }
      })
    }
    const tick = setInterval(poke, 500)
    tick.unref()
    const deadline = setTimeout(() => {
      log(
        'error',
        'town',
        `the town did not finish within ${Math.round((options.timeoutMs ?? 1_800_000) / 1000)} s`,
      )
      finish('timeout')
    }, options.timeoutMs ?? 1_800_000)
    deadline.unref()
    poke()

    return {
      events,
      started,
      emulator,
      maintainer: { login: owner, token: emulator.tokenFor(owner) },
      finished,
      stop: (reason) => stop(reason),
      close,
    }
  } catch (error) {
    await close()
    throw error
  }
}

/** The scripted planner's announcement is made once by the town itself, not again by the model. */
const silentAnnounced: Logger = { debug: () => undefined, info: () => undefined, warn: () => undefined }

/**
 * When a bead ended: a completed bead when its PR merged (the Mayor may dispatch its dependents on that
 * merge, before it writes the completion), anything else when the town first saw it ended; never
 * before it started.
 */
function endOf(bead: Bead, view: RepoView, seenAt: number, startedAt = 0): number {
  const mergedAt =
    bead.status === 'completed' && bead.pr !== undefined ? view.pulls.get(bead.pr)?.mergedAtMs : null
  return Math.max(startedAt, mergedAt ? Math.min(seenAt, mergedAt) : seenAt)
}
