/**
 * A town for the benchmarks: the emulator with one repository, and optionally the real Mayor served by
 * Probot over HTTP (as test/mayor/mayor-fixture.ts serves it) receiving the emulator's signed webhooks,
 * planning with the scripted model. Workers are runs of whatever workflow the repository holds.
 */
import { Octokit } from '@octokit/rest'
import { createMayor, type Mayor } from '../src/mayor/app.js'
import type { MayorDeps } from '../src/mayor/mayor-deps.js'
import { silentLogger } from '../src/llm/logger.js'
import { loadScenario } from '../src/llm/scenario.js'
import { ScriptedModel } from '../src/llm/scripted-model.js'
import { startEmulator, type Emulator, type EmulatorOptions } from '../src/sandbox/emulator/emulator.js'
import type { FaultRule } from '../src/sandbox/emulator/faults.js'
import { loadOpenApi, type OpenApi } from '../src/sandbox/emulator/openapi.js'
import {
  SANDBOX_RETRY_AFTER_MS,
  SANDBOX_TIME_SCALE,
  serveMayor,
  type ServedMayor,
} from '../src/sandbox/serve-mayor.js'

/** The owner of the benchmark repository. */
export const OWNER = 'alice'
/** The benchmark repository. */
export const REPO = 'town'

import { IDLE_WORKFLOW, settleTown } from '../src/sandbox/settle-town.js'

export { IDLE_WORKFLOW }

const quiet = { debug: () => {}, info: () => {}, warn: () => {}, error: () => {} }

let openapi: OpenApi | undefined

/** GitHub's description, parsed once per process: every town of a run shares it. */
export function sharedOpenApi(): OpenApi {
  openapi ??= loadOpenApi()
  return openapi
}

/** What a benchmark town is made of. */
export interface BenchTown {
  emulator: Emulator
  /** The Mayor, when the town was started with one. */
  mayor: Mayor | undefined
  as(login: string): Octokit
  /** Waits until deliveries, the Mayor's queue and the runner are all quiet (no progress text is forced). */
  settle(): Promise<void>
  close(): Promise<void>
}

/** Options of a benchmark town. */
export interface BenchTownOptions {
  files: Record<string, string>
  /** Starts the Mayor; its planner replays this scenario file's `plan` conversations. */
  mayorScenario?: string
  runners?: number
  faults?: FaultRule[]
  /** `uses:` values mapped to local action directories (this project's root for the real worker). */
  actions?: Record<string, string>
  secrets?: Record<string, string>
  mayorDeps?: Partial<MayorDeps>
  emulator?: Partial<EmulatorOptions>
}

/** Starts the emulator with alice/town (bob may write) and, when asked, the Mayor. */
export async function startBenchTown(options: BenchTownOptions): Promise<BenchTown> {
  const emulator = await startEmulator({
    webhookSecret: 'bench-secret',
    timeScale: SANDBOX_TIME_SCALE,
    users: [{ login: OWNER }, { login: 'bob' }],
    repos: [{ owner: OWNER, name: REPO, files: options.files, access: { bob: 'write' } }],
    openapi: sharedOpenApi(),
    runners: options.runners ?? 4,
    faults: options.faults ?? [],
    actions: options.actions ?? {},
    secrets: options.secrets ?? {},
    ...options.emulator,
  })
  const as = (login: string) =>
    new Octokit({ baseUrl: emulator.apiUrl, auth: emulator.tokenFor(login), log: quiet })

  let mayor: Mayor | undefined
  let server: ServedMayor | undefined
  const timers = new Set<NodeJS.Timeout>()
  if (options.mayorScenario !== undefined) {
    const model = new ScriptedModel(await loadScenario(options.mayorScenario), { logger: silentLogger })
    const deps: MayorDeps = {
      modelFor: async () => model,
      now: () => Date.now(),
      random: () => 0.5,
      setTimer: (fn, ms) => {
        const handle = setTimeout(() => {
          timers.delete(handle)
          fn()
        }, ms)
        timers.add(handle)
        return () => {
          clearTimeout(handle)
          timers.delete(handle)
        }
      },
      reconcileIntervalMs: 0,
      reportGraceMs: 3_600_000,
      retryAfterMs: SANDBOX_RETRY_AFTER_MS,
      ...options.mayorDeps,
    }
    mayor = createMayor(deps)
    server = await serveMayor(
      emulator,
      mayor.app,
      process.env.BENCH_MAYOR_LOG ? { logLevel: process.env.BENCH_MAYOR_LOG as 'info' } : {},
    )
  }

  // Not mayor.idle(): it writes a waiting progress text at once, so the bench would count edits that a
  // running Mayor spaces 30 s apart.
  const settle = () => {
    const running = mayor
    return settleTown(emulator, running && { idle: () => running.quiet() })
  }

  return {
    emulator,
    mayor,
    as,
    settle,
    async close() {
      mayor?.stop()
      for (const handle of timers) clearTimeout(handle)
      await server?.close()
      await emulator.close()
    },
  }
}
