/**
 * The Mayor as a Probot app: wiring only. Each handler reads what it needs from its typed payload and
 * queues a job; the webhook is answered at once. The work itself (goal-jobs.ts, slash-commands.ts)
 * reads state from GitHub, so a restart, a duplicate delivery or a dropped one changes nothing: the
 * reconciler (reconcile.ts) sweeps every open goal at start and periodically.
 */
import type { ApplicationFunction, Context, Probot } from 'probot'
import { decodeBead } from '../core/bead-codec.js'
import { BEAD_LABEL, GOAL_LABEL } from '../core/labels.js'
import type { GitHubApi } from '../github/client.js'
import { EtagCache, useConditionalRequests } from '../github/etag-cache.js'
import { githubSaid } from '../github/github-error.js'
import { RateBudget } from '../github/rate-budget.js'
import { BotIdentity } from './bot-identity.js'
import { parseCommand } from './commands.js'
import { FactsCache } from './facts-cache.js'
import { goalOfBead, goalOfRun } from './find-goal.js'
import { DeliveryLog, goalJobKey, goalOfJobKey } from './goal-queue.js'
import { queueGoal, routeLater } from './goal-jobs.js'
import { hearPullOpened, queueDispatchOnMerge } from './dispatch-on-merge.js'
import { GoalMemory } from './goal-memory.js'
import { JobQueue } from './job-queue.js'
import { PROGRESS_EDIT_MS, type MayorDeps, type MayorLog } from './mayor-deps.js'
import type { MayorRuntime } from './mayor-runtime.js'
import { MergeLanes } from './merge-lanes.js'
import { KnownPlans } from './known-plans.js'
import { renderFailureWarning, renderRateLimitWait } from './goal-comments.js'
import { ProgressComments } from './progress-comment.js'
import { reconcile, sweepPeriodically, type AppAuth } from './reconcile.js'
import { mayAct, refuse } from './sender-access.js'
import { runCommand } from './slash-commands.js'
import { WakeUps } from './wake-ups.js'

/** The Mayor, with handles for its runner and for tests. */
export interface Mayor {
  /** The Probot application function. */
  app: ApplicationFunction
  /** Resolves once every queued job has run, and every progress text waiting for its turn is written. */
  idle(): Promise<void>
  /**
   * Resolves once every queued job has run; a progress text waiting for its turn keeps waiting, as in
   * a Mayor that nobody asks to finish (the bench counts requests this way).
   */
  quiet(): Promise<void>
  /** Sweeps every open goal of every installation now. */
  reconcile(): Promise<void>
  /** Stops the periodic sweep and pending wake-ups. */
  stop(): void
}

const BEAD_BRANCH = /^gastown\/(\d+)-/
const RUN_TITLE = /gastown bead #(\d+)/i

/** What the handlers share besides the runtime: replayed deliveries are told apart here. */
interface Wiring {
  runtime: MayorRuntime
  deliveries: DeliveryLog
}

/** Creates the Mayor with its dependencies. */
export function createMayor(deps: MayorDeps): Mayor {
  let loaded: { runtime: MayorRuntime; auth: AppAuth } | undefined
  let log: MayorLog | undefined
  // One of each per Mayor, however many times Probot loads it.
  const deliveries = new DeliveryLog()
  const facts = new FactsCache(deps.now)
  const lanes = new MergeLanes()
  const wakeUps = new WakeUps(deps.setTimer)
  const etags = new EtagCache()
  const budget = new RateBudget(deps.now, deps.retryAfterMs, deps.dispatchReserve)
  const jobs = new JobQueue({
    wakeUps,
    retryBaseMs: deps.jobRetryBaseMs ?? 1000,
    now: deps.now,
    log: () => log,
    prepare: (api) => {
      useConditionalRequests(api, etags)
      budget.watch(api)
    },
    // A goal whose step failed for good says so, rather than standing still without a word.
    failed: (job, error) => warnOnGoal(job, renderFailureWarning(githubSaid(error), deps.now())),
    // A goal that waits long for GitHub's rate limit says until when, too.
    waiting: (job, error, until) =>
      warnOnGoal(job, renderRateLimitWait(githubSaid(error), until, deps.now())),
  })
  /** Puts a warning at the head of the progress comment of the goal a job is for. */
  const warnOnGoal = async (job: { api: GitHubApi; key: string }, warning: string): Promise<void> => {
    const goal = goalOfJobKey(job.key)
    const bot = goal && (await loaded?.runtime.bot.login())
    if (!goal || !bot) return
    await progress.warn({ api: job.api, ...goal, bot }, warning)
  }
  const progress = new ProgressComments({
    now: deps.now,
    minGapMs: deps.progressEditMs ?? PROGRESS_EDIT_MS,
    later: (ms, fn) => wakeUps.after(ms, fn),
    queue: (target, run) =>
      jobs.push({
        api: target.api,
        key: goalJobKey(target.repo, target.goal),
        name: 'progress',
        run,
      }),
  })
  const shared = { progress, plans: new KnownPlans(), budget, memory: new GoalMemory(deps.now) }

  const sweep = async (): Promise<void> => {
    if (!loaded)
      throw new Error('The Mayor is not loaded into Probot yet: call reconcile() after probot.load().')
    await reconcile(loaded.runtime, loaded.auth)
  }

  const app: ApplicationFunction = (instance) => {
    log = instance.log
    const auth = authOf(instance)
    const bot = new BotIdentity(() => auth(), log)
    const runtime: MayorRuntime = { deps, log, bot, facts, lanes, jobs, wakeUps, shared }
    loaded = { runtime, auth }
    // Known before the first delivery, so telling our own events apart costs a delivery nothing.
    void bot.login()
    wire(instance, { runtime, deliveries })
    if (deps.reconcileIntervalMs > 0) sweepPeriodically(runtime, deps.reconcileIntervalMs, sweep)
  }

  // Idle means finished: a progress text waiting for its turn is written now rather than lost.
  const idle = async (): Promise<void> => {
    await jobs.idle()
    for (let round = 0; round < 5 && progress.hasPending(); round += 1) {
      progress.flushAll()
      await jobs.idle()
    }
  }
  return { app, idle, quiet: () => jobs.idle(), reconcile: sweep, stop: () => wakeUps.cancelAll() }
}

