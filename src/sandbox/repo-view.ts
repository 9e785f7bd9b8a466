/**
 * What the town watches of its repository, read in-process from the emulator's state (so watching costs
 * no API call and does not show up in the report's API counts): the goal, the beads decoded from their
 * issues, the pull requests and their reviews.
 */
import type { Bead } from '../core/bead.js'
import { decodeBead } from '../core/bead-codec.js'
import { BEAD_LABEL } from '../core/labels.js'
import type { EmulatorState } from './emulator/state.js'

/** A pull request as the maintainer sees it. */
export interface PullView {
  number: number
  title: string
  state: 'open' | 'closed'
  merged: boolean
  mergedAt: string | null
  /** When it merged, to the millisecond. */
  mergedAtMs: number | null
  headRef: string
  user: string
  /** Reviews in the order they were submitted. */
  reviews: { user: string; state: string; body: string; submittedAt: string }[]
}

/** The repository as the town sees it now. */
export interface RepoView {
  goal: { number: number; title: string; state: 'open' | 'closed' } | null
  beads: Bead[]
  /** Bead issues whose marker cannot be read, with why. */
  unreadable: { number: number; message: string }[]
  pulls: Map<number, PullView>
}

/** Reads the goal `goal` of `fullName` and everything about it from the emulator's state. */
export function readRepoView(state: EmulatorState, fullName: string, goal: number): RepoView {
  const repo = state.repos.get(fullName.toLowerCase())
  if (repo === undefined) throw new Error(`The emulator has no repository ${fullName}.`)
  const labelName = (key: string) => repo.labels.get(key)?.name ?? key
  const reviewsByIssue = new Map<number, PullView['reviews']>()
  for (const review of [...state.reviews.values()].sort((a, b) => a.id - b.id)) {
    const list = reviewsByIssue.get(review.issueId) ?? []
    list.push({ user: review.user, state: review.state, body: review.body, submittedAt: review.submittedAt })
    reviewsByIssue.set(review.issueId, list)
  }
  const view: RepoView = { goal: null, beads: [], unreadable: [], pulls: new Map() }
  for (const issue of state.issuesOf(repo.fullName)) {
    if (issue.pull !== null) {
      view.pulls.set(issue.number, {
        number: issue.number,
        title: issue.title,
        state: issue.state,
        merged: issue.pull.merged,
        mergedAt: issue.pull.mergedAt,
        mergedAtMs: issue.pull.mergedAtMs ?? null,
        headRef: issue.pull.headRef,
        user: issue.user,
        reviews: reviewsByIssue.get(issue.id) ?? [],
      })
      continue
    }
    if (issue.number === goal) {
      view.goal = { number: issue.number, title: issue.title, state: issue.state }
      continue
    }
    const labels = issue.labels.map(labelName)
    if (!labels.includes(BEAD_LABEL)) continue
    const decoded = decodeBead({
      number: issue.number,
      title: issue.title,
      body: issue.body,
      state: issue.state,
      labels,
      created_at: issue.createdAt,
      updated_at: issue.updatedAt,
    })
    if (!decoded.ok) {
      view.unreadable.push({ number: issue.number, message: decoded.error.message })
      continue
    }
    if (decoded.bead.goal === goal) view.beads.push(decoded.bead)
  }
  return view
}
