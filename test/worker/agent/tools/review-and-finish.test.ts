import { describe, expect, it } from 'vitest'
import { finishTool } from '../../../../src/worker/agent/tools/finish.js'
import { submitReviewTool } from '../../../../src/worker/agent/tools/submit-review.js'
import { makeToolContext } from '../support.js'

const context = makeToolContext('/nonexistent', { reviewPrNumbers: [7, 8] })

describe('finish', () => {
  it('returns the summary as a finish effect', async () => {
    const result = await finishTool.run(
      { summary: 'Added the endpoint and its tests; npm test passes.' },
      context,
    )
    expect(result.effect).toEqual({
      kind: 'finish',
      summary: 'Added the endpoint and its tests; npm test passes.',
    })
  })
})

describe('submit_review', () => {
  const review = {
    pr: 7,
    event: 'REQUEST_CHANGES' as const,
    body: 'Please handle the empty list.',
    comments: [{ path: 'src/todo.ts', line: 12, body: 'This throws on []' }],
  }

  it('records the review as an effect, sending nothing', async () => {
    const result = await submitReviewTool.run(review, context)
    expect(result).toMatchObject({
      ok: true,
      output: 'review of PR #7 recorded: REQUEST_CHANGES, 1 inline comments; it is posted after the run',
    })
    expect(result.effect).toEqual({ kind: 'review', review })
  })

  it('refuses a PR the run does not review, naming the ones it does', async () => {
    const result = await submitReviewTool.run({ ...review, pr: 99 }, context)
    expect(result.output).toBe('Error: PR #99 is not one this run reviews; the PRs to review are: #7, #8')
  })

  it('refuses APPROVE unless allowed', async () => {
    expect((await submitReviewTool.run({ ...review, event: 'APPROVE' }, context)).output).toMatch(
      /APPROVE is not allowed/,
    )
    const allowed = await submitReviewTool.run(
      { ...review, event: 'APPROVE' },
      { ...context, allowApprove: true },
    )
    expect(allowed.ok).toBe(true)
  })

  it('refuses an inline comment whose path leaves the repository', async () => {
    const result = await submitReviewTool.run(
      { ...review, comments: [{ path: '../x', line: 1, body: 'b' }] },
      context,
    )
    expect(result.output).toMatch(/must be relative to the repository root/)
  })
})
