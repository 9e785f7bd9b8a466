/**
 * The texts the Mayor posts on a goal: the plan (table, Mermaid DAG and the hidden plan record), the
 * progress comment edited in place, and the closing summary. Pure rendering; posting is elsewhere.
 */
import { statusText } from '../core/status-text.js'
import type { Bead, BeadStatus } from '../core/bead.js'
import { BEAD_STATUSES } from '../core/bead.js'
import { formatTag } from '../core/bead-marker.js'
import { inertText, tableCell } from '../core/markdown-escape.js'
import { planOfBeads, renderPlanMermaid, renderPlanTable } from '../core/plan.js'
import { formatPlanRecord, type PlanRecord } from '../core/plan-record.js'

/** The hidden tag of the goal's progress comment. */
export function progressTag(goal: number): string {
  return formatTag('progress', { goal })
}

/** The hidden tag of the goal's plan comment (one per plan round). */
export function planTag(goal: number): string {
  return formatTag('plan-comment', { goal })
}

/** The plan comment: what the Mayor will create, and how to approve it when approval is asked for. */
export function renderPlanComment(record: PlanRecord): string {
  const approval = record.approved
    ? 'Creating these beads now.'
    : 'This repository asks for plan approval (`plan_approval: true`): reply `/gastown approve` to create these beads, or `/gastown replan` to plan again.'
  return [
    `### 🏛️ Gas Town plan${record.round > 1 ? ` (round ${record.round})` : ''}`,
    '',
    renderPlanTable(record.plan),
    '',
    '```mermaid',
    renderPlanMermaid(record.plan),
    '```',
    '',
    approval,
    '',
    planTag(record.goal),
    formatPlanRecord(record),
  ].join('\n')
}

/** Longest Mermaid graph the progress comment draws, leaving the rest of GitHub's 65,536 for the table. */
export const PROGRESS_GRAPH_CHARS = 24_000

/** What the progress comment shows besides the beads. */
export interface ProgressNotes {
  /** A line on what the Mayor is doing now (planning, waiting for approval, done). */
  headline: string
  unreadable?: { issue: number; message: string }[]
  /** Beads that need a person, with why. */
  needsHuman?: { bead: number; reason: string }[]
  /** When the goal was labelled (ms), for the elapsed time. */
  startedAt?: number
  now: number
  /** Base URL of pull requests (`https://github.com/o/r/pull/`), for links. */
  pullUrl?: string
  /** What each in-review bead's PR waits for, by bead number (merge-lane.ts). */
  waits?: ReadonlyMap<number, string>
}

/** The icon of each status in the Mayor's comments and the `gastown status` output. */
export const STATUS_ICON: Record<BeadStatus, string> = {
  pending: '⏳',
  ready: '🟦',
  in_progress: '🔨',
  in_review: '👀',
  completed: '✅',
  failed: '❌',
  blocked: '⛔',
  cancelled: '🚫',
}

function money(usd: number): string {
  return `$${usd.toFixed(usd < 1 ? 4 : 2)}`
}

function duration(ms: number): string {
  const seconds = Math.max(0, Math.round(ms / 1000))
  if (seconds < 90) return `${seconds}s`
  const minutes = Math.round(seconds / 60)
  return minutes < 90 ? `${minutes}m` : `${(minutes / 60).toFixed(1)}h`
}

