/**
 * The goal's whole course from what GitHub holds: plan it when it has no plan, create the beads of an
 * approved plan that are missing, then advance it. The reconciler and every event come through here, so
 * a Mayor restarted at any moment picks up exactly where the last one stopped.
 */
import { GOAL_LABEL } from '../core/labels.js'
import type { PlanRecord } from '../core/plan-record.js'
import { resolveRoles } from '../core/roles.js'
import { formatConfigErrors } from '../core/config.js'
import { formatTag } from '../core/bead-marker.js'
import { inertText } from '../core/markdown-escape.js'
import type { GitHubApi, RepoRef } from '../github/client.js'
import { listComments, upsertComment, type CommentData } from '../github/comments.js'
import { githubSaid } from '../github/github-error.js'
import { getIssue, type IssueData } from '../github/issues.js'
import {
  canWrite,
  getFileText,
  getLanguages,
  getPermission,
  getRepository,
  listTopLevel,
} from '../github/repository.js'
import { advanceGoal, type AdvanceResult } from './advance-goal.js'
import { createBeads } from './create-beads.js'
import { progressTag, renderProgress } from './goal-comments.js'
import type { GoalScope, ScopeShared } from './goal-scope.js'
import { loadConfig } from './load-config.js'
import type { FactsCache } from './facts-cache.js'
import type { MayorDeps, MayorLog } from './mayor-deps.js'
import { passingFailure } from './job-retry.js'
import { planGoal } from './planner.js'
import { planningStopped, planningStopTag, subIssueRoom } from './plan-limits.js'
import { postPlan, readPlan } from './plan-comments.js'
import { readGoalAndBeads, readGoalBeads } from './read-beads.js'

/** Builds the scope for a goal: config (errors posted on the goal, once), roles and default branch. */
export async function openScope(
  api: GitHubApi,
  repo: RepoRef,
  goal: number,
  deps: MayorDeps,
  log: MayorLog,
  bot: string | undefined,
  facts: FactsCache,
  fresh: boolean,
  shared: ScopeShared = {},
): Promise<GoalScope | undefined> {
  const scopeLog = log.child({ repo: `${repo.owner}/${repo.repo}`, goal })
  if (bot === undefined) {
    // Without its own login the Mayor cannot tell its bead issues and plan from forged ones: it waits.
    scopeLog.warn(
      {},
      'the app bot login is unknown (GET /app failed): the goal waits for the next event or sweep',
    )
    return undefined
  }
  const cached = fresh ? undefined : facts.repo(repo)
  const repository = cached?.repository ?? (await getRepository(api, repo))
  const loaded = cached
    ? ({ ok: true, config: cached.config } as const)
    : await loadConfig(api, repo, repository.default_branch)
  if (!loaded.ok) {
    await upsertComment(
      api,
      repo,
      goal,
      formatTag('config-error', { goal }),
      `⚠️ **The Gas Town config cannot be used**, so nothing was planned or dispatched.\n\n${formatConfigErrors(loaded.errors)}\n\nFix the file on ${repository.default_branch}; the Mayor tries again on the next event or sweep.`,
      bot ? { author: bot } : {},
    )
    scopeLog.warn({ errors: loaded.errors.length }, 'invalid .github/gastown.yml')
    return undefined
  }
  if (!cached) facts.noteRepo(repo, repository, loaded.config)
  let roles
  try {
    roles = resolveRoles(loaded.config)
  } catch (error) {
    scopeLog.warn({ err: (error as Error).message }, 'invalid roles in config')
    return undefined
  }
  return {
    api,
    repo,
    goal,
    log: scopeLog,
    deps,
    config: loaded.config,
    roles,
    defaultBranch: repository.default_branch,
    repositoryNodeId: repository.node_id,
    bot,
    facts,
    fresh,
    ...shared,
  }
}

/** What a caller already read of the goal: the issue and how many sub-issues it holds. */
interface KnownGoal {
  issue: IssueData
  subIssues?: number
}

/**
 * Plans the goal with the model and posts the plan comment; errors go on the goal, no bead is made.
 * `known` spares reading the goal again when the caller read it a moment ago.
 */
