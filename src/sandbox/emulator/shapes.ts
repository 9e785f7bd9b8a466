/**
 * GitHub's JSON representations of the emulator's records: the same fields, URLs and nesting the REST API
 * and webhook payloads carry, so responses validate against the OpenAPI description.
 */
import type { WorkflowRun } from './contracts.js'
import type { AppIdentity } from './actors.js'
import type {
  AccountRecord,
  CommentRecord,
  EmulatorState,
  InstallationRecord,
  IssueRecord,
  LabelRecord,
  RepoRecord,
  ReviewCommentRecord,
  ReviewRecord,
} from './state.js'

/** Builds representations with the emulator's URLs. */
export interface Shapes {
  user(account: AccountRecord): Record<string, unknown>
  userByLogin(login: string): Record<string, unknown>
  repository(repo: RepoRecord, extra?: Record<string, unknown>): Record<string, unknown>
  label(repo: RepoRecord, label: LabelRecord): Record<string, unknown>
  issue(issue: IssueRecord): Record<string, unknown>
  comment(comment: CommentRecord): Record<string, unknown>
  pull(issue: IssueRecord, stats?: PullStats): Record<string, unknown>
  review(review: ReviewRecord): Record<string, unknown>
  reviewComment(comment: ReviewCommentRecord): Record<string, unknown>
  app(app: AppIdentity): Record<string, unknown>
  installation(installation: InstallationRecord, app: AppIdentity): Record<string, unknown>
  workflowRun(run: WorkflowRun): Record<string, unknown>
  workflow(repo: RepoRecord, path: string): Record<string, unknown>
  authorAssociation(repo: RepoRecord, login: string): string
}

/** What a pull request's representation reports of its diff and mergeability. */
export interface PullStats {
  additions: number
  deletions: number
  changedFiles: number
  commits: number
  mergeable: boolean | null
  /** GitHub's `mergeable_state` (mergeability.ts); derived from `mergeable` when absent. */
  mergeableState?: 'clean' | 'behind' | 'dirty' | 'unknown'
}

/** The permissions the emulated app asks for (and every installation grants). */
export const appPermissions: Record<string, string> = {
  actions: 'write',
  checks: 'read',
  contents: 'write',
  issues: 'write',
  metadata: 'read',
  pull_requests: 'write',
  repository_projects: 'write',
  statuses: 'read',
  organization_projects: 'write',
}

/** The events the emulated app subscribes to. */
export const appEvents = ['issues', 'issue_comment', 'pull_request', 'pull_request_review', 'workflow_run']

