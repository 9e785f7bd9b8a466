/**
 * The bead: one unit of work of a goal, held on GitHub as an issue (see DESIGN.md, "Contracts").
 * Every field of the seed's `Bead` is here, plus what a bead needs once it lives on GitHub.
 */

/**
 * Every status a bead can have; the seed's four (pending, in_progress, completed, failed) are a subset.
 * `cancelled` is a bead a person closed as not planned: its dependents become `blocked`.
 */
export const BEAD_STATUSES = [
  'pending',
  'ready',
  'in_progress',
  'in_review',
  'completed',
  'failed',
  'blocked',
  'cancelled',
] as const

/** Where a bead stands; moves between statuses go through `transition` in bead-status.ts. */
export type BeadStatus = (typeof BEAD_STATUSES)[number]

/** A role name: one of the built-in catalogue (roles.ts) or a custom role from config. */
export type RoleName = string

/** A unit of work: an issue labelled `gastown:bead`, a sub-issue of its goal. */
export interface Bead {
  /** Stable id: `<goal>/<key>`, the same across attempts and restarts. */
  id: string
  /** The issue number of the bead on GitHub, once it exists. */
  number?: number
  title: string
  description: string
  role: RoleName
  status: BeadStatus
  /** The worker run that holds the bead (a run id or URL), if any. */
  assignedTo?: string
  /** The worker's summary of what it did. */
  result?: string
  /** Why the last attempt failed. */
  error?: string
  /** Milliseconds since the epoch, from an injected clock. */
  createdAt: number
  updatedAt: number
  /** The goal's issue number. */
  goal: number
  /** The plan key, unique within the goal (e.g. `api`). */
  key: string
  /** Issue numbers of the beads this one depends on. */
  dependencies: number[]
  /** The attempt now running or last run, starting at 1. */
  attempt: number
  /** The pull request that carries the bead's work, if one is open or merged. */
  pr?: number
  /** True once attempts ran out and a person must look (label `gastown:needs-human`). */
  needsHuman?: boolean
  /** Failed attempts so far; the retry policy counts these, not dispatches. */
  failures?: number
  /** Review rounds so far: times a review sent the bead back for fixes (or a reviewer looked again). */
  round?: number
  /** When a failed bead may be dispatched again (ms since the epoch), after its backoff. */
  retryAt?: number
  /** Model tokens spent on the bead over all its runs. */
  tokens?: number
  /** Model cost of the bead over all its runs, in US dollars. */
  costUsd?: number
  /** The plan round that made the bead: 1, then one more for each `/gastown replan`. */
  planRound?: number
  /** Rebase attempts so far: times the bead's PR conflicted with the default branch and was sent back. */
  rebases?: number
  /** True while the bead waits for or runs a rebase attempt (its PR conflicts with the default branch). */
  rebasing?: boolean
  /** Paths that conflicted when the worker last merged the default branch into the bead's branch. */
  conflicts?: string[]
}
