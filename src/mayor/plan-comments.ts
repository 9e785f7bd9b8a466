/**
 * The plan on GitHub, within GitHub's 65,536 characters a comment: the plan comment shows the table and
 * the DAG and holds the plan record. A record too long for it (30 beads at the planner's limits is about
 * 63,000 characters) is cut into record parts, each a comment of its own posted before the plan comment,
 * which then holds only the record's head (goal, round, approval, number of parts). A table or DAG that
 * would not fit is shortened, never the record. See docs/limits.md.
 */
import { findTag, formatTag } from '../core/bead-marker.js'
import { parsePlanRecord, planRecordSchema, formatPlanRecord, type PlanRecord } from '../core/plan-record.js'
import { renderPlanMermaid, renderPlanTable } from '../core/plan.js'
import { upsertComment, type CommentData } from '../github/comments.js'
import { planTag } from './goal-comments.js'
import type { GoalScope } from './goal-scope.js'

/** GitHub's longest comment body. */
// https://docs.github.com/en/rest/issues/comments#create-an-issue-comment (422 "Body is too long").
export const COMMENT_MAX_CHARS = 65_536

/** What the Mayor allows itself per comment, leaving room for GitHub counting differently. */
export const COMMENT_BUDGET = 64_000

/** Characters of record JSON per part comment. */
const PART_CHARS = 60_000

const HEAD = 'plan-head'
const PART = 'plan-part'
const DATA_OPEN = '<!-- gastown:plan-data '
const DATA_CLOSE = ' -->'

/** The hidden tag of one record part. */
export function planPartTag(goal: number, round: number, part: number): string {
  return formatTag(PART, { goal, round, part })
}

/** Length as GitHub counts it (code points). */
function characters(text: string): number {
  let count = 0
  for (const _ of text) count += 1
  return count
}

function approvalLine(record: PlanRecord): string {
  return record.approved
    ? 'Creating these beads now.'
    : 'This repository asks for plan approval (`plan_approval: true`): reply `/gastown approve` to create these beads, or `/gastown replan` to plan again.'
}

/** The visible part of the plan comment, shortened until it fits `budget`. */
function visiblePlan(record: PlanRecord, budget: number): string {
  const heading = `### 🏛️ Gas Town plan${record.round > 1 ? ` (round ${record.round})` : ''}`
  const mermaid = ['```mermaid', renderPlanMermaid(record.plan), '```'].join('\n')
  const withoutCriteria = {
    beads: record.plan.beads.map((bead) => ({ ...bead, acceptance_criteria: [] })),
  }
  const choices = [
    [renderPlanTable(record.plan), mermaid],
    [renderPlanTable(withoutCriteria), mermaid],
    [
      renderPlanTable(withoutCriteria),
      '_The DAG is too large for this comment; the progress comment draws it once the beads exist._',
    ],
  ]
  for (const [table, graph] of choices) {
    const text = [heading, '', table, '', graph, '', approvalLine(record)].join('\n')
    if (characters(text) <= budget) return text
  }
  const keys = record.plan.beads.map((bead) => `\`${bead.key}\``).join(', ')
  return [
    heading,
    '',
    `${record.plan.beads.length} beads: ${keys}. The plan is too large to show here; each bead issue holds its part.`,
    '',
    approvalLine(record),
  ].join('\n')
}

