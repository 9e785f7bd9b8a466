/**
 * `PUT /repos/{owner}/{repo}/pulls/{pull_number}/update-branch`: merges the head of the base branch into
 * the pull request's branch, as the "Update branch" button does
 * (https://docs.github.com/en/rest/pulls/pulls#update-a-pull-request-branch).
 * GitHub answers 202 Accepted with `{ message: "Updating pull request branch.", url }` and does the merge
 * in the background; the emulator merges before it answers, so a caller that reads the PR afterwards sees
 * the new head. Like GitHub it answers 422 when `expected_head_sha` is not the PR's head, when the branch
 * already holds the base's head, and when the merge would conflict. The moved branch sends
 * `pull_request.synchronize`, as any push to a PR's head does
 * (https://docs.github.com/en/webhooks/webhook-events-and-payloads#pull_request).
 */
import { HttpError, notFound } from '../http-error.js'
import { onBranchMoved } from './branch-moves.js'
import { requirePull } from './pulls.js'
import type { RouteContext, RouteResult, RouteTable } from './route-context.js'

const unprocessable = (message: string): HttpError =>
  new HttpError(422, message, {
    documentation_url: 'https://docs.github.com/rest/pulls/pulls#update-a-pull-request-branch',
  })

const updateBranch = async (context: RouteContext): Promise<RouteResult> => {
  const actor = context.requireActor()
  context.repo('write')
  const { repo, issue } = requirePull(context)
  const git = context.services.git
  const pull = issue.pull
  if (!git || !pull) throw notFound()
  if (issue.state !== 'open') throw unprocessable('Pull request is closed.')
  const expected = context.body.expected_head_sha
  if (typeof expected === 'string' && expected !== pull.headSha) {
    throw unprocessable('expected head sha didn’t match current head ref.')
  }
  const baseSha = await git.resolveRef(repo.fullName, `refs/heads/${pull.baseRef}`)
  if (!baseSha) throw unprocessable(`The base branch ${pull.baseRef} does not exist.`)
  if (await git.isAncestor(repo.fullName, baseSha, pull.headSha)) {
    throw unprocessable('There are no new commits on the base branch.')
  }
  const before = pull.headSha
  const result = await git.merge(repo.fullName, {
    base: `refs/heads/${pull.headRef}`,
    head: baseSha,
    message: `Merge branch '${pull.baseRef}' into ${pull.headRef}\n`,
    method: 'merge',
    author: actor,
  })
  if ('conflict' in result) throw unprocessable('merge conflict between base and head')
  await onBranchMoved(context.services, repo, pull.headRef, before, result.sha, actor.login)
  return {
    status: 202,
    body: {
      message: 'Updating pull request branch.',
      url: `${context.services.htmlUrl}/${repo.fullName}/pull/${issue.number}`,
    },
  }
}

/** The update-branch route. */
export const updateBranchRoutes: RouteTable = {
  'PUT /repos/{owner}/{repo}/pulls/{pull_number}/update-branch': updateBranch,
}
