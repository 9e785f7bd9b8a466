/** Every emulated REST route, keyed by `METHOD /template`. */
import { actionRoutes } from './actions.js'
import { appRoutes } from './app.js'
import { collaboratorRoutes } from './collaborators.js'
import { commentRoutes } from './comments.js'
import { dependencyRoutes } from './dependencies.js'
import { gitRefRoutes } from './git-refs.js'
import { issueRoutes } from './issues.js'
import { labelRoutes } from './labels.js'
import { pullRoutes } from './pulls.js'
import { rateLimitRoutes } from './rate-limit.js'
import { repoRoutes } from './repos.js'
import { reviewRoutes } from './reviews.js'
import type { RouteTable } from './route-context.js'
import { subIssueRoutes } from './sub-issues.js'
import { updateBranchRoutes } from './update-branch.js'
import { commitStatusRoutes } from './commit-statuses.js'

/** The full route table. */
export const allRoutes: RouteTable = {
  ...repoRoutes,
  ...issueRoutes,
  ...labelRoutes,
  ...commentRoutes,
  ...subIssueRoutes,
  ...dependencyRoutes,
  ...pullRoutes,
  ...updateBranchRoutes,
  ...commitStatusRoutes,
  ...reviewRoutes,
  ...gitRefRoutes,
  ...actionRoutes,
  ...collaboratorRoutes,
  ...appRoutes,
  ...rateLimitRoutes,
}
