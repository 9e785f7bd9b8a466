/**
 * Creates the beads of a plan, idempotently: each bead is looked up by its marker (goal and key) before
 * it is created, so a crash half-way and a retry make no duplicates. Labels and the sub-issue link go
 * with the create request (GraphQL's createIssue with the goal as parent; REST's create and link where
 * the node ids are unknown or GitHub lacks the argument); the blocked-by links when the config asks for
 * them, and the board follow.
 */
import type { Bead } from '../core/bead.js'
import { encodeBead } from '../core/bead-codec.js'
import { labelSpecs } from '../core/labels.js'
import { creationOrder, type PlanRecord } from '../core/plan-record.js'
import { statusOf } from '../github/client.js'
import { GitHubRefusal } from '../github/github-error.js'
import { createIssue, type IssueData } from '../github/issues.js'
import { ensureLabels } from '../github/labels.js'
import {
  addBlockedBy,
  addSubIssue,
  createSubIssue,
  listSubIssues,
  type SubIssueTarget,
} from '../github/sub-issues.js'
import { showOnBoard } from './board.js'
import type { GoalScope } from './goal-scope.js'
import { readGoalBeads, type GoalBeads } from './read-beads.js'

/** The body a plan bead gets: its description, then its acceptance criteria as a checklist. */
export function beadDescription(description: string, criteria: readonly string[]): string {
  if (criteria.length === 0) return description.trim()
  return `${description.trim()}\n\n**Acceptance criteria**\n\n${criteria.map((c) => `- ${c}`).join('\n')}`
}

/** The keys of the plan that have no bead of the plan's round yet. */
export function missingKeys(record: PlanRecord, existing: GoalBeads): string[] {
  const made = new Set(
    existing.beads.filter((r) => (r.bead.planRound ?? 1) === record.round).map((r) => r.bead.key),
  )
  return record.plan.beads.map((bead) => bead.key).filter((key) => !made.has(key))
}

/**
 * Creates one bead's issue, once. GitHub can apply a create and still answer 5xx (or the answer can be
 * lost), so before trying again the bead is looked up by its marker; Octokit's own retry would not look.
 */
async function createBeadIssue(
  scope: GoalScope,
  key: string,
  round: number,
  issue: { title: string; body: string; labels: string[] },
  target: SubIssueTarget | undefined,
): Promise<{ issue: IssueData; linked: boolean }> {
  const { api, repo, goal, log } = scope
  for (let attempt = 1; ; attempt += 1) {
    try {
      const created =
        target && !scope.facts.subIssueMutationUnsupported
          ? await createSubIssue(api, repo, target, issue, { retries: 0 })
          : 'unsupported'
      if (created !== 'unsupported') return { issue: created, linked: true }
      if (target) scope.facts.subIssueMutationUnsupported = true
      return { issue: await createIssue(api, repo, issue, { retries: 0 }), linked: false }
    } catch (error) {
      const status = statusOf(error)
      // A refusal in GitHub's words (a GraphQL answer with errors) is final, as any 4xx is.
      if (error instanceof GitHubRefusal || (status !== undefined && status < 500) || attempt >= 3)
        throw error
      const found = (await readGoalBeads(api, repo, goal, scope.bot)).beads.find(
        (r) => r.bead.key === key && (r.bead.planRound ?? 1) === round,
      )
      if (found) {
        log.warn({ bead: found.issue.number, key, status }, 'bead creation answered an error but was applied')
        return { issue: found.issue, linked: false }
      }
      log.warn({ key, status, attempt }, 'bead creation failed and was not applied; trying again')
    }
  }
}

/**
 * Makes sure every bead of the plan exists (reading the beads unless `known` holds them); answers how
 * many it created.
 */
