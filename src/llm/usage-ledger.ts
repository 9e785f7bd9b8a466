/**
 * Token and cost accounting: what each purpose (the plan, each bead key) spent, and the total.
 * Pure: every function returns a new ledger and leaves its input alone.
 */
import type { ChatPurpose, Usage } from './chat-model.js'

/** What a set of calls spent. */
export interface UsageTotals {
  calls: number
  promptTokens: number
  completionTokens: number
  totalTokens: number
  costUsd: number
}

/** Spending per purpose plus the grand total. */
export interface UsageLedger {
  plan: UsageTotals
  /** Keyed by bead key (stable across runs), not by issue number. */
  beads: Readonly<Record<string, UsageTotals>>
  total: UsageTotals
}

/** Totals of no calls at all. */
export const ZERO_USAGE: UsageTotals = Object.freeze({
  calls: 0,
  promptTokens: 0,
  completionTokens: 0,
  totalTokens: 0,
  costUsd: 0,
})

/** A ledger with nothing recorded. */
export function emptyLedger(): UsageLedger {
  return { plan: ZERO_USAGE, beads: {}, total: ZERO_USAGE }
}

/** The sum of two totals. */
export function addTotals(a: UsageTotals, b: UsageTotals): UsageTotals {
  return {
    calls: a.calls + b.calls,
    promptTokens: a.promptTokens + b.promptTokens,
    completionTokens: a.completionTokens + b.completionTokens,
    totalTokens: a.totalTokens + b.totalTokens,
    costUsd: a.costUsd + b.costUsd,
  }
}

/** The totals of one call. */
export function callTotals(usage: Usage, costUsd: number): UsageTotals {
  return { calls: 1, ...usage, costUsd }
}

/** The ledger with one call's usage and cost filed under its purpose. */
export function recordUsage(
  ledger: UsageLedger,
  purpose: ChatPurpose,
  usage: Usage,
  costUsd: number,
): UsageLedger {
  const call = callTotals(usage, costUsd)
  const total = addTotals(ledger.total, call)
  if (purpose.kind === 'plan') return { ...ledger, plan: addTotals(ledger.plan, call), total }
  const before = beadTotals(ledger, purpose.key)
  return { ...ledger, beads: { ...ledger.beads, [purpose.key]: addTotals(before, call) }, total }
}

/** What one bead key spent; zero when nothing was recorded under it. */
export function beadTotals(ledger: UsageLedger, key: string): UsageTotals {
  // Own properties only: a key such as "constructor" must not find Object.prototype's.
  return Object.hasOwn(ledger.beads, key) ? ledger.beads[key]! : ZERO_USAGE
}

/** Two ledgers combined, e.g. the Mayor's plan ledger and a worker's bead ledger. */
export function mergeLedgers(a: UsageLedger, b: UsageLedger): UsageLedger {
  let beads = a.beads
  // Computed keys in a literal define own properties, so a key such as "__proto__" stays plain data.
  for (const [key, totals] of Object.entries(b.beads)) {
    beads = { ...beads, [key]: addTotals(Object.hasOwn(beads, key) ? beads[key]! : ZERO_USAGE, totals) }
  }
  return { plan: addTotals(a.plan, b.plan), beads, total: addTotals(a.total, b.total) }
}
