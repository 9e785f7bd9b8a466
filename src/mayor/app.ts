/**
 * The Mayor as a Probot app. Handlers are thin: each reads what it needs from the payload, checks who
 * sent it, and queues work for the goal it concerns; the webhook is answered at once. The work itself
 * (plan, create beads, advance) reads state from GitHub, so a restart, a duplicate delivery or a dropped
 * one changes nothing: the reconciler sweeps every open goal at start and periodically.
 */
import type { ApplicationFunction, Context, Probot } from 'probot'
import { decodeBead } from '../core/bead-codec.js'
import { transition } from '../core/bead-status.js'
import { formatTag } from '../core/bead-marker.js'
import { BEAD_LABEL, GOAL_LABEL } from '../core/labels.js'
import { isTerminal } from '../core/bead-status.js'
import type { GitHubApi, RepoRef } from '../github/client.js'
import { createComment, listComments, upsertComment } from '../github/comments.js'
import { getIssue, listIssues } from '../github/issues.js'
import { canWrite, getPermission } from '../github/repository.js'
import { advanceGoal, writeBead } from './advance-goal.js'
import { helpText, parseCommand, type SlashCommand } from './commands.js'
import { createBeads } from './create-beads.js'
import { listInstallationIds, listInstallationRepos } from '../github/installations.js'
import { progressTag } from './goal-comments.js'
import { postPlan } from './plan-comments.js'
import { FactsCache } from './facts-cache.js'
import { DeliveryLog, GoalQueue, type GoalJob } from './goal-queue.js'
import {
  JOB_RETRIES,
  failedRequest,
  jobRetryDelayMs,
  passingFailure,
  renewInstallationToken,
} from './job-retry.js'
import type { GoalScope } from './goal-scope.js'
import type { MayorDeps, MayorLog } from './mayor-deps.js'
import { MergeLanes } from './merge-lanes.js'
import { goalOfBeadIssue, readGoalBeads, writtenBy } from './read-beads.js'
import { openScope, planAndRecord, runGoal } from './run-goal.js'
import { readPlan } from './plan-comments.js'

/** The Mayor, with handles for its runner and for tests. */
export interface Mayor {
  /** The Probot application function. */
  app: ApplicationFunction
  /** Resolves once every queued job has run. */
  idle(): Promise<void>
  /** Sweeps every open goal of every installation now. */
  reconcile(): Promise<void>
  /** Stops the periodic sweep and pending wake-ups. */
  stop(): void
}

const BEAD_BRANCH = /^gastown\/(\d+)-/
const RUN_TITLE = /gastown bead #(\d+)/i

type Sender = { login: string; type?: string } | undefined