export async function planAndRecord(
  scope: GoalScope,
  round: number,
  known?: KnownGoal,
): Promise<PlanRecord | undefined> {
  const { api, repo, goal, log, deps, config } = scope
  const issue = known?.issue ?? (await getIssue(api, repo, goal))
  const progress = (headline: string) => {
    const body = renderProgress(goal, [], { headline, now: deps.now() })
    return scope.progress
      ? scope.progress.write({ api, repo, goal, bot: scope.bot }, body)
      : upsertComment(api, repo, goal, progressTag(goal), body, { author: scope.bot })
  }
  // Planning that cannot lead anywhere stops with one comment, and waits for a person's /gastown replan.
  const stop = (why: string) =>
    progress(
      `❌ ${why}\n\nThe Mayor will not plan this goal again by itself: comment \`/gastown replan\` once it can go on.\n\n${planningStopTag(goal)}`,
    )
  const room = await subIssueRoom(api, repo, goal, config.max_beads, known?.subIssues)
  if (room.maxBeads === 0) {
    await stop(room.note)
    return undefined
  }
  const model = await deps.modelFor(config)
  await progress(
    `🗺️ Planning this goal with ${model.scripted ? `the scripted model \`${model.name}\` (a test double, not an LLM)` : `\`${model.name}\``}…`,
  )
  const [top, languages, readme] = await Promise.all([
    listTopLevel(api, repo, scope.defaultBranch),
    getLanguages(api, repo),
    getFileText(api, repo, 'README.md', scope.defaultBranch),
  ])
  let planned
  try {
    planned = await planGoal(
      model,
      { number: goal, title: issue.title, body: issue.body },
      {
        fullName: `${repo.owner}/${repo.repo}`,
        defaultBranch: scope.defaultBranch,
        topLevel: top,
        languages,
        readme,
      },
      scope.roles,
      { ...config, max_beads: room.maxBeads },
    )
  } catch (error) {
    log.warn({ err: (error as Error).message }, 'planning failed')
    await stop(
      `**Planning failed**, so no bead was created.\n\n${inertText((error as Error).message, { multiline: true })}${room.note ? `\n\n${room.note}` : ''}\n\nEdit the goal to make it clearer, or try a stronger model (\`model.name\` in .github/gastown.yml).`,
    )
    return undefined
  }
  const record: PlanRecord = { v: 1, goal, round, approved: !config.plan_approval, plan: planned.plan }
  try {
    await postPlan(scope, record)
  } catch (error) {
    // GitHub's passing trouble (5xx, a rate limit) runs the job again (job-retry.ts, a few times at most).
    if (passingFailure(error) !== undefined) throw error
    log.warn({ err: (error as Error).message }, 'the plan could not be posted')
    await stop(
      `**GitHub refused the plan comment**, so no bead was created. GitHub said: ${githubSaid(error)}`,
    )
    return undefined
  }
  log.info({ beads: planned.plan.beads.length, round, tokens: planned.usage.totalTokens }, 'goal planned')
  if (!record.approved) await progress('📝 The plan waits for `/gastown approve`.')
  return record
}

/**
 * Whether a goal the Mayor never saw labelled (its delivery was dropped, or the Mayor was down) may be
 * planned by a sweep: not when a labelling was refused, and only when a person with write access opened
 * it. Who added the label is not in the issue, so the author stands in for them.
 */
async function mayPlanUnseen(
  scope: GoalScope,
  goalIssue: IssueData,
  comments: CommentData[],
): Promise<boolean> {
  const refused = comments.some(
    (c) => c.body.includes('<!-- gastown:refusal') && (!scope.bot || c.user === scope.bot),
  )
  if (refused || goalIssue.user === null) return false
  return canWrite(await getPermission(scope.api, scope.repo, goalIssue.user))
}

/** Brings a goal forward from whatever state GitHub shows: plan, create beads, advance. */
export async function runGoal(
  scope: GoalScope,
  options: { labelledByWriter?: boolean } = {},
): Promise<AdvanceResult | undefined> {
  const { api, repo, goal } = scope
  // The plan and the progress comment this process wrote or read spare a list of every comment (a
  // sweep lists them afresh). When they are unknown, the comments are read beside the goal and its
  // beads (one GraphQL query): the step after a merge waits one round trip, not three.
  let plan = scope.fresh ? undefined : scope.plans?.get(repo, goal)
  const mustList = !plan || !scope.progress?.known(repo, goal)
  const [{ goalIssue, goalSubIssues, read: beads }, listed] = await Promise.all([
    readGoalAndBeads(api, repo, goal, scope.bot),
    mustList ? listComments(api, repo, goal) : Promise.resolve(undefined),
  ])
  if (!goalIssue || goalIssue.state === 'closed' || !goalIssue.labels.includes(GOAL_LABEL)) return undefined
  let comments: CommentData[] | undefined = listed
  if (listed) {
    plan = readPlan(listed, goal, scope.bot)?.record
    scope.plans?.note(repo, goal, plan)
    scope.progress?.noteFromList(repo, goal, scope.bot, listed)
  }
  let read = beads
  // Beads with no plan comment: someone deleted it. The beads are the truth; do not plan over them.
  if (!plan && read.beads.length === 0) {
    const listed = comments ?? (await listComments(api, repo, goal))
    if (planningStopped(listed, goal, scope.bot)) return undefined
    if (!options.labelledByWriter && !(await mayPlanUnseen(scope, goalIssue, listed))) return undefined
    plan = await planAndRecord(scope, 1, {
      issue: goalIssue,
      ...(goalSubIssues === undefined ? {} : { subIssues: goalSubIssues }),
    })
    // Planning failed: its comment says why, and nothing else is to be done until a person acts.
    if (!plan) return undefined
    comments = scope.progress ? undefined : await listComments(api, repo, goal)
  }
  if (plan && !plan.approved) return undefined
  if (plan && (await createBeads(scope, plan, read, goalIssue.node_id)) > 0)
    read = await readGoalBeads(api, repo, goal, scope.bot)
  return advanceGoal(scope, { goalIssue, read, comments })
}