/** The goal's progress comment: a table of beads, the DAG coloured by status, and totals. */
export function renderProgress(goal: number, beads: readonly Bead[], notes: ProgressNotes): string {
  const lines = [`### 🏛️ Gas Town progress`, '', notes.headline, '']
  if (beads.length > 0) {
    lines.push(
      '| Bead | Role | Status | PR | Attempt | Tokens | Cost |',
      '| --- | --- | --- | --- | --- | --- | --- |',
    )
    for (const bead of beads) {
      const pr = bead.pr === undefined ? '—' : `#${bead.pr}`
      const flag = bead.needsHuman ? ' 🙋' : ''
      lines.push(
        `| #${bead.number} ${tableCell(bead.title)} | ${bead.role} | ${STATUS_ICON[bead.status]} ${statusText(bead, notes.waits?.get(bead.number!))}${flag} | ${pr} | ${bead.attempt} | ${bead.tokens ?? 0} | ${money(bead.costUsd ?? 0)} |`,
      )
    }
    const statuses = Object.fromEntries(beads.map((bead) => [bead.key, bead.status])) as Record<
      string,
      BeadStatus
    >
    const graph = renderPlanMermaid(planOfBeads(beads), statuses)
    // GitHub refuses a comment over 65,536 characters: a DAG of a hundred long titles can pass that.
    lines.push(
      '',
      ...(graph.length <= PROGRESS_GRAPH_CHARS
        ? ['```mermaid', graph, '```']
        : ['_The DAG is too large for this comment; the table above has every bead._']),
      '',
    )
    const counts = BEAD_STATUSES.map(
      (status) => [status, beads.filter((b) => b.status === status).length] as const,
    )
      .filter(([, count]) => count > 0)
      .map(([status, count]) => `${count} ${status}`)
      .join(', ')
    const tokens = beads.reduce((sum, b) => sum + (b.tokens ?? 0), 0)
    const cost = beads.reduce((sum, b) => sum + (b.costUsd ?? 0), 0)
    const elapsed = notes.startedAt === undefined ? '' : ` · elapsed ${duration(notes.now - notes.startedAt)}`
    lines.push(`**Totals:** ${beads.length} beads (${counts}) · ${tokens} tokens · ${money(cost)}${elapsed}`)
  }
  if (notes.needsHuman && notes.needsHuman.length > 0) {
    lines.push('', '**Needs a person** (label `gastown:needs-human`):')
    for (const item of notes.needsHuman) lines.push(`- #${item.bead}: ${inertText(item.reason)}`)
  }
  if (notes.unreadable && notes.unreadable.length > 0) {
    lines.push('', '**Bead issues the Mayor ignores** (left alone, never guessed at):')
    for (const item of notes.unreadable) lines.push(`- #${item.issue}: ${inertText(item.message)}`)
  }
  lines.push(
    '',
    'Commands: `/gastown status`, `/gastown retry [#n]`, `/gastown cancel`, `/gastown replan`, `/gastown help`.',
  )
  lines.push('', progressTag(goal))
  return lines.join('\n')
}

/** The closing summary: every bead with its PR, and the time, tokens and cost of the whole goal. */
export function renderSummary(beads: readonly Bead[], startedAt: number | undefined, now: number): string {
  const tokens = beads.reduce((sum, b) => sum + (b.tokens ?? 0), 0)
  const cost = beads.reduce((sum, b) => sum + (b.costUsd ?? 0), 0)
  const prs = beads.filter((b) => b.pr !== undefined).map((b) => `#${b.pr}`)
  const lines = [
    '### 🏁 Goal done',
    '',
    `Every bead is completed${beads.some((b) => b.status === 'cancelled') ? ' or cancelled' : ''}.`,
    '',
    ...beads.map(
      (b) =>
        `- ${STATUS_ICON[b.status]} #${b.number} ${inertText(b.title)} (${b.role})${b.pr !== undefined ? ` — PR #${b.pr}` : ''}`,
    ),
    '',
    `**Pull requests:** ${prs.length > 0 ? prs.join(', ') : 'none'}`,
    `**Time:** ${startedAt === undefined ? 'unknown' : duration(now - startedAt)} · **Tokens:** ${tokens} · **Cost:** ${money(cost)}`,
  ]
  return lines.join('\n')
}

/** What a goal says while a step waits for GitHub's rate limit: GitHub's words, and until when. */
export function renderRateLimitWait(what: string, until: number, now: number): string {
  return [
    `⏸️ **The Mayor waits for GitHub's rate limit** (${new Date(now).toISOString()}): ${inertText(what)}`,
    '',
    `GitHub resets it at ${new Date(until).toISOString().slice(11, 19)} UTC; the Mayor carries on with this goal by itself then. Nothing done so far is lost; this note goes once a step succeeds.`,
  ].join('\n')
}

/** What a goal says when one of its steps failed for good: what went wrong, and that nothing is lost. */
export function renderFailureWarning(what: string, now: number): string {
  return [
    `⚠️ **The Mayor's last step on this goal failed** (${new Date(now).toISOString()}): ${inertText(what)}`,
    '',
    "Nothing done so far is lost. The Mayor tries again on this goal's next event (a comment, a review, a merge) or at its next sweep; this note goes once a step succeeds.",
  ].join('\n')
}