/** Probot's clients, as the app or as an installation. */
function authOf(probot: Probot): AppAuth {
  return (installation) => probot.auth(installation)
}

/** Common checks for every delivery: replayed deliveries and our own bot's issue events do nothing. */
async function accept(
  wiring: Wiring,
  context: Context<'issues' | 'issue_comment' | 'pull_request' | 'pull_request_review' | 'workflow_run'>,
  ownEventsMatter: boolean,
): Promise<boolean> {
  if (!wiring.deliveries.first(context.id)) {
    context.log.debug({ delivery: context.id }, 'replayed delivery ignored')
    return false
  }
  if (ownEventsMatter) return true
  const sender = context.payload.sender
  return !(sender && sender.login === (await wiring.runtime.bot.login()))
}

/** The names of an issue's labels; the webhook types allow a missing list or entry, GitHub sends none. */
function labelNames(labels: readonly ({ name: string } | null)[] | undefined): string[] {
  return (labels ?? []).flatMap((label) => (label ? [label.name] : []))
}

/** Registers one handler per event the Mayor listens to. */
function wire(instance: Probot, wiring: Wiring): void {
  wireGoalIntake(instance, wiring)
  wireIssueChanges(instance, wiring)
  wireCommands(instance, wiring)
  wireWorkerFacts(instance, wiring)
}

/** A goal label from a writer starts the goal; from anyone else, a refusal. */
function wireGoalIntake(instance: Probot, wiring: Wiring): void {
  const { runtime } = wiring
  instance.on(['issues.opened', 'issues.labeled'], async (context) => {
    if (!(await accept(wiring, context, false))) return
    const { payload } = context
    const { issue, sender } = payload
    const labelled =
      payload.action === 'labeled'
        ? payload.label?.name === GOAL_LABEL
        : labelNames(issue.labels).includes(GOAL_LABEL)
    if (!labelled) return
    const api = context.octokit
    const repo = context.repo()
    runtime.jobs.push({
      api,
      key: goalJobKey(repo, issue.number),
      name: `intake:${context.id}`,
      run: async () => {
        if (!(await mayAct(api, repo, sender))) {
          await refuse(api, repo, issue.number, sender, 'start a Gas Town goal', await runtime.bot.login())
          runtime.log.info(
            { goal: issue.number, sender: sender?.login },
            'goal refused: sender lacks write access',
          )
          return
        }
        queueGoal(runtime, api, repo, issue.number, 'run')
      },
    })
  })
}

