/**
 * GitHub's size and count limits on what a request may create, answered as GitHub answers them: 422
 * "Validation Failed" with one error naming the resource and field. The OpenAPI description states none
 * of these, so each rule cites where GitHub documents it (or, where GitHub documents only the number, the
 * answers people have quoted from the API).
 */
import { HttpError, validationFailed } from './http-error.js'

/** Issue, pull request, comment and review bodies: 65,536 characters. */
// https://docs.github.com/en/rest/issues/comments#create-an-issue-comment answers 422 past it; the text is
// GitHub's own, quoted in https://github.com/danger/danger/issues/424 (IssueComment) and many since.
export const MAX_BODY_CHARS = 65_536

/** Issue and pull request titles: 256 characters. */
// Quoted from the API's 422 in https://github.com/DavyJonesLocker/party_foul/pull/122.
export const MAX_TITLE_CHARS = 256

/** Label names: 50 characters. */
// https://docs.github.com/en/rest/issues/labels#create-a-label answers "name is too long (maximum is 50
// characters)", quoted in https://github.com/github/docs/issues/32156.
export const MAX_LABEL_CHARS = 50

/** Sub-issues of one parent, closed ones included: 100. */
// https://docs.github.com/en/issues/tracking-your-work-with-issues/using-issues/adding-sub-issues ("up to
// 100 sub-issues per parent issue"); closed ones count: https://github.com/orgs/community/discussions/207865.
export const MAX_SUB_ISSUES = 100

/** Issues one issue may be blocked by, and issues one issue may block: 50 each. */
// https://github.blog/changelog/2025-08-21-dependencies-on-issues/ and
// https://docs.github.com/en/issues/tracking-your-work-with-issues/using-issues/creating-issue-dependencies
export const MAX_DEPENDENCIES = 50

/** The JSON of a workflow_dispatch's `inputs`: 65,535 characters. */
// https://docs.github.com/en/actions/reference/workflows-and-actions/events-that-trigger-workflows#workflow_dispatch
// ("The maximum payload for inputs is 65,535 characters"); the count of inputs (25) is the description's
// `maxProperties`, which the OpenAPI check enforces.
export const MAX_DISPATCH_INPUTS_CHARS = 65_535

/** Length in characters as GitHub counts them (code points, not UTF-16 units). */
export function characters(text: string): number {
  let count = 0
  for (const _ of text) count += 1
  return count
}

type Rule = (body: Record<string, unknown>) => HttpError | null

const tooLong = (resource: string, field: string, max: number, code = 'custom'): HttpError =>
  validationFailed(resource, field, code, `${field} is too long (maximum is ${max} characters)`)

const longer = (value: unknown, max: number): boolean => typeof value === 'string' && characters(value) > max

const issueLike =
  (resource: string): Rule =>
  (body) => {
    if (longer(body.title, MAX_TITLE_CHARS)) return tooLong(resource, 'title', MAX_TITLE_CHARS)
    if (longer(body.body, MAX_BODY_CHARS)) return tooLong(resource, 'body', MAX_BODY_CHARS)
    return labelRule(body.labels)
  }

/** GitHub creates a label an issue names but the repository lacks; a name too long is refused as invalid. */
// The error shape is quoted in https://github.com/semantic-release/github/issues/518.
function labelRule(labels: unknown): HttpError | null {
  if (!Array.isArray(labels)) return null
  for (const label of labels) {
    const name = typeof label === 'object' && label !== null ? (label as { name?: unknown }).name : label
    if (longer(name, MAX_LABEL_CHARS)) {
      return new HttpError(422, 'Validation Failed', {
        errors: [{ value: name, resource: 'Label', field: 'name', code: 'invalid' }],
      })
    }
  }
  return null
}

/** The comment answer GitHub gives: resource IssueComment, field `data`, capitalised message. */
// Quoted in https://github.com/vebr/jest-lcov-reporter/issues/14 and https://github.com/reg-viz/reg-actions/issues/123.
const commentRule: Rule = (body) =>
  longer(body.body, MAX_BODY_CHARS)
    ? validationFailed(
        'IssueComment',
        'data',
        'unprocessable',
        `Body is too long (maximum is ${MAX_BODY_CHARS} characters)`,
      )
    : null

