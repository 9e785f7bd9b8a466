/**
 * Carries out `/gastown` commands (commands.ts parses them) on a goal or one of its beads. A command
 * runs as a job of its goal, after any queued work, on a fresh scope: it acts on what GitHub holds now.
 */
import { decodeBead } from '../core/bead-codec.js'
import { isTerminal, transition } from '../core/bead-status.js'
import { BEAD_LABEL, GOAL_LABEL } from '../core/labels.js'
import type { GitHubApi, RepoRef } from '../github/client.js'
import { createComment, listComments } from '../github/comments.js'
import { getIssue, updateIssue } from '../github/issues.js'
import { advanceGoal, writeBead } from './advance-goal.js'
import { helpText, type SlashCommand } from './commands.js'
import { createBeads } from './create-beads.js'
import { progressTag } from './goal-comments.js'
import { goalJobKey } from './goal-queue.js'
import type { GoalScope } from './goal-scope.js'
import { openGoalScope, type MayorRuntime } from './mayor-runtime.js'
import { postPlan, readPlan } from './plan-comments.js'
import { readGoalBeads, type GoalBeads } from './read-beads.js'
import { planAndRecord, runGoal } from './run-goal.js'
import type { Sender } from './sender-access.js'

/** Where a command was written and by whom. */
export interface CommandSource {
  api: GitHubApi
  repo: RepoRef
  /** The goal or bead issue the comment is on. */
  number: number
  sender: Sender
  delivery: string
}

/**
 * Runs a command written on a goal or bead issue, as a job of that goal; on any other issue, or for
 * `help`, answers with the help text.
 */
export async function runCommand(
  runtime: MayorRuntime,
  source: CommandSource,
  command: SlashCommand,
): Promise<void> {
  const { api, repo, number } = source
  const issue = await getIssue(api, repo, number)
  const onGoal = issue.labels.includes(GOAL_LABEL)
  const decoded = !onGoal && issue.labels.includes(BEAD_LABEL) ? decodeBead(issue) : undefined
  const goal = onGoal ? number : decoded?.ok ? decoded.bead.goal : undefined
  if (command.name === 'help' || goal === undefined) {
    await createComment(api, repo, number, helpText(command.name === 'help' ? command.unknown : undefined))
    return
  }
  const reply = (text: string) =>
    createComment(api, repo, number, `@${source.sender?.login ?? 'you'} ${text}`)
  runtime.jobs.push({
    api,
    key: goalJobKey(repo, goal),
    name: `command:${command.name}:${source.delivery}`,
    run: async () => {
      const scope = await openGoalScope(runtime, api, repo, goal, true)
      if (!scope) return
      const now = runtime.deps.now()
      const read = await readGoalBeads(api, repo, goal, scope.bot)
      await carryOut({ scope, now, read, beadIssue: onGoal ? undefined : number, reply }, command)
    },
  })
}

/** What every command acts on: the goal's scope and beads, the bead issue it was written on, a reply. */
interface CommandTurn {
  scope: GoalScope
  /** When the command began: the time its bead transitions carry. */
  now: number
  read: GoalBeads
  /** The bead issue the command was written on; undefined on the goal itself. */
  beadIssue: number | undefined
  reply(text: string): Promise<unknown>
}

async function carryOut(turn: CommandTurn, command: SlashCommand): Promise<void> {
  switch (command.name) {
    case 'status':
      return status(turn)
    case 'retry':
      return retry(turn, turn.beadIssue ?? command.bead)
    case 'cancel':
      return cancel(turn)
    case 'replan':
      return replan(turn)
    case 'approve':
      return approve(turn)
    case 'help':
      return
  }
}

/** Completed beads by issue number: `writeBead` needs them to tell which dependents are unblocked. */
function doneOf(read: GoalBeads): Set<number> {
  return new Set(read.beads.filter((r) => r.bead.status === 'completed').map((r) => r.issue.number))
}

