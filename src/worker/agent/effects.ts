/**
 * The agent's effects: what a run intends to change, returned to trusted worker code that validates
 * them (validateEffects) and only then applies them with the token. The agent itself never does.
 */
import { z } from 'zod'
import { isInsideGitDir } from './jail.js'
import { matchesAnyGlob } from './path-glob.js'

/** A review event as GitHub names it. */
export const ReviewEventSchema = z.enum(['COMMENT', 'REQUEST_CHANGES', 'APPROVE'])

/** An inline review comment on one line of a PR's diff. */
export const InlineCommentSchema = z.strictObject({
  path: z.string().min(1).describe('File path relative to the repository root'),
  line: z
    .number()
    .int()
    .min(1)
    .max(10_000_000)
    .describe('Line number in the file, on the chosen side of the diff'),
  side: z
    .enum(['LEFT', 'RIGHT'])
    .optional()
    .describe('RIGHT (default) for the new version, LEFT for the old'),
  body: z.string().min(1).describe('The comment, in Markdown'),
})

/** A review the agent wants posted on a PR. */
export const ReviewSchema = z.strictObject({
  pr: z.number().int().min(1).max(1_000_000_000).describe('The pull request number'),
  event: ReviewEventSchema.describe('COMMENT, REQUEST_CHANGES, or APPROVE'),
  body: z.string().describe('The review summary, in Markdown'),
  comments: z.array(InlineCommentSchema).default([]).describe('Inline comments on lines of the diff'),
})
/** A review the agent wants posted on a PR. */
export type Review = z.infer<typeof ReviewSchema>

/** A file that differs from HEAD in the workspace, as `git status` saw it. */
export const ChangedFileSchema = z.strictObject({
  path: z.string(),
  status: z.enum(['added', 'modified', 'deleted']),
  /** Size on disk; null when deleted. */
  bytes: z.number().int().min(0).nullable(),
  /** `directory` is a nested git repository, which git would record as a submodule link. */
  kind: z.enum(['file', 'symlink', 'directory', 'missing']),
})
/** A file that differs from HEAD in the workspace. */
export type ChangedFile = z.infer<typeof ChangedFileSchema>

/** One command the agent ran, with its result. */
export const CommandRecordSchema = z.strictObject({
  command: z.string(),
  exitCode: z.number().int().nullable(),
  signal: z.string().nullable(),
  timedOut: z.boolean(),
  ms: z.number().min(0),
  /** The end of the output, for the PR body. */
  outputTail: z.string(),
})
/** One command the agent ran, with its result. */
export type CommandRecord = z.infer<typeof CommandRecordSchema>

/** One tool call of the run. */
export const TrajectoryStepSchema = z.strictObject({
  iteration: z.number().int().min(1),
  tool: z.string(),
  args: z.string(),
  ok: z.boolean(),
  result: z.string(),
  ms: z.number().min(0),
})
/** One tool call of the run. */
export type TrajectoryStep = z.infer<typeof TrajectoryStepSchema>

/** The budget that ran out. */
export const BudgetNameSchema = z.enum(['iterations', 'tokens', 'wall_time', 'cost'])
/** The budget that ran out. */
export type BudgetName = z.infer<typeof BudgetNameSchema>

/** The outcome of one agent run: its status, what it did, and what it wants applied. */
export const AgentOutcomeSchema = z.strictObject({
  status: z.enum(['finished', 'budget_exhausted', 'failed']),
  /** `finish_tool` when the model called finish; `reply` when it answered without a tool call. */
  finishedBy: z.enum(['finish_tool', 'reply']).optional(),
  summary: z.string(),
  budget: BudgetNameSchema.optional(),
  error: z.string().optional(),
  trajectory: z.array(TrajectoryStepSchema),
  commands: z.array(CommandRecordSchema),
  /** At most one per PR: a later submit_review for the same PR replaces the earlier one. */
  reviews: z.array(ReviewSchema),
  usage: z.strictObject({
    tokens: z.number().min(0),
    promptTokens: z.number().min(0),
    completionTokens: z.number().min(0),
    costUsd: z.number().min(0),
    modelCalls: z.number().int().min(0),
  }),
  changedFiles: z.array(ChangedFileSchema),
})
/** The outcome of one agent run: its status, what it did, and what it wants applied. */
export type AgentOutcome = z.infer<typeof AgentOutcomeSchema>

/** Limits that trusted code applies before it acts on an outcome. */
export interface EffectLimits {
  protectedPaths: readonly string[]
  maxFiles: number
  maxFileBytes: number
  /** APPROVE is refused unless the configuration allows it. */
  allowApprove: boolean
  /** The PRs this run may review (the bead's own review targets); a review on any other is refused. */
  ownPrNumbers: readonly number[]
  /** Longest text kept for a summary or review body; longer text is cut and marked. */
  maxTextChars?: number
  /** Most inline comments kept per review. */
  maxCommentsPerReview?: number
}

