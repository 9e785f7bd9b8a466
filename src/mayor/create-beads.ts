/**
 * Creates the beads of a plan, idempotently: each bead is looked up by its marker (goal and key) before
 * it is created, so a crash half-way and a retry make no duplicates. Labels go with the create request;
 * the sub-issue link, the blocked-by links when the config asks for them, and the board follow.
 */
import type { Bead } from '../core/bead.js'
import { encodeBead } from '../core/bead-codec.js'
import { labelSpecs } from '../core/labels.js'
import { creationOrder, type PlanRecord } from '../core/plan-record.js'
import { statusOf } from '../github/client.js'
import { createIssue, type IssueData } from '../github/issues.js'
import { ensureLabels } from '../github/labels.js'
import { addBlockedBy, addSubIssue, listSubIssues } from '../github/sub-issues.js'
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
): Promise<IssueData> {
  const { api, repo, goal, log } = scope
  for (let attempt = 1; ; attempt += 1) {
    try {
      return await createIssue(api, repo, issue, { retries: 0 })
    } catch (error) {
      const status = statusOf(error)
      if ((status !== undefined && status < 500) || attempt >= 3) throw error
      const found = (await readGoalBeads(api, repo, goal, scope.bot)).beads.find(
        (r) => r.bead.key === key && (r.bead.planRound ?? 1) === round,
      )
      if (found) {
        log.warn({ bead: found.issue.number, key, status }, 'bead creation answered an error but was applied')
        return found.issue
      }
      log.warn({ key, status, attempt }, 'bead creation failed and was not applied; trying again')
    }
  }
}

/**
 * Makes sure every bead of the plan exists (reading the beads unless `known` holds them); answers how
 * many it created.
 */
export async function createBeads(scope: GoalScope, record: PlanRecord, known?: GoalBeads): Promise<number> {
  const { api, repo, goal, log } = scope
  const existing = known ?? (await readGoalBeads(api, repo, goal, scope.bot))
  if (missingKeys(record, existing).length === 0) return 0
  // Only the roles this plan uses: a later plan with other roles creates theirs. Once per repository
  // and process, a sweep aside (KnownLabels).
  const roles = [...new Set(record.plan.beads.map((bead) => bead.role))]
  await ensureLabels(api, repo, labelSpecs(roles), { known: scope.facts.labels, fresh: scope.fresh })

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

  // A Mayor that died between creating a bead and linking it left that bead unlinked: link it now.
  const linked = new Set((await listSubIssues(api, repo, goal)).map((issue) => issue.id))
  for (const key of creationOrder(record.plan)) {
    const id = ids.get(key)
    if (id === undefined || linked.has(id)) continue
    await addSubIssue(api, repo, goal, id)
    for (const dep of links ? byKey.get(key)!.depends_on : []) {
      const blocking = ids.get(dep)
      if (blocking !== undefined) await addBlockedBy(api, repo, numbers.get(key)!, blocking)
    }
    log.info({ bead: numbers.get(key), key }, 'bead linked after an interrupted creation')
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
    const issue = await createBeadIssue(scope, key, record.round, {
      title: encoded.title,
      body: encoded.body,
      labels: encoded.labels,
    })
    numbers.set(key, issue.number)
    ids.set(key, issue.id)
    log.info({ bead: issue.number, key, role: bead.role }, 'bead created')
    created += 1

    await addSubIssue(api, repo, goal, issue.id)
    if (links)
      for (const dep of planned.depends_on) await addBlockedBy(api, repo, issue.number, ids.get(dep)!)
    await showOnBoard(scope, issue.node_id, bead.status)
  }
  return created
}
