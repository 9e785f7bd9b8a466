/**
 * Fault injection for reliability tests: per route template or at random with the emulator's seed. Every
 * fault that fires is recorded, so a test can show that it happened.
 */
import type { RandomSource } from './random-source.js'

/** Which requests, deliveries or runs a rule applies to, how often, and how many times. */
interface FaultScope {
  /** `METHOD /template` or `/template` (any method); every route when absent. */
  route?: string
  /** Chance per eligible request (from the seeded random source); 1 when absent. */
  probability?: number
  /** How many times the fault fires before the rule is spent; unlimited when absent. */
  times?: number
  /** How many eligible requests, deliveries or runs pass untouched before the rule starts firing. */
  skip?: number
}

/** One fault rule. */
export type FaultRule =
  | (FaultScope & { kind: 'status'; status?: number })
  | (FaultScope & { kind: 'secondary-rate-limit'; retryAfter?: number })
  | (FaultScope & { kind: 'latency'; ms: number })
  | (FaultScope & { kind: 'applied-then-500' })
  /**
   * A GraphQL request answered 200 with an error and no data, nothing done: how GitHub answers a query
   * or mutation that timed out ("Something went wrong while executing your query. This may be the
   * result of a timeout…", https://docs.github.com/en/graphql/overview/rate-limits-and-node-limits-for-the-graphql-api#timeouts).
   */
  | (FaultScope & { kind: 'graphql-error'; message?: string })
  | (FaultScope & { kind: 'drop-delivery'; event?: string })
  | (FaultScope & { kind: 'duplicate-delivery'; event?: string })
  | (FaultScope & { kind: 'kill-run'; workflow?: string; asFailure?: boolean })

/** A fault that fired. */
export interface InjectedFault {
  kind: FaultRule['kind']
  target: string
}

/** The request faults that apply to one request. */
export interface RequestFaults {
  latencyMs: number
  /** Answer this status before doing anything. */
  status?: number
  secondaryRateLimit?: { retryAfter: number }
  /** Apply the change, then answer 500. */
  appliedThen500: boolean
  /** Answer a GraphQL request 200 with this error and no data, doing nothing. */
  graphqlError?: string
}

/** The active rules and what fired. */
export interface Faults {
  add(rule: FaultRule): void
  clear(): void
  forRequest(method: string, template: string): RequestFaults
  /** What happens to a webhook delivery of `event.action`. */
  forDelivery(event: string, action: string | undefined): 'drop' | 'duplicate' | null
  /** Whether to kill a run of `workflow` now that it is in progress. */
  forRun(workflow: string): { asFailure: boolean } | null
  injected(): InjectedFault[]
}

/** Creates the fault registry with `rules` active. */
export function createFaults(rules: FaultRule[], random: RandomSource): Faults {
  const active: (FaultRule & { remaining: number; skipped: number })[] = []
  const fired: InjectedFault[] = []
  const add = (rule: FaultRule): void =>
    void active.push({ ...rule, remaining: rule.times ?? Infinity, skipped: 0 })
  rules.forEach(add)

  const fires = (rule: FaultRule & { remaining: number; skipped: number }, target: string): boolean => {
    if (rule.remaining <= 0) return false
    if (rule.skipped < (rule.skip ?? 0)) {
      rule.skipped += 1
      return false
    }
    if (rule.probability !== undefined && random.next() >= rule.probability) return false
    rule.remaining -= 1
    fired.push({ kind: rule.kind, target })
    return true
  }

  const routeMatches = (rule: FaultScope, method: string, template: string): boolean => {
    if (!rule.route) return true
    const [first, second] = rule.route.split(' ')
    return second === undefined ? first === template : first === method && second === template
  }

  const eventMatches = (wanted: string | undefined, event: string, action: string | undefined): boolean =>
    !wanted || wanted === event || wanted === `${event}.${action ?? ''}`

  return {
    add,
    clear: () => void active.splice(0),
    forRequest(method, template) {
      const target = `${method} ${template}`
      const result: RequestFaults = { latencyMs: 0, appliedThen500: false }
      for (const rule of active) {
        if (!routeMatches(rule, method, template)) continue
        switch (rule.kind) {
          case 'latency':
            if (fires(rule, target)) result.latencyMs += rule.ms
            break
          case 'status':
            if (result.status === undefined && fires(rule, target)) result.status = rule.status ?? 502
            break
          case 'secondary-rate-limit':
            if (!result.secondaryRateLimit && fires(rule, target)) {
              result.secondaryRateLimit = { retryAfter: rule.retryAfter ?? 60 }
            }
            break
          case 'applied-then-500':
            if (!result.appliedThen500 && fires(rule, target)) result.appliedThen500 = true
            break
          case 'graphql-error':
            if (result.graphqlError === undefined && template.startsWith('/graphql') && fires(rule, target)) {
              result.graphqlError =
                rule.message ??
                'Something went wrong while executing your query. This may be the result of a timeout, or it could be a GitHub bug. Please include `0000:0000:0000:0000:00000000` when reporting this issue.'
            }
            break
          default:
            break
        }
      }
      return result
    },
    forDelivery(event, action) {
      const target = action ? `${event}.${action}` : event
      for (const rule of active) {
        if (rule.kind !== 'drop-delivery' && rule.kind !== 'duplicate-delivery') continue
        if (!eventMatches(rule.event, event, action) || !fires(rule, target)) continue
        return rule.kind === 'drop-delivery' ? 'drop' : 'duplicate'
      }
      return null
    },
    forRun(workflow) {
      for (const rule of active) {
        if (rule.kind !== 'kill-run') continue
        if (rule.workflow && !workflow.endsWith(rule.workflow)) continue
        if (fires(rule, workflow)) return { asFailure: rule.asFailure ?? false }
      }
      return null
    },
    injected: () => [...fired],
  }
}