/** The verdict: every violation found, and the outcome with its texts cut to size. */
export type EffectsValidation =
  { ok: true; errors: []; effects: AgentOutcome } | { ok: false; errors: string[]; effects?: AgentOutcome }

const DEFAULT_MAX_TEXT_CHARS = 60_000
const DEFAULT_MAX_COMMENT_CHARS = 8_000
const DEFAULT_MAX_COMMENTS = 50

/**
 * Checks an outcome against the limits: protected or escaping paths, nested repositories, too many or
 * too large files, APPROVE when not allowed, reviews on PRs other than the run's own, duplicate
 * reviews, and malformed shapes. Texts and inline comment lists are cut to size (NUL bytes removed)
 * rather than refused.
 * Pure: the caller decides what to do with the errors.
 */
export function validateEffects(effects: unknown, limits: EffectLimits): EffectsValidation {
  const parsed = AgentOutcomeSchema.safeParse(effects)
  if (!parsed.success) {
    return {
      ok: false,
      errors: parsed.error.issues.map((issue) => `effects.${issue.path.join('.')}: ${issue.message}`),
    }
  }
  const outcome = parsed.data
  const errors: string[] = []
  const maxText = limits.maxTextChars ?? DEFAULT_MAX_TEXT_CHARS
  const maxComments = limits.maxCommentsPerReview ?? DEFAULT_MAX_COMMENTS

  if (outcome.changedFiles.length > limits.maxFiles) {
    errors.push(`too many changed files: ${outcome.changedFiles.length}, the limit is ${limits.maxFiles}`)
  }
  for (const file of outcome.changedFiles) {
    const pathError = checkRepoPath(file.path)
    if (pathError !== undefined) {
      errors.push(`changed file ${JSON.stringify(file.path)}: ${pathError}`)
      continue
    }
    const glob = matchesAnyGlob(file.path, limits.protectedPaths)
    if (glob !== undefined) {
      errors.push(
        `changed file ${JSON.stringify(file.path)} is a protected path (${glob}); a person must make that change`,
      )
    }
    if (file.kind === 'directory') {
      errors.push(
        `changed file ${JSON.stringify(file.path)} is a nested git repository; remove its .git or the directory`,
      )
    }
    if (file.bytes !== null && file.bytes > limits.maxFileBytes) {
      errors.push(
        `changed file ${JSON.stringify(file.path)} has ${file.bytes} bytes, the limit is ${limits.maxFileBytes}`,
      )
    }
  }

  const seenPrs = new Set<number>()
  for (const review of outcome.reviews) {
    if (seenPrs.has(review.pr)) errors.push(`more than one review for PR #${review.pr}; send one per PR`)
    seenPrs.add(review.pr)
    if (!limits.ownPrNumbers.includes(review.pr)) {
      const allowed = limits.ownPrNumbers.map((pr) => `#${pr}`).join(', ') || 'none'
      errors.push(`review on PR #${review.pr}, which this run may not review (allowed: ${allowed})`)
    }
    if (review.event === 'APPROVE' && !limits.allowApprove) {
      errors.push(
        `review on PR #${review.pr} approves, which the configuration does not allow; use COMMENT or REQUEST_CHANGES`,
      )
    }
    for (const comment of review.comments) {
      const pathError = checkRepoPath(comment.path)
      if (pathError !== undefined)
        errors.push(`inline comment on PR #${review.pr} at ${JSON.stringify(comment.path)}: ${pathError}`)
    }
  }

  const sanitised: AgentOutcome = {
    ...outcome,
    summary: capText(outcome.summary, maxText),
    ...(outcome.error === undefined ? {} : { error: capText(outcome.error, maxText) }),
    reviews: outcome.reviews.map((review) => ({
      ...review,
      body: capText(review.body, maxText),
      comments: review.comments.slice(0, maxComments).map((comment) => ({
        ...comment,
        body: capText(comment.body, DEFAULT_MAX_COMMENT_CHARS),
      })),
    })),
  }
  if (errors.length > 0) return { ok: false, errors, effects: sanitised }
  return { ok: true, errors: [], effects: sanitised }
}

/** Why a path from the agent may not name a file of the repository, or undefined when it may. */
function checkRepoPath(path: string): string | undefined {
  if (path.includes('\0')) return 'contains a NUL byte'
  if (path.startsWith('/') || /^[a-zA-Z]:[\\/]/.test(path) || path.startsWith('\\')) return 'is absolute'
  if (path.split(/[\\/]/).some((segment) => segment === '..')) return 'leaves the repository (..)'
  if (isInsideGitDir(path)) return 'is inside .git'
  return undefined
}

/** Cuts text to `max` characters with a marker, and removes NUL bytes that GitHub refuses. */
export function capText(text: string, max: number): string {
  const clean = text.replaceAll('\0', '')
  if (clean.length <= max) return clean
  const marker = `\n\n[... cut, the full text had ${clean.length} characters ...]`
  if (marker.length >= max) return clean.slice(0, max)
  return clean.slice(0, max - marker.length) + marker
}