/** Creates the Mayor with its dependencies. */
export function createMayor(deps: MayorDeps): Mayor {
  let probot: Probot | undefined
  let log: MayorLog | undefined
  let botLogin: Promise<string | undefined> | undefined
  const deliveries = new DeliveryLog()
  const facts = new FactsCache(deps.now)
  const lanes = new MergeLanes()
  const timers = new Set<() => void>()
  const jobs = new GoalQueue((job, error) => {
    log?.error(
      { job: job.name, key: job.key, err: (error as Error).message, stack: (error as Error).stack },
      'job failed',
    )
  })

  /**
   * Queues a job; one that fails on GitHub's passing trouble (job-retry.ts) runs again after a pause.
   * The count restarts when the job fails at another request than last time, since it got further.
   */
  function pushJob(job: GoalJob & { api: GitHubApi }, attempt = 1, lastFailure?: string): void {
    jobs.push({
      ...job,
      run: async () => {
        try {
          await job.run()
        } catch (error) {
          const why = passingFailure(error)
          const failure = failedRequest(error)
          if (failure !== lastFailure) attempt = 1
          if (why === undefined || attempt > JOB_RETRIES) throw error
          if (why === 'token') await renewInstallationToken(job.api)
          const delayMs = jobRetryDelayMs(error, attempt, deps.jobRetryBaseMs ?? 1000)
          log?.warn(
            { job: job.name, key: job.key, why, attempt, delayMs, err: (error as Error).message },
            'job failed on passing trouble; it runs again',
          )
          const cancel = deps.setTimer(() => {
            timers.delete(cancel)
            pushJob(job, attempt + 1, failure)
          }, delayMs)
          timers.add(cancel)
        }
      },
    })
  }
  const queue = { push: (job: GoalJob & { api: GitHubApi }) => pushJob(job), idle: () => jobs.idle() }

  /** The app's own bot, whose events are our own doing. */
  function bot(): Promise<string | undefined> {
    botLogin ??= (async () => {
      try {
        const app = await probot!.auth()
        const { data } = await app.request('GET /app')
        return data ? `${data.slug}[bot]` : undefined
      } catch (error) {
        log?.warn({ err: (error as Error).message }, 'could not read the app slug')
        botLogin = undefined
        return undefined
      }
    })()
    return botLogin
  }

  function wakeAt(api: GitHubApi, repo: RepoRef, goal: number, at: number) {
    const cancel = deps.setTimer(
      () => {
        timers.delete(cancel)
        enqueue(api, repo, goal, 'advance')
      },
      Math.max(0, at - deps.now()),
    )
    timers.add(cancel)
  }

  /** Queues the goal's course (plan, create, advance); identical waiting jobs merge. */
  function enqueue(
    api: GitHubApi,
    repo: RepoRef,
    goal: number,
    name: string,
    work?: (scope: GoalScope) => Promise<void>,
  ) {
    queue.push({
      api,
      key: `${repo.owner}/${repo.repo}#${goal}`,
      name,
      run: async () => {
        const scope = await openScope(
          api,
          repo,
          goal,
          deps,
          log!,
          await bot(),
          facts,
          name === 'sweep',
          lanes,
        )
        if (!scope) return
        if (work) await work(scope)
        // Only intake, after its write-access check, may plan a goal on its say-so.
        const result = await runGoal(scope, { labelledByWriter: name === 'run' })
        for (const at of new Set(result?.wakeAt ?? [])) wakeAt(api, repo, goal, at)
      },
    })
  }

  /** Whether a sender may start goals and run commands: write access, and not a bot. */
  async function mayAct(api: GitHubApi, repo: RepoRef, sender: Sender): Promise<boolean> {
    if (!sender || sender.type === 'Bot' || sender.login.endsWith('[bot]')) return false
    return canWrite(await getPermission(api, repo, sender.login))
  }

  async function refuse(api: GitHubApi, repo: RepoRef, number: number, sender: Sender, what: string) {
    const who = sender?.login ?? 'someone'
    await upsertComment(
      api,
      repo,
      number,
      formatTag('refusal', { issue: number, user: who }),
      `👋 Thanks, @${who}. Only people with write access to this repository can ${what}, so the Mayor did nothing. A maintainer can do it for you.`,
      { author: await bot() },
    )
  }

  /** Common checks for every delivery: replayed deliveries and our own bot's issue events do nothing. */
  async function accept(context: Context, ownEventsMatter: boolean): Promise<boolean> {
    if (!deliveries.first(context.id)) {
      context.log.debug({ delivery: context.id }, 'replayed delivery ignored')
      return false
    }
    if (ownEventsMatter) return true
    const sender = (context.payload as { sender?: Sender }).sender
    return !(sender && sender.login === (await bot()))
  }

  function repoOf(context: Context): RepoRef {
    const { repository } = context.payload as { repository: { owner: { login: string }; name: string } }
    return { owner: repository.owner.login, repo: repository.name }
  }

  /**
   * Finds the goal an event concerns after the webhook is answered (finding it may take a request), then
   * queues the goal's advance.
   */
  function routeLater(
    api: GitHubApi,
    repo: RepoRef,
    delivery: string,
    find: () => Promise<number | undefined>,
  ) {
    queue.push({
      api,
      key: `${repo.owner}/${repo.repo}#route`,
      name: `route:${delivery}`,
      run: async () => {
        const goal = await find()
        if (goal !== undefined) enqueue(api, repo, goal, 'advance')
      },
    })
  }

  /** The goal a bead issue belongs to, read from its marker (undefined when it is no readable bead). */
  async function goalOfBead(api: GitHubApi, repo: RepoRef, bead: number): Promise<number | undefined> {
    return goalOfBeadIssue(await getIssue(api, repo, bead), (await bot()) ?? '')
  }

  /**
   * The goal of the bead a run was dispatched for, found by the run id in bead markers: for a worker
   * workflow without our `run-name`, whose runs carry no bead number.
   */
  async function goalOfRun(api: GitHubApi, repo: RepoRef, runId: string): Promise<number | undefined> {
    const author = (await bot()) ?? ''
    for (const issue of await listIssues(api, repo, { labels: [BEAD_LABEL], state: 'open' })) {
      const decoded = decodeBead(issue)
      if (decoded.ok && decoded.bead.assignedTo === runId && writtenBy(issue, author))
        return decoded.bead.goal
    }
    return undefined
  }

  async function runCommand(
    api: GitHubApi,
    repo: RepoRef,
    number: number,
    command: SlashCommand,
    sender: Sender,
    delivery: string,
  ): Promise<void> {
    const issue = await getIssue(api, repo, number)
    const onGoal = issue.labels.includes(GOAL_LABEL)
    const decoded = !onGoal && issue.labels.includes(BEAD_LABEL) ? decodeBead(issue) : undefined
    const goal = onGoal ? number : decoded?.ok ? decoded.bead.goal : undefined
    if (command.name === 'help' || goal === undefined) {
      await createComment(api, repo, number, helpText(command.name === 'help' ? command.unknown : undefined))
      return
    }
    const reply = (text: string) => createComment(api, repo, number, `@${sender?.login ?? 'you'} ${text}`)
    queue.push({
      api,
      key: `${repo.owner}/${repo.repo}#${goal}`,
      name: `command:${command.name}:${delivery}`,
      run: async () => {
        const scope = await openScope(api, repo, goal, deps, log!, await bot(), facts, true, lanes)
        if (!scope) return
        await carryOut(scope, command, onGoal ? undefined : number, reply)
      },
    })
  }

  async function carryOut(
    scope: GoalScope,
    command: SlashCommand,
    beadIssue: number | undefined,
    reply: (text: string) => Promise<unknown>,
  ): Promise<void> {
    const { api, repo, goal } = scope
    const now = deps.now()
    const read = await readGoalBeads(api, repo, goal, scope.bot)
    const done = new Set(read.beads.filter((r) => r.bead.status === 'completed').map((r) => r.issue.number))
    switch (command.name) {
      case 'status': {
        await advanceGoal(scope)
        const comments = await listComments(api, repo, goal)
        const progress = comments.find((c) => c.body.includes(progressTag(goal)) && c.user === scope.bot)
        await reply(`the goal's progress is here: ${progress?.html_url ?? 'on the goal'}.`)
        return
      }
      case 'retry': {
        const wanted = beadIssue ?? command.bead
        const targets = read.beads.filter((r) =>
          wanted !== undefined
            ? r.issue.number === wanted
            : r.bead.needsHuman === true || r.bead.status === 'failed',
        )
        if (targets.length === 0) {
          await reply(
            wanted !== undefined ? `#${wanted} is not a bead of this goal.` : 'no bead needs a retry.',
          )
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
            // The review rounds ran out: a person asks for another round of fixes.
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
        return
      }
      case 'cancel': {
        const targets = read.beads.filter((r) =>
          beadIssue === undefined ? true : r.issue.number === beadIssue,
        )
        for (const record of targets) {
          if (isTerminal(record.bead.status)) continue
          const next = transition(record.bead, 'cancelled', { now, reason: `cancelled by /gastown cancel` })
          await writeBead(scope, next, record.issue, done)
        }
        if (beadIssue === undefined) {
          await reply('cancelled every open bead and the goal.')
          await advanceGoal(scope)
          await api.request('PATCH /repos/{owner}/{repo}/issues/{issue_number}', {
            ...repo,
            issue_number: goal,
            state: 'closed',
            state_reason: 'not_planned',
          })
        } else {
          await reply(`cancelled #${beadIssue}; beads that depend on it are blocked.`)
          await runGoal(scope)
        }
        return
      }
      case 'replan': {
        for (const record of read.beads) {
          if (isTerminal(record.bead.status)) continue
          const next = transition(record.bead, 'cancelled', { now, reason: 'cancelled by /gastown replan' })
          await writeBead(scope, next, record.issue, done)
        }
        const comments = await listComments(api, repo, goal)
        const round = (readPlan(comments, goal, scope.bot)?.record.round ?? 0) + 1
        const record = await planAndRecord(scope, round)
        if (record?.approved) {
          await createBeads(scope, record)
          await advanceGoal(scope)
        }
        await reply(record ? `planned again (round ${round}).` : 'planning failed: see the progress comment.')
        return
      }
      case 'approve': {
        const comments = await listComments(api, repo, goal)
        const latest = readPlan(comments, goal, scope.bot)
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
        return
      }
      case 'help':
        return
    }
  }

  const app: ApplicationFunction = (instance) => {
    probot = instance
    log = instance.log as unknown as MayorLog
    // Known before the first delivery, so telling our own events apart costs a delivery nothing.
    void bot()

    instance.on(['issues.opened', 'issues.labeled'], async (context) => {
      if (!(await accept(context, false))) return
      const { issue, label, sender } = context.payload as {
        issue: { number: number; labels?: { name: string }[] }
        label?: { name: string }
        sender: Sender
      }
      const labelled =
        context.payload.action === 'labeled'
          ? label?.name === GOAL_LABEL
          : (issue.labels ?? []).some((l) => l.name === GOAL_LABEL)
      if (!labelled) return
      const api = context.octokit as unknown as GitHubApi
      const repo = repoOf(context)
      queue.push({
        api,
        key: `${repo.owner}/${repo.repo}#${issue.number}`,
        name: `intake:${context.id}`,
        run: async () => {
          if (!(await mayAct(api, repo, sender))) {
            await refuse(api, repo, issue.number, sender, 'start a Gas Town goal')
            log!.info(
              { goal: issue.number, sender: sender?.login },
              'goal refused: sender lacks write access',
            )
            return
          }
          enqueue(api, repo, issue.number, 'run')
        },
      })
    })

    instance.on(['issues.closed', 'issues.reopened', 'issues.edited'], async (context) => {
      if (!(await accept(context, false))) return
      const { issue } = context.payload as { issue: { number: number; labels?: { name: string }[] } }
      const names = (issue.labels ?? []).map((l) => l.name)
      const api = context.octokit as unknown as GitHubApi
      const repo = repoOf(context)
      if (names.includes(GOAL_LABEL)) enqueue(api, repo, issue.number, 'advance')
      else if (names.includes(BEAD_LABEL)) {
        // The payload holds the issue's body, and so its marker: no request is needed to find the goal.
        const decoded = decodeBead(context.payload.issue as Parameters<typeof decodeBead>[0])
        if (decoded.ok) enqueue(api, repo, decoded.bead.goal, 'advance')
      }
    })

    instance.on('issue_comment.created', async (context) => {
      if (!(await accept(context, false))) return
      const { comment, issue, sender } = context.payload as {
        comment: { body: string }
        issue: { number: number; labels?: { name: string }[]; pull_request?: unknown }
        sender: Sender
      }
      const command = parseCommand(comment.body)
      if (!command) return
      const names = (issue.labels ?? []).map((l) => l.name)
      if (!names.includes(GOAL_LABEL) && !names.includes(BEAD_LABEL)) return
      const api = context.octokit as unknown as GitHubApi
      const repo = repoOf(context)
      queue.push({
        api,
        key: `${repo.owner}/${repo.repo}#command:${issue.number}`,
        name: `command:${context.id}`,
        run: async () => {
          if (!(await mayAct(api, repo, sender))) {
            await refuse(api, repo, issue.number, sender, 'use /gastown commands')
            return
          }
          await runCommand(api, repo, issue.number, command, sender, context.id)
        },
      })
    })

    // Worker PRs, reviews and runs are facts about beads whoever caused them, our bot included.
    instance.on(
      [
        'pull_request.opened',
        'pull_request.closed',
        'pull_request.reopened',
        'pull_request.synchronize',
        'pull_request_review.submitted',
      ],
      async (context) => {
        if (!(await accept(context, true))) return
        const { pull_request, review } = context.payload as {
          pull_request: {
            number: number
            state: string
            merged?: boolean
            merged_at?: string | null
            head: { ref: string }
          }
          review?: unknown
        }
        const match = BEAD_BRANCH.exec(pull_request.head.ref)
        if (!match) return
        const api = context.octokit as unknown as GitHubApi
        const repo = repoOf(context)
        // Whose review it is decides whether it counts: the step reads and checks it (trusted-reviews.ts).
        if (review) facts.noteReview(repo, pull_request.number)
        else {
          facts.notePull(repo, pull_request.number, {
            state: pull_request.state === 'closed' ? 'closed' : 'open',
            merged: pull_request.merged === true || Boolean(pull_request.merged_at),
          })
        }
        routeLater(api, repo, context.id, () => goalOfBead(api, repo, Number(match[1])))
      },
    )

    instance.on('workflow_run.completed', async (context) => {
      if (!(await accept(context, true))) return
      const { workflow_run } = context.payload as {
        workflow_run: {
          id: number
          display_title?: string
          name?: string | null
          status: string | null
          conclusion: string | null
          updated_at: string
          html_url: string
        }
      }
      const api = context.octokit as unknown as GitHubApi
      const repo = repoOf(context)
      facts.noteRun(repo, String(workflow_run.id), {
        status: workflow_run.status ?? 'completed',
        conclusion: workflow_run.conclusion,
        updatedAt: Date.parse(workflow_run.updated_at),
        htmlUrl: workflow_run.html_url,
      })
      const match = RUN_TITLE.exec(workflow_run.display_title ?? '')
      routeLater(api, repo, context.id, () =>
        match ? goalOfBead(api, repo, Number(match[1])) : goalOfRun(api, repo, String(workflow_run.id)),
      )
    })

    if (deps.reconcileIntervalMs > 0) {
      const sweep = () => {
        timers.delete(cancel)
        void reconcile().finally(() => {
          cancel = deps.setTimer(sweep, deps.reconcileIntervalMs)
          timers.add(cancel)
        })
      }
      let cancel = deps.setTimer(sweep, 0)
      timers.add(cancel)
    }
  }

  async function reconcile(): Promise<void> {
    if (!probot)
      throw new Error('The Mayor is not loaded into Probot yet: call reconcile() after probot.load().')
    try {
      const appApi = (await probot.auth()) as unknown as GitHubApi
      for (const installation of await listInstallationIds(appApi)) {
        const api = (await probot.auth(installation)) as unknown as GitHubApi
        for (const repo of await listInstallationRepos(api)) {
          for (const goal of await listIssues(api, repo, { labels: [GOAL_LABEL], state: 'open' })) {
            enqueue(api, repo, goal.number, 'sweep')
          }
        }
      }
    } catch (error) {
      log?.error({ err: (error as Error).message }, 'reconcile sweep failed; the next sweep tries again')
    }
  }

  return {
    app,
    idle: () => queue.idle(),
    reconcile,
    stop() {
      for (const cancel of timers) cancel()
      timers.clear()
    },
  }
}

/** The hidden tag of a goal's progress comment, for callers outside the Mayor. */
export { progressTag }
