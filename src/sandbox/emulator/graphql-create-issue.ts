/**
 * GitHub's `createIssue` mutation (https://docs.github.com/en/graphql/reference/mutations#createissue):
 * an issue with its labels (`labelIds`) and, through `parentIssueId`, its place as a sub-issue, in one
 * request where REST needs two (create, then `POST …/sub_issues`). Everything is checked before anything
 * is made, so a refused mutation leaves no issue behind; what it does make sends the webhooks REST's
 * create sends (`issues.opened`, then `issues.labeled` per label) and starts the same workflows.
 */
import { permits, type Credential } from './actors.js'
import { GithubGraphqlError, noNode, unprocessable } from './graphql-connection.js'
import { checkSizeLimits, MAX_SUB_ISSUES } from './limits.js'
import { addLabels, emitIssueEvent } from './routes/issue-changes.js'
import type { Services } from './routes/route-context.js'
import { addIssueRecord, type IssueRecord, type RepoRecord } from './state.js'

/** The input the emulator takes (GitHub's CreateIssueInput). */
export interface CreateIssueInput {
  repositoryId: string
  title: string
  body?: string | null
  labelIds?: string[] | null
  parentIssueId?: string | null
  assigneeIds?: string[] | null
  milestoneId?: string | null
  projectIds?: string[] | null
  issueTemplate?: string | null
  clientMutationId?: string | null
}

/** The fields of CreateIssueInput the emulator does not carry out: refused rather than ignored. */
const NOT_EMULATED = ['assigneeIds', 'milestoneId', 'projectIds', 'issueTemplate'] as const

/**
 * Carries out `createIssue` for `credential`; `visible` says whether the credential may see a repository
 * (the same test as `repository(owner:, name:)`). Answers the new issue and its repository.
 */
export async function createIssueByMutation(
  services: Services,
  credential: Credential,
  input: CreateIssueInput,
  visible: (repo: RepoRecord) => boolean,
): Promise<{ issue: IssueRecord; repo: RepoRecord }> {
  const { state, actors } = services
  const repo = [...state.repos.values()].find((candidate) => candidate.nodeId === input.repositoryId)
  if (!repo || !visible(repo)) throw noNode(input.repositoryId)
  // An installation or workflow token needs "Issues" write, as REST's create does
  // (https://docs.github.com/en/rest/authentication/permissions-required-for-github-apps#repository-permissions-for-issues).
  const granted = credential.permissions
  if (granted && granted.issues !== 'write') {
    throw new GithubGraphqlError('FORBIDDEN', 'Resource not accessible by integration')
  }
  for (const field of NOT_EMULATED) {
    const value = input[field]
    if (value !== undefined && value !== null && !(Array.isArray(value) && value.length === 0)) {
      throw new GithubGraphqlError(
        'UNPROCESSABLE',
        `The emulator does not carry out createIssue's ${field}; leave it out or use the REST API.`,
      )
    }
  }
  if (input.title.trim() === '') throw new GithubGraphqlError('UNPROCESSABLE', "Title can't be blank")
  const tooLarge = checkSizeLimits('POST', '/repos/{owner}/{repo}/issues', {
    title: input.title,
    body: input.body ?? null,
  })
  if (tooLarge) throw unprocessable(tooLarge)

  // As REST's create, labels from an author who may not triage are dropped without a word.
  const mayTriage = permits(actors.permission(credential, repo), 'triage')
  const labels = (input.labelIds ?? []).map((id) => {
    const label = [...repo.labels.values()].find((candidate) => candidate.nodeId === id)
    if (!label) throw noNode(id)
    return label.name
  })

  let parent: IssueRecord | undefined
  if (input.parentIssueId) {
    parent = [...state.issues.values()].find((issue) => issue.nodeId === input.parentIssueId)
    const sameOwner = parent?.repo.split('/')[0]?.toLowerCase() === repo.owner.login.toLowerCase()
    if (!parent || parent.pull || !sameOwner) throw noNode(input.parentIssueId)
    // Adding a sub-issue needs triage on the parent's repository, as REST's `POST …/sub_issues` does
    // (https://docs.github.com/en/rest/issues/sub-issues#add-sub-issue).
    const parentRepo = state.repos.get(parent.repo.toLowerCase())
    if (!parentRepo || !permits(actors.permission(credential, parentRepo), 'triage')) {
      throw new GithubGraphqlError('FORBIDDEN', 'Resource not accessible by integration')
    }
    // Closed sub-issues count against the cap too (limits.ts).
    if (parent.subIssueIds.length >= MAX_SUB_ISSUES) {
      throw new GithubGraphqlError(
        'UNPROCESSABLE',
        `Parent cannot have more than ${MAX_SUB_ISSUES} sub-issues`,
      )
    }
  }

  const actor = credential.actor.login
  const issue = addIssueRecord(state, repo, { title: input.title, body: input.body ?? null, user: actor })
  if (parent) {
    issue.parentId = parent.id
    parent.subIssueIds.push(issue.id)
    parent.updatedAt = state.timestamp()
  }
  await emitIssueEvent(services, repo, issue, 'opened', actor)
  await addLabels(services, repo, issue, mayTriage ? labels : [], actor)
  return { issue, repo }
}