/** The plan as comment bodies: the record parts (none when the record fits), then the plan comment. */
export function renderPlanComments(record: PlanRecord): {
  parts: { tag: string; body: string }[]
  main: string
} {
  const inline = formatPlanRecord(record)
  const tag = planTag(record.goal)
  const closing = (marker: string) => `\n\n${tag}\n${marker}`
  const whole = `${visiblePlan(record, Infinity)}${closing(inline)}`
  if (characters(whole) <= COMMENT_BUDGET) return { parts: [], main: whole }
  const json = inline.slice('<!-- gastown:plan '.length, -' -->'.length)
  const chunks: string[] = []
  for (let at = 0; at < json.length; at += PART_CHARS) chunks.push(json.slice(at, at + PART_CHARS))
  const parts = chunks.map((chunk, i) => {
    const partTag = planPartTag(record.goal, record.round, i + 1)
    return {
      tag: partTag,
      body: [
        `🏛️ Gas Town plan record, round ${record.round}, part ${i + 1} of ${chunks.length}: the plan is too long for one comment, so the Mayor keeps it here. Please leave this comment as it is.`,
        '',
        partTag,
        `${DATA_OPEN}${chunk}${DATA_CLOSE}`,
      ].join('\n'),
    }
  })
  const head = formatTag(HEAD, {
    goal: record.goal,
    round: record.round,
    approved: record.approved,
    parts: chunks.length,
  })
  const budget = COMMENT_BUDGET - characters(closing(head))
  return { parts, main: `${visiblePlan(record, budget)}${closing(head)}` }
}

/** Posts (or edits) the plan's comments, the parts first, so a plan comment never names a missing part. */
export async function postPlan(scope: GoalScope, record: PlanRecord, known?: CommentData[]): Promise<void> {
  const { api, repo, goal, bot } = scope
  const { parts, main } = renderPlanComments(record)
  const author = bot ? { author: bot } : {}
  for (const part of parts) await upsertComment(api, repo, goal, part.tag, part.body, { ...author, known })
  await upsertComment(api, repo, goal, planTag(goal), main, { ...author, known })
  scope.plans?.note(repo, goal, record)
}

/** A plan record read back, with the plan comment that holds it (or its head). */
export interface ReadPlan {
  record: PlanRecord
  comment: CommentData
}

/** The record a plan comment holds: whole, or gathered from its parts; undefined when there is none. */
function recordOf(
  comment: CommentData,
  comments: readonly CommentData[],
  goal: number,
): PlanRecord | undefined {
  // Only what follows the plan tag at the start of a line counts: a record quoted elsewhere in the
  // comment (a title echoed in a table) is text, never a plan.
  const tag = `\n${planTag(goal)}\n`
  const at = comment.body.indexOf(tag)
  if (at < 0) return undefined
  const tail = comment.body.slice(at + tag.length)
  const inline = parsePlanRecord(tail)
  if (inline?.ok) return inline.record.goal === goal ? inline.record : undefined
  const head = findTag(tail, HEAD, { goal })
  if (!head) return undefined
  const round = Number(head.round)
  const count = Number(head.parts)
  let json = ''
  for (let part = 1; part <= count; part += 1) {
    const holder = comments.find(
      (c) => c.user === comment.user && findTag(c.body, PART, { goal, round, part }),
    )
    const start = holder?.body.indexOf(DATA_OPEN) ?? -1
    const end = start < 0 ? -1 : holder!.body.indexOf(DATA_CLOSE, start + DATA_OPEN.length)
    if (end < 0) return undefined
    json += holder!.body.slice(start + DATA_OPEN.length, end)
  }
  let value: unknown
  try {
    value = JSON.parse(json)
  } catch {
    return undefined
  }
  const parsed = planRecordSchema.safeParse(value)
  if (!parsed.success || parsed.data.goal !== goal || parsed.data.round !== round) return undefined
  // Approval is given by editing the plan comment alone, so the head has the say.
  return { ...parsed.data, approved: head.approved === 'true' }
}

/**
 * The latest plan record on the goal (the highest round), with its comment. A record counts only in THE
 * plan comment: written by the Mayor's bot, with the plan tag of this goal at the start of a line and the
 * record (or its head) after it; its parts must be the bot's too. A record quoted anywhere else (a title
 * echoed in the progress comment, a person's comment) is text, never a plan. With no bot login known, no
 * comment is trusted.
 */
export function readPlan(
  comments: readonly CommentData[],
  goal: number,
  bot: string | undefined,
): ReadPlan | undefined {
  let best: ReadPlan | undefined
  for (const comment of comments) {
    if (bot === undefined || comment.user !== bot) continue
    const record = recordOf(comment, comments, goal)
    if (record && (!best || record.round >= best.record.round)) best = { record, comment }
  }
  return best
}