/** Creates the builders for an emulator whose API is at `apiUrl` and web pages at `htmlUrl`. */
export function createShapes(state: EmulatorState, apiUrl: string, htmlUrl: string): Shapes {
  const user = (account: AccountRecord): Record<string, unknown> => {
    const api = `${apiUrl}/users/${encodeURIComponent(account.login)}`
    return {
      login: account.login,
      id: account.id,
      node_id: account.nodeId,
      avatar_url: `${htmlUrl}/avatars/u/${account.id}?v=4`,
      gravatar_id: '',
      url: api,
      html_url: `${htmlUrl}/${encodeURIComponent(account.login)}`,
      followers_url: `${api}/followers`,
      following_url: `${api}/following{/other_user}`,
      gists_url: `${api}/gists{/gist_id}`,
      starred_url: `${api}/starred{/owner}{/repo}`,
      subscriptions_url: `${api}/subscriptions`,
      organizations_url: `${api}/orgs`,
      repos_url: `${api}/repos`,
      events_url: `${api}/events{/privacy}`,
      received_events_url: `${api}/received_events`,
      type: account.type,
      user_view_type: 'public',
      site_admin: false,
    }
  }
  const userByLogin = (login: string): Record<string, unknown> => user(state.account(login))

  const openIssueCount = (repo: RepoRecord): number =>
    state.issuesOf(repo.fullName).filter((i) => i.state === 'open').length

  const repository = (repo: RepoRecord, extra: Record<string, unknown> = {}): Record<string, unknown> => {
    const api = `${apiUrl}/repos/${repo.fullName}`
    const html = `${htmlUrl}/${repo.fullName}`
    const open = openIssueCount(repo)
    return {
      id: repo.id,
      node_id: repo.nodeId,
      name: repo.name,
      full_name: repo.fullName,
      private: repo.private,
      owner: user(repo.owner),
      html_url: html,
      description: repo.description,
      fork: false,
      url: api,
      forks_url: `${api}/forks`,
      keys_url: `${api}/keys{/key_id}`,
      collaborators_url: `${api}/collaborators{/collaborator}`,
      teams_url: `${api}/teams`,
      hooks_url: `${api}/hooks`,
      issue_events_url: `${api}/issues/events{/number}`,
      events_url: `${api}/events`,
      assignees_url: `${api}/assignees{/user}`,
      branches_url: `${api}/branches{/branch}`,
      tags_url: `${api}/tags`,
      blobs_url: `${api}/git/blobs{/sha}`,
      git_tags_url: `${api}/git/tags{/sha}`,
      git_refs_url: `${api}/git/refs{/sha}`,
      trees_url: `${api}/git/trees{/sha}`,
      statuses_url: `${api}/statuses/{sha}`,
      languages_url: `${api}/languages`,
      stargazers_url: `${api}/stargazers`,
      contributors_url: `${api}/contributors`,
      subscribers_url: `${api}/subscribers`,
      subscription_url: `${api}/subscription`,
      commits_url: `${api}/commits{/sha}`,
      git_commits_url: `${api}/git/commits{/sha}`,
      comments_url: `${api}/comments{/number}`,
      issue_comment_url: `${api}/issues/comments{/number}`,
      contents_url: `${api}/contents/{+path}`,
      compare_url: `${api}/compare/{base}...{head}`,
      merges_url: `${api}/merges`,
      archive_url: `${api}/{archive_format}{/ref}`,
      downloads_url: `${api}/downloads`,
      issues_url: `${api}/issues{/number}`,
      pulls_url: `${api}/pulls{/number}`,
      milestones_url: `${api}/milestones{/number}`,
      notifications_url: `${api}/notifications{?since,all,participating}`,
      labels_url: `${api}/labels{/name}`,
      releases_url: `${api}/releases{/id}`,
      deployments_url: `${api}/deployments`,
      created_at: repo.createdAt,
      updated_at: repo.updatedAt,
      pushed_at: repo.pushedAt,
      git_url: `${html.replace(/^https?:/, 'git:')}.git`,
      ssh_url: `git@127.0.0.1:${repo.fullName}.git`,
      clone_url: `${html}.git`,
      svn_url: html,
      homepage: null,
      size: 0,
      stargazers_count: 0,
      watchers_count: 0,
      language: null,
      has_issues: true,
      has_projects: true,
      has_downloads: true,
      has_wiki: false,
      has_pages: false,
      has_discussions: false,
      forks_count: 0,
      mirror_url: null,
      archived: false,
      disabled: false,
      open_issues_count: open,
      license: null,
      allow_forking: true,
      is_template: false,
      web_commit_signoff_required: false,
      topics: [],
      custom_properties: {},
      visibility: repo.private ? 'private' : 'public',
      forks: 0,
      open_issues: open,
      watchers: 0,
      default_branch: repo.defaultBranch,
      network_count: 0,
      subscribers_count: 0,
      ...extra,
    }
  }

  const label = (repo: RepoRecord, record: LabelRecord): Record<string, unknown> => ({
    id: record.id,
    node_id: record.nodeId,
    url: `${apiUrl}/repos/${repo.fullName}/labels/${encodeURIComponent(record.name)}`,
    name: record.name,
    color: record.color,
    default: record.default,
    description: record.description,
  })

  const repoOf = (fullName: string): RepoRecord => {
    const repo = state.repos.get(fullName.toLowerCase())
    if (!repo) throw new Error(`The emulator lost repository ${fullName}: a record points at it.`)
    return repo
  }

  const authorAssociation = (repo: RepoRecord, login: string): string => {
    if (login.toLowerCase() === repo.owner.login.toLowerCase()) return 'OWNER'
    if (repo.access.has(login.toLowerCase())) return 'COLLABORATOR'
    return 'NONE'
  }

  const reactions = (url: string): Record<string, unknown> => ({
    url: `${url}/reactions`,
    total_count: 0,
    '+1': 0,
    '-1': 0,
    laugh: 0,
    hooray: 0,
    confused: 0,
    heart: 0,
    rocket: 0,
    eyes: 0,
  })

  const issueLabels = (repo: RepoRecord, issue: IssueRecord): Record<string, unknown>[] =>
    issue.labels.flatMap((key) => {
      const record = repo.labels.get(key)
      return record ? [label(repo, record)] : []
    })

  const issue = (record: IssueRecord): Record<string, unknown> => {
    const repo = repoOf(record.repo)
    const api = `${apiUrl}/repos/${repo.fullName}/issues/${record.number}`
    const kind = record.pull ? 'pull' : 'issues'
    const subIssues = record.subIssueIds.map((id) => state.issues.get(id)).filter((i) => i !== undefined)
    const completed = subIssues.filter((i) => i.state === 'closed').length
    const blocking = [...state.issues.values()].filter((i) => i.blockedBy.includes(record.id))
    const assignees = record.assignees.map(userByLogin)
    return {
      url: api,
      repository_url: `${apiUrl}/repos/${repo.fullName}`,
      labels_url: `${api}/labels{/name}`,
      comments_url: `${api}/comments`,
      events_url: `${api}/events`,
      html_url: `${htmlUrl}/${repo.fullName}/${kind}/${record.number}`,
      id: record.id,
      node_id: record.nodeId,
      number: record.number,
      title: record.title,
      user: userByLogin(record.user),
      labels: issueLabels(repo, record),
      state: record.state,
      locked: record.locked,
      assignee: assignees[0] ?? null,
      assignees,
      milestone: null,
      comments: record.comments,
      created_at: record.createdAt,
      updated_at: record.updatedAt,
      closed_at: record.closedAt,
      author_association: authorAssociation(repo, record.user),
      type: null,
      active_lock_reason: null,
      ...(record.pull
        ? {
            draft: record.pull.draft,
            pull_request: {
              url: `${apiUrl}/repos/${repo.fullName}/pulls/${record.number}`,
              html_url: `${htmlUrl}/${repo.fullName}/pull/${record.number}`,
              diff_url: `${htmlUrl}/${repo.fullName}/pull/${record.number}.diff`,
              patch_url: `${htmlUrl}/${repo.fullName}/pull/${record.number}.patch`,
              merged_at: record.pull.mergedAt,
            },
          }
        : {}),
      body: record.body,
      closed_by: record.closedBy ? userByLogin(record.closedBy) : null,
      reactions: reactions(api),
      timeline_url: `${api}/timeline`,
      performed_via_github_app: null,
      state_reason: record.stateReason,
      sub_issues_summary: {
        total: subIssues.length,
        completed,
        percent_completed: subIssues.length === 0 ? 0 : Math.floor((completed * 100) / subIssues.length),
      },
      issue_dependencies_summary: {
        blocked_by: record.blockedBy.filter((id) => state.issues.get(id)?.state === 'open').length,
        total_blocked_by: record.blockedBy.length,
        blocking: blocking.filter((i) => i.state === 'open').length,
        total_blocking: blocking.length,
      },
    }
  }

  const comment = (record: CommentRecord): Record<string, unknown> => {
    const parent = state.issues.get(record.issueId)
    if (!parent) throw new Error(`Comment ${record.id} points at a missing issue ${record.issueId}.`)
    const repo = repoOf(parent.repo)
    const api = `${apiUrl}/repos/${repo.fullName}/issues/comments/${record.id}`
    const kind = parent.pull ? 'pull' : 'issues'
    return {
      url: api,
      html_url: `${htmlUrl}/${repo.fullName}/${kind}/${parent.number}#issuecomment-${record.id}`,
      issue_url: `${apiUrl}/repos/${repo.fullName}/issues/${parent.number}`,
      id: record.id,
      node_id: record.nodeId,
      user: userByLogin(record.user),
      created_at: record.createdAt,
      updated_at: record.updatedAt,
      author_association: authorAssociation(repo, record.user),
      body: record.body,
      reactions: reactions(api),
      performed_via_github_app: null,
    }
  }

  const branchSide = (repo: RepoRecord, ref: string, sha: string): Record<string, unknown> => ({
    label: `${repo.owner.login}:${ref}`,
    ref,
    sha,
    user: user(repo.owner),
    repo: repository(repo),
  })

  const pull = (record: IssueRecord, stats?: PullStats): Record<string, unknown> => {
    const pr = record.pull
    if (!pr) throw new Error(`Issue #${record.number} of ${record.repo} is not a pull request.`)
    const repo = repoOf(record.repo)
    const api = `${apiUrl}/repos/${repo.fullName}/pulls/${record.number}`
    const html = `${htmlUrl}/${repo.fullName}/pull/${record.number}`
    const issueApi = `${apiUrl}/repos/${repo.fullName}/issues/${record.number}`
    const reviewComments = [...state.reviewComments.values()].filter((c) => c.issueId === record.id).length
    const assignees = record.assignees.map(userByLogin)
    const mergeable = pr.merged || record.state === 'closed' ? null : (stats?.mergeable ?? null)
    return {
      url: api,
      id: record.id,
      node_id: record.nodeId,
      html_url: html,
      diff_url: `${html}.diff`,
      patch_url: `${html}.patch`,
      issue_url: issueApi,
      commits_url: `${api}/commits`,
      review_comments_url: `${api}/comments`,
      review_comment_url: `${apiUrl}/repos/${repo.fullName}/pulls/comments{/number}`,
      comments_url: `${issueApi}/comments`,
      statuses_url: `${apiUrl}/repos/${repo.fullName}/statuses/${pr.headSha}`,
      number: record.number,
      state: record.state,
      locked: record.locked,
      title: record.title,
      user: userByLogin(record.user),
      body: record.body,
      labels: issueLabels(repo, record),
      milestone: null,
      active_lock_reason: null,
      created_at: record.createdAt,
      updated_at: record.updatedAt,
      closed_at: record.closedAt,
      merged_at: pr.mergedAt,
      merge_commit_sha: pr.mergeCommitSha,
      assignee: assignees[0] ?? null,
      assignees,
      requested_reviewers: [],
      requested_teams: [],
      head: branchSide(repo, pr.headRef, pr.headSha),
      base: branchSide(repo, pr.baseRef, pr.baseSha),
      _links: {
        self: { href: api },
        html: { href: html },
        issue: { href: issueApi },
        comments: { href: `${issueApi}/comments` },
        review_comments: { href: `${api}/comments` },
        review_comment: { href: `${apiUrl}/repos/${repo.fullName}/pulls/comments{/number}` },
        commits: { href: `${api}/commits` },
        statuses: { href: `${apiUrl}/repos/${repo.fullName}/statuses/${pr.headSha}` },
      },
      author_association: authorAssociation(repo, record.user),
      auto_merge: null,
      draft: pr.draft,
      merged: pr.merged,
      mergeable,
      rebaseable: mergeable,
      mergeable_state:
        mergeable === null ? 'unknown' : (stats?.mergeableState ?? (mergeable ? 'clean' : 'dirty')),
      merged_by: pr.mergedBy ? userByLogin(pr.mergedBy) : null,
      comments: record.comments,
      review_comments: reviewComments,
      maintainer_can_modify: false,
      commits: stats?.commits ?? 0,
      additions: stats?.additions ?? 0,
      deletions: stats?.deletions ?? 0,
      changed_files: stats?.changedFiles ?? 0,
    }
  }

  const review = (record: ReviewRecord): Record<string, unknown> => {
    const parent = state.issues.get(record.issueId)
    if (!parent) throw new Error(`Review ${record.id} points at a missing pull request ${record.issueId}.`)
    const repo = repoOf(parent.repo)
    const html = `${htmlUrl}/${repo.fullName}/pull/${parent.number}#pullrequestreview-${record.id}`
    const pullApi = `${apiUrl}/repos/${repo.fullName}/pulls/${parent.number}`
    return {
      id: record.id,
      node_id: record.nodeId,
      user: userByLogin(record.user),
      body: record.body,
      state: record.state,
      html_url: html,
      pull_request_url: pullApi,
      author_association: authorAssociation(repo, record.user),
      _links: { html: { href: html }, pull_request: { href: pullApi } },
      submitted_at: record.submittedAt,
      commit_id: record.commitId,
    }
  }

  const reviewComment = (record: ReviewCommentRecord): Record<string, unknown> => {
    const parent = state.issues.get(record.issueId)
    if (!parent) throw new Error(`Review comment ${record.id} points at a missing pull request.`)
    const repo = repoOf(parent.repo)
    const api = `${apiUrl}/repos/${repo.fullName}/pulls/comments/${record.id}`
    const html = `${htmlUrl}/${repo.fullName}/pull/${parent.number}#discussion_r${record.id}`
    const pullApi = `${apiUrl}/repos/${repo.fullName}/pulls/${parent.number}`
    return {
      url: api,
      pull_request_review_id: record.reviewId,
      id: record.id,
      node_id: record.nodeId,
      diff_hunk: record.diffHunk,
      path: record.path,
      position: record.position,
      original_position: record.position,
      commit_id: record.commitId,
      original_commit_id: record.commitId,
      user: userByLogin(record.user),
      body: record.body,
      created_at: record.createdAt,
      updated_at: record.updatedAt,
      html_url: html,
      pull_request_url: pullApi,
      author_association: authorAssociation(repo, record.user),
      _links: { self: { href: api }, html: { href: html }, pull_request: { href: pullApi } },
      reactions: reactions(api),
      start_line: null,
      original_start_line: null,
      start_side: null,
      line: record.line,
      original_line: record.line,
      side: record.side,
      subject_type: 'line',
      ...(record.inReplyTo !== null ? { in_reply_to_id: record.inReplyTo } : {}),
    }
  }

  const app = (identity: AppIdentity): Record<string, unknown> => ({
    id: identity.id,
    slug: identity.slug,
    client_id: `Iv1.${identity.id.toString(16).padStart(16, '0')}`,
    node_id: `A_kwDO${Buffer.from(`0${identity.id}`).toString('base64url')}`,
    owner: user(identity.owner),
    name: identity.name,
    description: 'Gas Town on GitHub, emulated.',
    external_url: `${htmlUrl}/apps/${identity.slug}`,
    html_url: `${htmlUrl}/apps/${identity.slug}`,
    created_at: '2024-01-01T00:00:00Z',
    updated_at: '2024-01-01T00:00:00Z',
    permissions: appPermissions,
    events: appEvents,
    installations_count: state.installations.size,
  })

  const installation = (record: InstallationRecord, identity: AppIdentity): Record<string, unknown> => ({
    id: record.id,
    account: user(record.account),
    repository_selection: 'all',
    access_tokens_url: `${apiUrl}/app/installations/${record.id}/access_tokens`,
    repositories_url: `${apiUrl}/installation/repositories`,
    html_url: `${htmlUrl}/settings/installations/${record.id}`,
    app_id: identity.id,
    app_slug: identity.slug,
    target_id: record.account.id,
    target_type: record.account.type === 'Organization' ? 'Organization' : 'User',
    permissions: appPermissions,
    events: appEvents,
    created_at: record.createdAt,
    updated_at: record.createdAt,
    single_file_name: null,
    has_multiple_single_files: false,
    single_file_paths: [],
    suspended_by: null,
    suspended_at: null,
  })

  const workflowId = (repo: RepoRecord, path: string): number => {
    const key = `${repo.fullName}:${path}`
    const existing = state.workflowIds.get(key)
    if (existing !== undefined) return existing
    const id = state.nextId()
    state.workflowIds.set(key, id)
    return id
  }

  const workflow = (repo: RepoRecord, path: string): Record<string, unknown> => {
    const id = workflowId(repo, path)
    const file = path.split('/').pop() ?? path
    return {
      id,
      node_id: `W_kwDO${Buffer.from(`0${id}`).toString('base64url')}`,
      name: file.replace(/\.ya?ml$/, ''),
      path,
      state: 'active',
      created_at: repo.createdAt,
      updated_at: repo.createdAt,
      url: `${apiUrl}/repos/${repo.fullName}/actions/workflows/${id}`,
      html_url: `${htmlUrl}/${repo.fullName}/blob/${repo.defaultBranch}/${path}`,
      badge_url: `${htmlUrl}/${repo.fullName}/workflows/${encodeURIComponent(file)}/badge.svg`,
    }
  }

  const workflowRun = (run: WorkflowRun): Record<string, unknown> => {
    const repo = repoOf(run.repo)
    const api = `${apiUrl}/repos/${repo.fullName}/actions/runs/${run.id}`
    const minimal = repository(repo)
    return {
      id: run.id,
      name: run.name,
      node_id: `WFR_kwDO${Buffer.from(`0${run.id}`).toString('base64url')}`,
      head_branch: run.head_branch,
      head_sha: run.head_sha,
      path: run.path,
      display_title: run.name,
      run_number: run.run_number,
      run_attempt: run.run_attempt,
      event: run.event,
      status: run.status,
      conclusion: run.conclusion,
      workflow_id: workflowId(repo, run.path),
      check_suite_id: run.id,
      check_suite_node_id: `CS_kwDO${Buffer.from(`0${run.id}`).toString('base64url')}`,
      url: api,
      html_url: `${htmlUrl}/${repo.fullName}/actions/runs/${run.id}`,
      pull_requests: [],
      created_at: run.created_at,
      updated_at: run.updated_at,
      run_started_at: run.run_started_at ?? run.created_at,
      actor: userByLogin(run.actor.login),
      triggering_actor: userByLogin(run.actor.login),
      jobs_url: `${api}/jobs`,
      logs_url: `${api}/logs`,
      check_suite_url: `${apiUrl}/repos/${repo.fullName}/check-suites/${run.id}`,
      artifacts_url: `${api}/artifacts`,
      cancel_url: `${api}/cancel`,
      rerun_url: `${api}/rerun`,
      previous_attempt_url: null,
      workflow_url: `${apiUrl}/repos/${repo.fullName}/actions/workflows/${workflowId(repo, run.path)}`,
      head_commit: {
        id: run.head_sha,
        tree_id: run.head_sha,
        message: run.name,
        timestamp: run.created_at,
        author: {
          name: run.actor.login,
          email: `${run.actor.id}+${run.actor.login}@users.noreply.github.com`,
        },
        committer: { name: 'GitHub', email: 'noreply@github.com' },
      },
      repository: minimal,
      head_repository: minimal,
    }
  }

  return {
    user,
    userByLogin,
    repository,
    label,
    issue,
    comment,
    pull,
    review,
    reviewComment,
    app,
    installation,
    workflowRun,
    workflow,
    authorAssociation,
  }
}
