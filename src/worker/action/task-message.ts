/**
 * The agent's task message (the user prompt): the goal, the bead, what its dependencies did, the
 * repository's conventions and, for a review round, the comments to address; for a reviewer, the pull
 * requests with their diffs. Every text from GitHub is sanitised and capped on its way in.
 */
import type { Bead } from '../../core/bead.js'
import { sanitizeForPrompt } from '../../core/sanitize.js'

/** Caps on each piece, in characters, so one long issue cannot crowd out the rest. */
export const PROMPT_LIMITS = {
  goal: 8_000,
  description: 8_000,
  dependencyResult: 2_000,
  convention: 6_000,
  reviewText: 2_000,
  filePatch: 12_000,
  allPatches: 60_000,
} as const

/** A dependency as the prompt tells of it. */
export interface DependencyInfo {
  number: number
  title: string
  role: string
  status: string
  result?: string
  pr?: number
}

/** A review comment the bead's PR received, to address. */
export interface ReviewCommentInfo {
  id: number
  path: string
  line: number | null
  body: string
  user: string | null
}

/** A review of the bead's PR that asked for changes. */
export interface ReviewInfo {
  user: string | null
  state: string
  body: string
}

/** A pull request for the reviewer, with its diff. */
export interface PullInfo {
  number: number
  title: string
  body: string
  /** The local branch holding its head in the workspace. */
  localBranch: string
  /** The bead it carries, when known. */
  bead?: { number: number; title: string; description: string }
  files: { filename: string; status: string; patch?: string }[]
}

/** Everything the task message is built from. */
export interface TaskContext {
  bead: Bead
  goal: { number: number; title: string; body: string }
  dependencies: DependencyInfo[]
  conventions: { path: string; text: string }[]
  /** The branch the agent's work lands on (code roles). */
  branch?: string
  /** A review round: the bead's PR, the reviews that asked for changes, and the open comments. */
  review?: { pr: number; round: number; reviews: ReviewInfo[]; comments: ReviewCommentInfo[] }
  /** Reviewer roles: the pull requests to review. */
  pulls?: PullInfo[]
  allowApprove?: boolean
  /** Secret values to redact should a person have pasted one into an issue. */
  secrets: readonly string[]
}

/** Builds the task message. */
export function buildTaskMessage(context: TaskContext): string {
  const clean = (text: string, maxChars: number): string =>
    sanitizeForPrompt(text, { maxChars, secrets: context.secrets }).trim()
  const { bead } = context
  const parts: string[] = []

  parts.push(
    `# Goal #${context.goal.number}: ${clean(context.goal.title, 300)}\n\n${clean(context.goal.body, PROMPT_LIMITS.goal) || '_no description_'}`,
  )
  parts.push(
    `# Your bead #${bead.number ?? '?'}: ${clean(bead.title, 300)}\n\nRole: ${bead.role}. Attempt ${bead.attempt}` +
      `${(bead.round ?? 0) > 0 ? `, review round ${bead.round}` : ''}.\n\n${clean(bead.description, PROMPT_LIMITS.description) || '_no description_'}`,
  )
  if (bead.error !== undefined && bead.attempt > 1) {
    parts.push(`## The previous attempt failed\n\n${clean(bead.error, PROMPT_LIMITS.dependencyResult)}`)
  }

  if (context.dependencies.length > 0) {
    const items = context.dependencies.map((dep) => {
      const pr =
        dep.pr === undefined
          ? ''
          : dep.status === 'completed'
            ? ` (merged PR #${dep.pr})`
            : ` (PR #${dep.pr})`
      const result =
        dep.result === undefined
          ? ''
          : `\n  ${clean(dep.result, PROMPT_LIMITS.dependencyResult).replace(/\n/g, '\n  ')}`
      return `- #${dep.number} ${clean(dep.title, 200)} — ${dep.role}, ${dep.status}${pr}${result}`
    })
    parts.push(`# What the beads you depend on did\n\n${items.join('\n')}`)
  }

  if (context.conventions.length > 0) {
    parts.push(
      `# The repository's conventions\n\n${context.conventions
        .map((file) => `## ${file.path}\n\n${clean(file.text, PROMPT_LIMITS.convention)}`)
        .join('\n\n')}`,
    )
  }

  if (context.review !== undefined) parts.push(reviewSection(context.review, clean))
  if (context.pulls !== undefined)
    parts.push(pullsSection(context.pulls, context.allowApprove === true, clean))

  if (context.branch !== undefined) {
    parts.push(
      `# Where your work goes\n\nYou are on branch \`${context.branch}\`. When you call finish, the worker commits your changes there, pushes it and opens or updates the pull request that closes #${bead.number ?? '?'}.`,
    )
  }
  return parts.join('\n\n')
}