export async function createBeads(
  scope: GoalScope,
  record: PlanRecord,
  known?: GoalBeads,
  goalNodeId?: string,
): Promise<number> {
  const { api, repo, goal, log } = scope
  const existing = known ?? (await readGoalBeads(api, repo, goal, scope.bot))
  if (missingKeys(record, existing).length === 0) return 0
  // Only the roles this plan uses: a later plan with other roles creates theirs. Once per repository
  // and process, a sweep aside (KnownLabels).
  const roles = [...new Set(record.plan.beads.map((bead) => bead.role))]
  await ensureLabels(api, repo, labelSpecs(roles), { known: scope.facts.labels, fresh: scope.fresh })
  // GraphQL takes the repository, the goal and the labels by node id: with all of them known, a bead is
  // created and linked under its goal in one request.
  const targetOf = (labels: string[]): SubIssueTarget | undefined => {
    const labelIds = scope.facts.labels.ids(repo, labels)
    return scope.repositoryNodeId && goalNodeId && labelIds
      ? { repositoryId: scope.repositoryNodeId, parentId: goalNodeId, labelIds }
      : undefined
  }

  const numbers = new Map<string, number>()
  const ids = new Map<string, number>()
  for (const { bead, issue } of existing.beads) {
    // Beads of an earlier plan round were cancelled by the replan; their keys are free again.
    if ((bead.planRound ?? 1) !== record.round) continue
    numbers.set(bead.key, issue.number)
    ids.set(bead.key, issue.id)
  }
  let created = 0
  // Each link is a content-creating request, the scarcest of GitHub's limits (docs/limits.md); the
  // marker and the body's task list already hold the dependencies, so links are the config's choice.
  const links = scope.config.dependency_links
  const byKey = new Map(record.plan.beads.map((bead) => [bead.key, bead]))

  // A Mayor that died between creating a bead and linking it left that bead unlinked: link it now. With
  // no bead of this round made yet there is nothing to link, and no list to read. Blocked-by links come
  // after the create whichever way it went, so each made bead's are made again (a link made twice is
  // not an error); this runs only when a creation was interrupted.
  const linked = new Set(
    ids.size === 0 ? [] : (await listSubIssues(api, repo, goal)).map((issue) => issue.id),
  )
  for (const key of creationOrder(record.plan)) {
    const id = ids.get(key)
    if (id === undefined) continue
    if (!linked.has(id)) await addSubIssue(api, repo, goal, id)
    for (const dep of links ? byKey.get(key)!.depends_on : []) {
      const blocking = ids.get(dep)
      if (blocking !== undefined) await addBlockedBy(api, repo, numbers.get(key)!, blocking)
    }
    if (!linked.has(id) || links) {
      log.info({ bead: numbers.get(key), key }, 'bead linked after an interrupted creation')
    }
  }
  const now = scope.deps.now()

  for (const key of creationOrder(record.plan)) {
    if (numbers.has(key)) continue
    const planned = byKey.get(key)!
    const dependencies = planned.depends_on.map((dep) => numbers.get(dep)!)
    const bead: Bead = {
      id: `${goal}/${key}`,
      title: planned.title,
      description: beadDescription(planned.description, planned.acceptance_criteria),
      role: planned.role,
      // A bead with nothing to wait for starts ready, saving an edit right after creation.
      status: dependencies.length === 0 ? 'ready' : 'pending',
      createdAt: now,
      updatedAt: now,
      goal,
      key,
      dependencies,
      attempt: 0,
      ...(record.round > 1 ? { planRound: record.round } : {}),
    }
    const encoded = encodeBead(bead)
    const { issue, linked } = await createBeadIssue(
      scope,
      key,
      record.round,
      { title: encoded.title, body: encoded.body, labels: encoded.labels },
      targetOf(encoded.labels),
    )
    numbers.set(key, issue.number)
    ids.set(key, issue.id)
    log.info({ bead: issue.number, key, role: bead.role }, 'bead created')
    created += 1

    if (!linked) await addSubIssue(api, repo, goal, issue.id)
    if (links)
      for (const dep of planned.depends_on) await addBlockedBy(api, repo, issue.number, ids.get(dep)!)
    await showOnBoard(scope, issue.node_id, bead.status)
  }
  return created
}