/** A goal or bead issue closed, reopened or edited moves its goal along. */
function wireIssueChanges(instance: Probot, wiring: Wiring): void {
  instance.on(['issues.closed', 'issues.reopened', 'issues.edited'], async (context) => {
    if (!(await accept(wiring, context, false))) return
    const { issue } = context.payload
    const names = labelNames(issue.labels)
    const api = context.octokit
    const repo = context.repo()
    if (names.includes(GOAL_LABEL)) queueGoal(wiring.runtime, api, repo, issue.number, 'advance')
    else if (names.includes(BEAD_LABEL)) {
      // The payload holds the issue's body, and so its marker: no request is needed to find the goal.
      const decoded = decodeBead({
        number: issue.number,
        title: issue.title,
        body: issue.body,
        labels: names,
        state: issue.state ?? 'open',
        state_reason: issue.state_reason,
        created_at: issue.created_at,
        updated_at: issue.updated_at,
      })
      if (!decoded.ok) return
      const { bead } = decoded
      wiring.runtime.facts.noteReportOf(repo, bead)
      // A merge closes the bead's issue ("Closes #n") and sends pull_request.closed too, whose step
      // completes the bead: once that merge is noted, this event leaves a step nothing more to decide.
      if (
        context.payload.action === 'closed' &&
        bead.pr !== undefined &&
        wiring.runtime.facts.pull(repo, bead.pr)?.merged === true
      )
        return
      queueGoal(wiring.runtime, api, repo, bead.goal, 'advance')
    }
  })
}

/** A `/gastown` command on a goal or bead issue, from a writer, runs; from anyone else, a refusal. */
function wireCommands(instance: Probot, wiring: Wiring): void {
  const { runtime } = wiring
  instance.on('issue_comment.created', async (context) => {
    if (!(await accept(wiring, context, false))) return
    const { comment, issue, sender } = context.payload
    const command = parseCommand(comment.body)
    if (!command) return
    const names = labelNames(issue.labels)
    if (!names.includes(GOAL_LABEL) && !names.includes(BEAD_LABEL)) return
    const api = context.octokit
    const repo = context.repo()
    runtime.jobs.push({
      api,
      key: `${repo.owner}/${repo.repo}#command:${issue.number}`,
      name: `command:${context.id}`,
      run: async () => {
        if (!(await mayAct(api, repo, sender))) {
          await refuse(api, repo, issue.number, sender, 'use /gastown commands', await runtime.bot.login())
          return
        }
        await runCommand(runtime, { api, repo, number: issue.number, sender, delivery: context.id }, command)
      },
    })
  })
}

/** Worker PRs, reviews and runs are facts about beads whoever caused them, our bot included. */
function wireWorkerFacts(instance: Probot, wiring: Wiring): void {
  const { runtime } = wiring
  instance.on(
    [
      'pull_request.opened',
      'pull_request.closed',
      'pull_request.reopened',
      'pull_request.synchronize',
      'pull_request_review.submitted',
    ],
    async (context) => {
      if (!(await accept(wiring, context, true))) return
      const { pull_request } = context.payload
      const match = BEAD_BRANCH.exec(pull_request.head.ref)
      if (!match) return
      const api = context.octokit
      const repo = context.repo()
      // Whose review it is decides whether it counts: the step reads and checks it (trusted-reviews.ts).
      if ('review' in context.payload) runtime.facts.noteReview(repo, pull_request.number)
      else {
        runtime.facts.notePull(repo, pull_request.number, {
          state: pull_request.state === 'closed' ? 'closed' : 'open',
          merged:
            ('merged' in pull_request && pull_request.merged === true) || Boolean(pull_request.merged_at),
        })
        // The worker writes a new PR into the bead's marker next, and that edit starts the step (a worker
        // that dies first ends its run, which does): a step now would find the bead as it was.
        if (context.payload.action === 'opened') {
          hearPullOpened(runtime, repo, Number(match[1]))
          return
        }
        if (context.payload.action === 'closed' && 'merged' in pull_request && pull_request.merged === true) {
          queueDispatchOnMerge(runtime, api, repo, {
            number: pull_request.number,
            bead: Number(match[1]),
            base: pull_request.base.ref,
          })
        }
      }
      routeLater(runtime, api, repo, context.id, () =>
        goalOfBead(runtime.bot, api, repo, Number(match[1]), runtime.facts),
      )
    },
  )

  // A run's start only refreshes what the Mayor knows of it: nothing for a step to decide.
  instance.on(['workflow_run.requested', 'workflow_run.in_progress'], async (context) => {
    if (!(await accept(wiring, context, true))) return
    runtime.facts.noteRunData(context.repo(), context.payload.workflow_run)
  })

  instance.on('workflow_run.completed', async (context) => {
    if (!(await accept(wiring, context, true))) return
    const { workflow_run } = context.payload
    const api = context.octokit
    const repo = context.repo()
    runtime.facts.noteRunData(repo, workflow_run, 'completed')
    // A run that ended well after its bead's marker showed its report leaves the step nothing to decide.
    if (workflow_run.conclusion === 'success' && runtime.facts.reported(repo, String(workflow_run.id))) return
    const match = RUN_TITLE.exec(workflow_run.display_title ?? '')
    routeLater(runtime, api, repo, context.id, () =>
      match
        ? goalOfBead(runtime.bot, api, repo, Number(match[1]), runtime.facts)
        : goalOfRun(runtime.bot, api, repo, String(workflow_run.id), runtime.facts),
    )
  })
}
