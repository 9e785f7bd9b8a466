/**
 * The town's event stream: what the sandbox town tells its boards (terminal, web) and its plain-line
 * output while it runs. The town emits; boards subscribe with `on` or `onAny` and never reach into the
 * emulator or the Mayor themselves.
 */
import type { Bead, BeadStatus } from '../core/bead.js'

/** Where the town's services answer, announced once at the start. */
export interface TownStarted {
  type: 'started'
  at: number
  /** `owner/name` of the sample repository. */
  repo: string
  goal: { number: number; title: string; url: string }
  /** The emulator's web URL (issues and PRs have html_url under it) and API URL. */
  urls: { emulator: string; api: string; mayor: string; repository: string }
  model: TownModel
  workers: number
  merge: 'auto' | 'manual'
}

/** Which model the town runs: a real LLM, or the scripted test double replaying a scenario. */
export interface TownModel {
  kind: 'real' | 'scripted'
  /** The model name (real) or the scenario name (scripted). */
  name: string
  /** The scenario file, for the scripted model. */
  scenarioPath?: string
}

/** A bead as the boards show it: the bead itself plus what the town observed of its runs. */
export interface TownBead extends Bead {
  /** When its first worker run started (ms since the epoch), if any did. */
  startedAt?: number
  /** When it reached a terminal status or its PR was merged, if it did. */
  endedAt?: number
  /** Worker runs dispatched for it so far. */
  runs: number
}

/** A bead appeared or changed (status, attempt, PR, tokens...). */
export interface BeadChanged {
  type: 'bead'
  at: number
  bead: TownBead
  /** Its status before this change; absent when the bead is new. */
  previous?: BeadStatus
}

/** A worker run as the boards show it. */
export interface TownRun {
  id: number
  /** The bead and attempt the run was dispatched for (its workflow inputs). */
  bead?: number
  attempt?: number
  status: 'queued' | 'in_progress' | 'completed'
  conclusion: 'success' | 'failure' | 'cancelled' | null
  startedAt?: number
  endedAt?: number
  url: string
}

/** A worker run was queued, started or completed. */
export interface RunChanged {
  type: 'run'
  at: number
  run: TownRun
}

/** Who a log line is from. */
export type LogSource = 'town' | 'mayor' | 'maintainer' | 'runner' | 'worker'

/** A line for humans: what the town, the Mayor, the maintainer or a worker just did. */
export interface LogLine {
  type: 'log'
  at: number
  level: 'info' | 'warn' | 'error'
  source: LogSource
  message: string
  /** The bead the line is about, if any. */
  bead?: number
}

/** The town ended: every bead done and the goal closed, or it stopped (failure, Ctrl-C, time limit). */
export interface TownFinished {
  type: 'finished'
  at: number
  summary: TownSummary
}

/** One bead in the summary and the report. */
export interface BeadSummary {
  number: number
  key: string
  title: string
  role: string
  status: BeadStatus
  attempts: number
  /** Worker runs dispatched for it (attempts plus review rounds). */
  runs: number
  pr: number | null
  dependencies: number[]
  /** ISO times of its first run start and of its end, or null. */
  startedAt: string | null
  endedAt: string | null
  durationMs: number | null
  tokens: number
  costUsd: number
  /** Rebase attempts: times its PR conflicted with main and went back to a worker. */
  rebases: number
}

/** One worker run in the summary, for the timeline. */
export interface RunSummary {
  id: number
  bead: number | null
  attempt: number | null
  conclusion: 'success' | 'failure' | 'cancelled' | null
  startedAt: string | null
  endedAt: string | null
}

/** Counts of requests to one route of the emulator. */
export interface RouteCount {
  route: string
  count: number
  errors: number
}

/** What the run came to: the content of report.json and of the `--json` answer. */
export interface TownSummary {
  /** True when every bead completed and the goal was closed. */
  ok: boolean
  /** Why the town stopped, when it did not finish (`interrupted`, `timeout`, `failed`, `stalled`). */
  stopped?: string
  repo: string
  goal: { number: number; title: string; url: string; state: 'open' | 'closed' }
  model: TownModel
  workers: number
  merge: 'auto' | 'manual'
  startedAt: string
  endedAt: string
  beads: BeadSummary[]
  /** The worker runs, for the timeline (absent in summaries made before runs were recorded). */
  runs?: RunSummary[]
  totals: {
    beads: number
    completed: number
    failed: number
    attempts: number
    runs: number
    failedRuns: number
    reviewRounds: number
    tokens: number
    costUsd: number
    prsMerged: number
  }
  /** From the first worker run's start to the last bead's end. */
  makespanMs: number
  /** No schedule of these beads with their observed durations on `workers` workers is shorter. */
  lowerBoundMs: number
  /**
   * REST and GraphQL calls to the emulator. `perBead` counts the town's own calls (the Mayor's and the
   * workers'), not the maintainer's, over the beads.
   */
  api: { calls: number; perBead: number; byRoute: RouteCount[]; byActor?: Record<string, number> }
  webhooks: { deliveries: number; p50Ms: number; p99Ms: number }
  /** Where the report files were written, if they were. */
  reportDir?: string
}

/** Any event of the town. */
export type TownEvent = TownStarted | BeadChanged | RunChanged | LogLine | TownFinished

/** The event of one type. */
export type TownEventOf<T extends TownEvent['type']> = Extract<TownEvent, { type: T }>

type Listener<E> = (event: E) => void

/** A typed emitter of town events; a listener that throws goes to `onError`, so one broken board cannot stop the town. */
export class TownEvents {
  private readonly byType = new Map<TownEvent['type'], Set<Listener<never>>>()
  private readonly any = new Set<Listener<TownEvent>>()
  private readonly history: TownEvent[] = []

  constructor(private readonly onError: (error: unknown, event: TownEvent) => void = () => undefined) {}

  /** Listens to one type of event; answers a function that stops listening. */
  on<T extends TownEvent['type']>(type: T, listener: Listener<TownEventOf<T>>): () => void {
    const set = this.byType.get(type) ?? new Set()
    set.add(listener as Listener<never>)
    this.byType.set(type, set)
    return () => void set.delete(listener as Listener<never>)
  }

  /** Listens to every event; answers a function that stops listening. */
  onAny(listener: Listener<TownEvent>): () => void {
    this.any.add(listener)
    return () => void this.any.delete(listener)
  }

  /** Every event so far, oldest first, so a board that subscribes late can catch up. */
  past(): readonly TownEvent[] {
    return this.history
  }

  /** Sends an event to its listeners, in the order they subscribed. */
  emit(event: TownEvent): void {
    this.history.push(event)
    const listeners = [...(this.byType.get(event.type) ?? []), ...this.any] as Listener<TownEvent>[]
    for (const listener of listeners) {
      try {
        listener(event)
      } catch (error) {
        this.onError(error, event)
      }
    }
  }
}