async function status({ scope, reply }: CommandTurn): Promise<void> {
  await advanceGoal(scope)
  const comments = await listComments(scope.api, scope.repo, scope.goal)
  const progress = comments.find((c) => c.body.includes(progressTag(scope.goal)) && c.user === scope.bot)
  await reply(`the goal's progress is here: ${progress?.html_url ?? 'on the goal'}.`)
}

async function retry({ scope, now, read, reply }: CommandTurn, wanted: number | undefined): Promise<void> {
  const done = doneOf(read)
  const targets = read.beads.filter((r) =>
    wanted !== undefined
      ? r.issue.number === wanted
      : r.bead.needsHuman === true || r.bead.status === 'failed',
  )
  if (targets.length === 0) {
    await reply(wanted !== undefined ? `#${wanted} is not a bead of this goal.` : 'no bead needs a retry.')
    return
  }
  const retried: number[] = []
  for (const record of targets) {
    const bead = record.bead
    if (bead.status === 'failed') {
      const next = { ...transition(bead, 'ready', { now, needsHuman: false }), failures: 0 }
      delete next.retryAt
      await writeBead(scope, next, record.issue, done)
      retried.push(record.issue.number)
    } else if (bead.needsHuman && bead.status === 'in_review') {
      // The review rounds or the rebase attempts ran out: a person asks for another go.
      const next = { ...transition(bead, 'ready', { now, needsHuman: false }), round: 0, rebases: 0 }
      await writeBead(scope, next, record.issue, done)
      retried.push(record.issue.number)
    }
  }
  await reply(
    retried.length > 0
      ? `retrying ${retried.map((n) => `#${n}`).join(', ')}.`
      : `nothing to retry: ${targets.map((r) => `#${r.issue.number} is ${r.bead.status}`).join(', ')} (only failed beads, or beads whose review rounds ran out, can be retried).`,
  )
  await runGoal(scope)
}

async function cancel({ scope, now, read, beadIssue, reply }: CommandTurn): Promise<void> {
  const done = doneOf(read)
  const targets = read.beads.filter((r) => (beadIssue === undefined ? true : r.issue.number === beadIssue))
  for (const record of targets) {
    if (isTerminal(record.bead.status)) continue
    const next = transition(record.bead, 'cancelled', { now, reason: `cancelled by /gastown cancel` })
    await writeBead(scope, next, record.issue, done)
  }
  if (beadIssue === undefined) {
    await reply('cancelled every open bead and the goal.')
    await advanceGoal(scope)
    await updateIssue(scope.api, scope.repo, scope.goal, { state: 'closed', state_reason: 'not_planned' })
  } else {
    await reply(`cancelled #${beadIssue}; beads that depend on it are blocked.`)
    await runGoal(scope)
  }
}

async function replan({ scope, now, read, reply }: CommandTurn): Promise<void> {
  const done = doneOf(read)
  for (const record of read.beads) {
    if (isTerminal(record.bead.status)) continue
    const next = transition(record.bead, 'cancelled', { now, reason: 'cancelled by /gastown replan' })
    await writeBead(scope, next, record.issue, done)
  }
  const comments = await listComments(scope.api, scope.repo, scope.goal)
  const round = (readPlan(comments, scope.goal, scope.bot)?.record.round ?? 0) + 1
  const record = await planAndRecord(scope, round)
  if (record?.approved) {
    await createBeads(scope, record)
    await advanceGoal(scope)
  }
  await reply(record ? `planned again (round ${round}).` : 'planning failed: see the progress comment.')
}

async function approve({ scope, reply }: CommandTurn): Promise<void> {
  const comments = await listComments(scope.api, scope.repo, scope.goal)
  const latest = readPlan(comments, scope.goal, scope.bot)
  if (!latest) {
    await reply('there is no plan to approve yet.')
    return
  }
  if (!latest.record.approved) {
    const record = { ...latest.record, approved: true }
    await postPlan(scope, record)
    await createBeads(scope, record)
    await reply('plan approved; creating the beads.')
  } else {
    await reply('the plan was already approved.')
  }
  await runGoal(scope)
}
