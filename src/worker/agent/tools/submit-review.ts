/** The submit_review tool: records a review of a PR as an effect; trusted code posts it after the run. */
import { ReviewSchema } from '../effects.js'
import { defineTool, fail, ok } from './tool.js'

/** submit_review: one review per PR; a second call for the same PR replaces the first. */
export const submitReviewTool = defineTool({
  name: 'submit_review',
  description:
    'Review a pull request: an event (COMMENT, REQUEST_CHANGES, or APPROVE when allowed), a summary body, and inline ' +
    'comments on lines of the diff. It is posted after your run; calling again for the same PR replaces your review.',
  schema: ReviewSchema,
  async run(args, context) {
    if (context.reviewPrNumbers !== undefined && !context.reviewPrNumbers.includes(args.pr)) {
      const allowed = context.reviewPrNumbers.map((pr) => `#${pr}`).join(', ') || 'none'
      return fail(`PR #${args.pr} is not one this run reviews; the PRs to review are: ${allowed}`)
    }
    if (args.event === 'APPROVE' && !context.allowApprove) {
      return fail('APPROVE is not allowed here; use COMMENT, or REQUEST_CHANGES when something must change')
    }
    for (const comment of args.comments) {
      if (comment.path.startsWith('/') || comment.path.split('/').includes('..')) {
        return fail(
          `inline comment path ${JSON.stringify(comment.path)} must be relative to the repository root`,
        )
      }
    }
    const summary = `review of PR #${args.pr} recorded: ${args.event}, ${args.comments.length} inline comments`
    return ok(`${summary}; it is posted after the run`, summary, { kind: 'review', review: args })
  },
})