function reviewSection(
  review: NonNullable<TaskContext['review']>,
  clean: (text: string, max: number) => string,
): string {
  const reviews = review.reviews
    .filter((entry) => entry.body.trim() !== '')
    .map(
      (entry) =>
        `- ${entry.user ?? 'a reviewer'} (${entry.state}): ${clean(entry.body, PROMPT_LIMITS.reviewText).replace(/\n/g, '\n  ')}`,
    )
  // Numbered 1, 2, ... rather than by GitHub's long ids: short labels a model copies back without slips.
  const comments = review.comments.map(
    (comment, index) =>
      `- comment ${index + 1} on \`${comment.path}\`${comment.line === null ? '' : ` line ${comment.line}`} by ${comment.user ?? 'a reviewer'}:\n  ${clean(comment.body, PROMPT_LIMITS.reviewText).replace(/\n/g, '\n  ')}`,
  )
  return [
    `# Review round ${review.round}: address the review of PR #${review.pr}`,
    'A reviewer asked for changes on your pull request. Its branch is checked out with the work so far. Fix what the review asks, run the tests, then call finish.',
    reviews.length > 0 ? `## Reviews\n\n${reviews.join('\n')}` : '',
    comments.length > 0 ? `## Inline comments\n\n${comments.join('\n')}` : '',
    comments.length > 0
      ? 'In your finish summary, add one line per comment you addressed, exactly in the form `- comment <number>: <what you changed>`; the worker posts each as the answer to that comment.'
      : '',
  ]
    .filter((part) => part !== '')
    .join('\n\n')
}

function pullsSection(
  pulls: readonly PullInfo[],
  allowApprove: boolean,
  clean: (text: string, max: number) => string,
): string {
  let budget: number = PROMPT_LIMITS.allPatches
  const sections = pulls.map((pull) => {
    const files = pull.files.map((file) => {
      const header = `### ${file.filename} (${file.status})`
      if (file.patch === undefined) return `${header}\n\n_no textual diff (binary or too large)_`
      const cap = Math.max(0, Math.min(PROMPT_LIMITS.filePatch, budget))
      const patch = clean(file.patch, cap)
      budget -= patch.length
      return `${header}\n\n\`\`\`diff\n${patch}\n\`\`\``
    })
    const bead =
      pull.bead === undefined
        ? ''
        : `It closes bead #${pull.bead.number}: ${clean(pull.bead.title, 200)}\n\n${clean(pull.bead.description, PROMPT_LIMITS.reviewText)}\n\n`
    return `## PR #${pull.number}: ${clean(pull.title, 300)}\n\nIts head is checked out locally as branch \`${pull.localBranch}\` (switch with \`git checkout ${pull.localBranch}\`).\n\n${bead}### Description\n\n${clean(pull.body, PROMPT_LIMITS.reviewText) || '_none_'}\n\n${files.join('\n\n')}`
  })
  return [
    `# The pull requests to review`,
    `Review each with one submit_review call. Inline comments must be on lines that appear in the diffs below (RIGHT for added or unchanged lines, LEFT for removed ones). ${
      allowApprove
        ? 'APPROVE is allowed when a pull request is ready to merge.'
        : 'APPROVE is not allowed here: use COMMENT, or REQUEST_CHANGES when something must change.'
    }`,
    ...sections,
  ].join('\n\n')
}

/** The answers to review comments in a finish summary: lines `- comment <number>: <text>`, by number. */
export function commentAnswers(summary: string): Map<number, string> {
  const answers = new Map<number, string>()
  for (const match of summary.matchAll(/^[ \t]*[-*][ \t]+comment[ \t]+#?(\d+)[ \t]*:[ \t]*(.+)$/gim)) {
    const id = Number(match[1])
    const text = (match[2] ?? '').trim()
    if (text !== '' && !answers.has(id)) answers.set(id, text)
  }
  return answers
}
