/**
 * The goal's progress comment, written through one place per Mayor: it remembers the comment it wrote
 * (so a step needs no list of the goal's comments to find it), skips an edit that would change nothing
 * but the elapsed time, and coalesces edits, at most one per goal every `minGapMs`: a newer text waiting
 * for its turn replaces an older one, and the last always lands (a timer, or `flushAll` when the Mayor
 * is asked to finish).
 */
import { statusOf, type GitHubApi, type RepoRef } from '../github/client.js'
import { editComment, listComments, upsertComment, type CommentData } from '../github/comments.js'
import { progressTag } from './goal-comments.js'
import { passingFailure } from './job-retry.js'

/** Where and as whom a goal's progress comment is written. */
export interface ProgressTarget {
  api: GitHubApi
  repo: RepoRef
  goal: number
  bot: string
}

/** What a write did. */
export type ProgressWrite = 'created' | 'updated' | 'unchanged' | 'deferred'

/** What the writer needs of the Mayor. */
export interface ProgressCommentsOptions {
  now(): number
  /** Least time between two edits of one goal's progress comment (ms); 0 edits every time. */
  minGapMs: number
  /** Calls `fn` after `ms` (the Mayor's wake-ups, cancelled by `stop()`). */
  later(ms: number, fn: () => void): void
  /** Runs `run` as a job of the goal, after the goal's queued work. */
  queue(target: ProgressTarget, run: () => Promise<void>): void
}

interface GoalEntry {
  /** The bot's progress comment as the Mayor last wrote or read it. */
  comment?: CommentData
  editedAt?: number
  /** The newest text waiting for its turn. */
  pending?: { target: ProgressTarget; body: string }
  timer: boolean
}

/** Where a warning at the head of the progress comment begins and ends, so the next one replaces it. */
const WARNING_START = '<!-- gastown:warning -->'
const WARNING_END = '<!-- /gastown:warning -->'

/** A progress text without the warning at its head, if it has one. */
function withoutWarning(body: string): string {
  const end = body.startsWith(WARNING_START) ? body.indexOf(WARNING_END) : -1
  return end < 0 ? body : body.slice(end + WARNING_END.length).replace(/^\s+/, '')
}

/** The elapsed time in the totals line changes every second; it alone is no reason to edit. */
function substance(body: string): string {
  return body.replace(/ · elapsed [^\n]*/g, '')
}

/** The Mayor's progress comments, by goal. */
export class ProgressComments {
  readonly #goals = new Map<string, GoalEntry>()

  constructor(private readonly options: ProgressCommentsOptions) {}

  #entry(repo: RepoRef, goal: number): GoalEntry {
    const key = `${repo.owner}/${repo.repo}#${goal}`.toLowerCase()
    let entry = this.#goals.get(key)
    if (!entry) {
      entry = { timer: false }
      this.#goals.set(key, entry)
    }
    return entry
  }

  /** The progress comment as last written or read, if this process knows it. */
  known(repo: RepoRef, goal: number): CommentData | undefined {
    return this.#entry(repo, goal).comment
  }

  /** Notes what a fresh list of the goal's comments showed: the bot's progress comment, or none. */
  noteFromList(repo: RepoRef, goal: number, bot: string, comments: readonly CommentData[]): void {
    const tag = progressTag(goal)
    const mine = comments.find((c) => c.user === bot && c.body.includes(tag))
    const entry = this.#entry(repo, goal)
    if (mine) entry.comment = mine
    else delete entry.comment
  }

  /**
   * Writes `body` as the goal's progress. With `coalesce`, an edit sooner than `minGapMs` after the last
   * waits for its turn (the newest text wins); without, it goes now (a goal closing, a planning error).
   */
  async write(
    target: ProgressTarget,
    body: string,
    options: { coalesce?: boolean } = {},
  ): Promise<ProgressWrite> {
    const { repo, goal } = target
    const tag = progressTag(goal)
    const full = body.includes(tag) ? body : `${body}\n\n${tag}`
    const entry = this.#entry(repo, goal)
    const now = this.options.now()
    if (entry.comment && substance(entry.comment.body) === substance(full)) {
      delete entry.pending
      return 'unchanged'
    }
    if (
      options.coalesce &&
      entry.comment &&
      entry.editedAt !== undefined &&
      now - entry.editedAt < this.options.minGapMs
    ) {
      entry.pending = { target, body: full }
      if (!entry.timer) {
        entry.timer = true
        this.options.later(entry.editedAt + this.options.minGapMs - now, () => {
          entry.timer = false
          this.#flush(entry)
        })
      }
      return 'deferred'
    }
    delete entry.pending
    return this.#edit(entry, target, full)
  }

  async #edit(entry: GoalEntry, target: ProgressTarget, full: string): Promise<ProgressWrite> {
    const { api, repo, goal, bot } = target
    if (entry.comment) {
      try {
        entry.comment = await editComment(api, repo, entry.comment.id, full)
        entry.editedAt = this.options.now()
        return 'updated'
      } catch (error) {
        // Someone deleted it: find it again (or make a new one) below.
        if (statusOf(error) !== 404) throw error
        delete entry.comment
      }
    }
    const { comment, action } = await upsertComment(api, repo, goal, progressTag(goal), full, { author: bot })
    entry.comment = comment
    entry.editedAt = this.options.now()
    return action
  }

  /** Queues the pending text of one goal as a job of that goal. */
  #flush(entry: GoalEntry): void {
    const pending = entry.pending
    if (!pending) return
    this.options.queue(pending.target, async () => {
      // The newest text by the time the job runs, which may be newer than the one that queued it.
      const latest = entry.pending
      if (!latest) return
      try {
        if (!entry.comment || substance(entry.comment.body) !== substance(latest.body))
          await this.#edit(entry, latest.target, latest.body)
      } catch (error) {
        // Kept on GitHub's passing trouble, for the job's next run (job-queue.ts); else the next step
        // writes the progress again.
        if (passingFailure(error) === undefined && entry.pending === latest) delete entry.pending
        throw error
      }
      if (entry.pending === latest) delete entry.pending
    })
  }

  /**
   * Puts `warning` at the head of the goal's progress comment, above what it says, at once: the next
   * progress text the Mayor writes replaces it. For what people must see though no step could run.
   */
  async warn(target: ProgressTarget, warning: string): Promise<ProgressWrite> {
    const { api, repo, goal, bot } = target
    const entry = this.#entry(repo, goal)
    if (!entry.comment) this.noteFromList(repo, goal, bot, await listComments(api, repo, goal))
    const rest = entry.comment ? withoutWarning(entry.comment.body) : progressTag(goal)
    // A text an earlier step left waiting would take the warning down before any step succeeded.
    delete entry.pending
    return this.#edit(entry, target, `${WARNING_START}\n${warning}\n${WARNING_END}\n\n${rest}`)
  }

  /** Whether some goal's text waits for its turn. */
  hasPending(): boolean {
    for (const entry of this.#goals.values()) if (entry.pending) return true
    return false
  }

  /** Queues every waiting text now, without waiting for its turn: the Mayor is asked to finish. */
  flushAll(): void {
    for (const entry of this.#goals.values()) this.#flush(entry)
  }
}
