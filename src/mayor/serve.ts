/**
 * `npm run mayor` and the container's entry: Probot's own server (`run`, as `probot run` starts it,
 * configured by the same environment), with the Mayor's writes paced by GitHub.com's documented limits
 * instead of Probot's default of a second between writes (three for issues, comments and PRs). On
 * GitHub.com that default held every write of a merge's step (the bead's completion, each dispatch)
 * a second or more. GASTOWN_WRITE_SPACING_MS asks for a fixed spacing instead. `probot run
 * ./src/mayor/index.ts` still works, with Probot's spacing.
 */
import { ProbotOctokit, run } from 'probot'
import { withWriteLimits, writeSpacingFrom } from '../github/client.js'
import gastownMayor from './index.js'

await run(gastownMayor, {
  Octokit: withWriteLimits(ProbotOctokit, writeSpacingFrom(process.env)),
})
