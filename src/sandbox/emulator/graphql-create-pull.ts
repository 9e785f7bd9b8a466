/**
 * GitHub's `createPullRequest` mutation
 * (https://docs.github.com/en/graphql/reference/mutations#createpullrequest): a pull request from a
 * branch of the repository, with REST's checks, limits and `pull_request.opened` webhook (routes/pulls.ts
 * carries out both). What a client selects in the payload is read after the pull request is made, so a
 * worker opens its PR and reads its bead issue afresh in one round trip.
 */
import type { Credential } from './actors.js'
import { GithubGraphqlError, noNode, unprocessable } from './graphql-connection.js'
import { HttpError } from './http-error.js'
import { checkSizeLimits } from './limits.js'
import { openPullRequest } from './routes/pulls.js'
import type { Services } from './routes/route-context.js'
import type { IssueRecord, RepoRecord } from './state.js'

/** The input the emulator takes (GitHub's CreatePullRequestInput). */
export interface CreatePullRequestInput {
  repositoryId: string
  baseRefName: string
  headRefName: string
  /** The head's repository when it is a fork; the emulator has no forks. */
  headRepositoryId?: string | null
  title: string
  body?: string | null
  draft?: boolean | null
  maintainerCanModify?: boolean | null
  clientMutationId?: string | null
}

/**
 * Carries out `createPullRequest` for `credential`; `visible` says whether the credential may see a
 * repository (the same test as `repository(owner:, name:)`). Answers the new pull request.
 */
export async function createPullByMutation(
  services: Services,
  credential: Credential,
  input: CreatePullRequestInput,
  visible: (repo: RepoRecord) => boolean,
): Promise<{ issue: IssueRecord; repo: RepoRecord }> {
  const repo = [...services.state.repos.values()].find((candidate) => candidate.nodeId === input.repositoryId)
  if (!repo || !visible(repo)) throw noNode(input.repositoryId)
  if (input.headRepositoryId && input.headRepositoryId !== input.repositoryId) {
    throw new GithubGraphqlError(
      'UNPROCESSABLE',
      'The emulator has no forks: open the pull request from a branch of the repository itself.',
    )
  }
  // An installation or workflow token needs "Pull requests" write, as REST's create does
  // (https://docs.github.com/en/rest/authentication/permissions-required-for-github-apps#repository-permissions-for-pull-requests).
  const granted = credential.permissions
  if (granted && granted.pull_requests !== 'write') {
    throw new GithubGraphqlError('FORBIDDEN', 'Resource not accessible by integration')
  }
  if (input.title.trim() === '') throw new GithubGraphqlError('UNPROCESSABLE', "Title can't be blank")
  const tooLarge = checkSizeLimits('POST', '/repos/{owner}/{repo}/pulls', {
    title: input.title,
    body: input.body ?? null,
  })
  if (tooLarge) throw unprocessable(tooLarge)
  try {
    const issue = await openPullRequest(services, repo, credential.actor.login, {
      title: input.title,
      body: input.body ?? null,
      head: input.headRefName,
      base: input.baseRefName,
      draft: input.draft === true,
    })
    return { issue, repo }
  } catch (error) {
    if (error instanceof HttpError && error.status === 422) throw unprocessable(error)
    throw error
  }
}