const bodyRule =
  (resource: string): Rule =>
  (body) =>
    longer(body.body, MAX_BODY_CHARS) ? tooLong(resource, 'body', MAX_BODY_CHARS) : null

const reviewRule: Rule = (body) => {
  const own = bodyRule('PullRequestReview')(body)
  if (own) return own
  const comments = Array.isArray(body.comments) ? (body.comments as Record<string, unknown>[]) : []
  for (const comment of comments) {
    if (longer(comment?.body, MAX_BODY_CHARS))
      return tooLong('PullRequestReviewComment', 'body', MAX_BODY_CHARS)
  }
  return null
}

const labelNameRule =
  (field: 'name' | 'new_name'): Rule =>
  (body) =>
    longer(body[field], MAX_LABEL_CHARS) ? tooLong('Label', 'name', MAX_LABEL_CHARS) : null

const labelsRule: Rule = (body) => labelRule(Array.isArray(body) ? body : body.labels)

const dispatchRule: Rule = (body) => {
  if (body.inputs === undefined) return null
  const size = characters(JSON.stringify(body.inputs))
  if (size <= MAX_DISPATCH_INPUTS_CHARS) return null
  return new HttpError(
    422,
    `inputs are too large: ${size} characters, the maximum payload for inputs is ${MAX_DISPATCH_INPUTS_CHARS} characters`,
  )
}

const rules: Record<string, Rule> = {
  'POST /repos/{owner}/{repo}/issues': issueLike('Issue'),
  'PATCH /repos/{owner}/{repo}/issues/{issue_number}': issueLike('Issue'),
  'POST /repos/{owner}/{repo}/issues/{issue_number}/comments': commentRule,
  'PATCH /repos/{owner}/{repo}/issues/comments/{comment_id}': commentRule,
  'POST /repos/{owner}/{repo}/issues/{issue_number}/labels': labelsRule,
  'PUT /repos/{owner}/{repo}/issues/{issue_number}/labels': labelsRule,
  'POST /repos/{owner}/{repo}/labels': labelNameRule('name'),
  'PATCH /repos/{owner}/{repo}/labels/{name}': labelNameRule('new_name'),
  'POST /repos/{owner}/{repo}/pulls': issueLike('PullRequest'),
  'PATCH /repos/{owner}/{repo}/pulls/{pull_number}': issueLike('PullRequest'),
  'POST /repos/{owner}/{repo}/pulls/{pull_number}/reviews': reviewRule,
  'PUT /repos/{owner}/{repo}/pulls/{pull_number}/reviews/{review_id}': bodyRule('PullRequestReview'),
  'POST /repos/{owner}/{repo}/pulls/{pull_number}/comments': bodyRule('PullRequestReviewComment'),
  'POST /repos/{owner}/{repo}/actions/workflows/{workflow_id}/dispatches': dispatchRule,
}

/** The refusal GitHub gives a request over one of its size limits, or null when the request is within them. */
export function checkSizeLimits(method: string, template: string, body: unknown): HttpError | null {
  const rule = rules[`${method} ${template}`]
  if (!rule || typeof body !== 'object' || body === null) return null
  return rule(body as Record<string, unknown>)
}

/** The refusal of a sub-issue past the cap: GitHub's own words, quoted in stdlib-js/stdlib#13376. */
export function subIssueCapError(): HttpError {
  return validationFailed(
    'Issue',
    'sub_issue_id',
    'invalid',
    `Parent cannot have more than ${MAX_SUB_ISSUES} sub-issues`,
  )
}

/** The refusal of a blocked-by link past the cap (GitHub documents the number, not the words). */
export function dependencyCapError(side: 'blocked by' | 'blocking'): HttpError {
  return validationFailed(
    'IssueDependency',
    'issue_id',
    'invalid',
    side === 'blocked by'
      ? `Issue cannot be blocked by more than ${MAX_DEPENDENCIES} issues`
      : `Issue cannot block more than ${MAX_DEPENDENCIES} issues`,
  )
}
