/**
 * The reviews the Mayor acts on: a request for changes re-dispatches a bead, so only one from a person
 * with write access, or from the town's own bots (the Mayor's, and the default workflow token a reviewer
 * bead may post with), counts. An outsider's review on a public repository is left to the people.
 */
import type { ReviewData } from '../github/reviews.js'
import { ACTIONS_BOT, reviewerTrust, type ReviewerTrust } from '../github/reviewer-trust.js'
import type { GoalScope } from './goal-scope.js'

/** The scope's trust in reviewers, its permissions remembered for a minute (skipped by sweeps). */
export function scopeReviewerTrust(scope: GoalScope): ReviewerTrust {
  const { facts, repo } = scope
  return reviewerTrust(scope.api, repo, {
    bots: [scope.bot, ACTIONS_BOT],
    cache: {
      get: (login) => (scope.fresh ? undefined : facts.permission(repo, login)),
      set: (login, permission) => facts.notePermission(repo, login, permission),
    },
  })
}

/** The latest request for changes by a trusted reviewer, if any. */
export async function latestTrustedChangeRequest(
  reviews: readonly ReviewData[],
  trust: ReviewerTrust,
): Promise<ReviewData | undefined> {
  const requests = reviews
    .filter((r) => r.state === 'CHANGES_REQUESTED' && r.submitted_at !== null)
    .sort((a, b) => Date.parse(b.submitted_at!) - Date.parse(a.submitted_at!))
  for (const review of requests) if (await trust.trusts(review.user)) return review
  return undefined
}
