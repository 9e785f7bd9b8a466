/**
 * The bead ⇄ issue codec. An issue body is the description, a `### Depends on` task list and the
 * hidden marker; the marker is the source of truth, and labels, task list and issue state mirror it.
 * Decoding reports where the mirrors drifted, so the Mayor can repair them.
 */
import type { Bead, BeadStatus } from './bead.js'
import { MARKER_LIMITS, beadMarkerSchema, formatMarker, parseMarker, type BeadMarker } from './bead-marker.js'
import type { MarkerError } from './bead-marker.js'
import { isBeadLabel, labelChanges, labelName, labelsFor, type LabelLike } from './labels.js'

/** The heading of the dependency section. */
export const DEPENDS_ON_HEADING = '### Depends on'

/** The issue fields the codec reads, as the REST API names them. */
export interface BeadIssue {
  number: number
  title: string
  body?: string | null
  labels: readonly LabelLike[]
  state: string
  state_reason?: string | null
  created_at?: string
  updated_at?: string
}

/** What an issue must look like to hold a bead. */
export interface EncodedBead {
  title: string
  body: string
  labels: string[]
  state: 'open' | 'closed'
  /** GitHub's close reason, for a closed issue. */
  stateReason: 'completed' | 'not_planned' | null
}

/** Thrown by `encodeBead` for a bead that no issue could hold. */
export class InvalidBeadError extends Error {
  override readonly name = 'InvalidBeadError'
}

/** The issue state a status implies: completed and cancelled beads are closed issues. */
export function issueStateFor(status: BeadStatus): Pick<EncodedBead, 'state' | 'stateReason'> {
  if (status === 'completed') return { state: 'closed', stateReason: 'completed' }
  if (status === 'cancelled') return { state: 'closed', stateReason: 'not_planned' }
  return { state: 'open', stateReason: null }
}

/** Cuts a text to `max` characters, saying so at the end. */
function cap(text: string, max: number): string {
  if (text.length <= max) return text
  const note = ` … [truncated ${text.length - max} chars]`
  return text.slice(0, max - note.length) + note
}

/** The marker of a bead; long error and result texts are cut to the marker's limits. */
export function markerFor(bead: Bead): BeadMarker {
  const marker: BeadMarker = {
    v: 1,
    goal: bead.goal,
    key: bead.key,
    role: bead.role,
    status: bead.status,
    deps: bead.dependencies,
    attempt: bead.attempt,
  }
  if (bead.pr !== undefined) marker.pr = bead.pr
  if (bead.assignedTo !== undefined) marker.run = bead.assignedTo
  if (bead.needsHuman !== undefined) marker.needsHuman = bead.needsHuman
  marker.createdAt = bead.createdAt
  marker.updatedAt = bead.updatedAt
  if (bead.error !== undefined) marker.error = cap(bead.error, MARKER_LIMITS.error)
  if (bead.result !== undefined) marker.result = cap(bead.result, MARKER_LIMITS.result)
  if (bead.failures !== undefined) marker.failures = bead.failures
  if (bead.round !== undefined) marker.round = bead.round
  if (bead.retryAt !== undefined) marker.retryAt = bead.retryAt
  if (bead.tokens !== undefined) marker.tokens = bead.tokens
  if (bead.costUsd !== undefined) marker.cost = bead.costUsd
  if (bead.planRound !== undefined) marker.plan = bead.planRound
  if (bead.rebases !== undefined) marker.rebases = bead.rebases
  if (bead.rebasing === true) marker.rebasing = true
  if (bead.conflicts !== undefined) {
    marker.conflicts = bead.conflicts
      .filter((path) => path.length > 0 && path.length <= MARKER_LIMITS.path)
      .slice(0, MARKER_LIMITS.conflicts)
  }
  return marker
}

/** The dependency section: a task list ticked for done dependencies, or `_none_`. */
function dependencySection(deps: readonly number[], done: ReadonlySet<number>): string {
  const items = deps.map((dep) => `- [${done.has(dep) ? 'x' : ' '}] #${dep}`)
  return `${DEPENDS_ON_HEADING}\n\n${items.length > 0 ? items.join('\n') : '_none_'}`
}

/**
 * The issue that holds a bead: title, body (description, dependency task list, marker), labels and
 * state. `doneDeps` are the dependencies to tick. Throws `InvalidBeadError` for a bead no issue could
 * hold (bad key, role, numbers, an id other than `<goal>/<key>`, an empty title).
 */
export function encodeBead(bead: Bead, options: { doneDeps?: ReadonlySet<number> } = {}): EncodedBead {
  const where = `bead ${bead.id}`
  if (bead.id !== `${bead.goal}/${bead.key}`) {
    throw new InvalidBeadError(
      `Cannot encode ${where}: its id must be "${bead.goal}/${bead.key}" (goal/key).`,
    )
  }
  if (bead.title.trim() === '') throw new InvalidBeadError(`Cannot encode ${where}: its title is empty.`)
  const marker = markerFor(bead)
  const checked = beadMarkerSchema.safeParse(marker)
  if (!checked.success) {
    const problems = checked.error.issues.map(
      (issue) => `${issue.path.join('.') || 'marker'}: ${issue.message}`,
    )
    throw new InvalidBeadError(`Cannot encode ${where}: ${problems.join('; ')}.`)
  }
  const section = dependencySection(bead.dependencies, options.doneDeps ?? new Set())
  return {
    title: bead.title,
    body: `${bead.description}\n\n${section}\n\n${formatMarker(checked.data)}`,
    labels: labelsFor(bead.status, bead.role, bead.needsHuman === true),
    ...issueStateFor(bead.status),
  }
}

/** Where an issue's mirrors differ from its marker. */
export interface BeadDrift {
  /** Bead labels the marker implies against those the issue has, and the changes that repair them. */
  labelDrift?: { expected: string[]; actual: string[]; add: string[]; remove: string[] }
  /** The issue is open where the marker says closed, or the reverse. */
  stateDrift?: { expected: 'open' | 'closed'; actual: string }
  /** The task list names other dependencies than the marker. */
  taskListDrift?: { expected: number[]; actual: number[] }
}

/** A decoded bead with any drift, or why the issue holds no readable bead. */
export type DecodeBeadResult =
  ({ ok: true; bead: Bead } & BeadDrift) | { ok: false; error: MarkerError & { issue: number } }

// Any heading level and case, so a person who retitles the section does not lose it.
const HEADING = /(?:^|\n)([ \t]*#{1,6}[ \t]+depends on[ \t]*:?[ \t]*)(?=\r?\n|$)/gi
const TASK = /^[ \t]*[-*+][ \t]+\[[ xX]\][ \t]+#(\d+)\b/gm

/** Removes the one blank-line separator the encoder puts after the description. */
function stripSeparator(text: string): string {
  for (const separator of ['\n\n', '\r\n\r\n', '\r\n', '\n']) {
    if (text.endsWith(separator)) return text.slice(0, -separator.length)
  }
  return text
}

/** Splits the text before the marker into description and dependency section (last heading wins). */
function splitBody(head: string): { description: string; section: string | undefined } {
  let at = -1
  for (const match of head.matchAll(HEADING)) at = match.index + match[0].length - (match[1]?.length ?? 0)
  // Without the section there is no separator to strip exactly; trailing blank space means nothing.
  if (at < 0) return { description: head.replace(/\s+$/, ''), section: undefined }
  return { description: stripSeparator(head.slice(0, at)), section: head.slice(at) }
}

function timestamp(fromMarker: number | undefined, fromIssue: string | undefined): number {
  if (fromMarker !== undefined) return fromMarker
  const parsed = fromIssue === undefined ? Number.NaN : Date.parse(fromIssue)
  return Number.isFinite(parsed) ? parsed : 0
}

/**
 * The bead an issue holds, read from its marker; title and description come from what people see and
 * may have edited. A missing or unreadable marker is an error, never a guess.
 */
export function decodeBead(issue: BeadIssue): DecodeBeadResult {
  const body = issue.body ?? ''
  const parsed = parseMarker(body)
  if (!parsed.ok) {
    return {
      ok: false,
      error: {
        ...parsed.error,
        issue: issue.number,
        message: `Issue #${issue.number}: ${parsed.error.message}`,
      },
    }
  }
  const { marker, span } = parsed
  const { description: visible, section } = splitBody(body.slice(0, span.start))
  // Text a person appends after the hidden marker still belongs to the description they see.
  const after = body.slice(span.end).trim()
  const description = after === '' ? visible : `${visible}${visible === '' ? '' : '\n\n'}${after}`

  const bead: Bead = {
    id: `${marker.goal}/${marker.key}`,
    number: issue.number,
    title: issue.title,
    description,
    role: marker.role,
    status: marker.status,
    createdAt: timestamp(marker.createdAt, issue.created_at),
    updatedAt: timestamp(marker.updatedAt, issue.updated_at),
    goal: marker.goal,
    key: marker.key,
    dependencies: [...marker.deps],
    attempt: marker.attempt,
  }
  if (marker.run !== undefined) bead.assignedTo = marker.run
  if (marker.result !== undefined) bead.result = marker.result
  if (marker.error !== undefined) bead.error = marker.error
  if (marker.pr !== undefined) bead.pr = marker.pr
  if (marker.needsHuman !== undefined) bead.needsHuman = marker.needsHuman
  if (marker.failures !== undefined) bead.failures = marker.failures
  if (marker.round !== undefined) bead.round = marker.round
  if (marker.retryAt !== undefined) bead.retryAt = marker.retryAt
  if (marker.tokens !== undefined) bead.tokens = marker.tokens
  if (marker.cost !== undefined) bead.costUsd = marker.cost
  if (marker.plan !== undefined) bead.planRound = marker.plan
  if (marker.rebases !== undefined) bead.rebases = marker.rebases
  if (marker.rebasing === true) bead.rebasing = true
  if (marker.conflicts !== undefined) bead.conflicts = [...marker.conflicts]

  const drift: BeadDrift = {}
  const expected = labelsFor(marker.status, marker.role, marker.needsHuman === true)
  const actual = issue.labels.map(labelName).filter((name) => isBeadLabel(name))
  const changes = labelChanges(issue.labels, expected)
  if (changes.add.length > 0 || changes.remove.length > 0) drift.labelDrift = { expected, actual, ...changes }
  const state = issueStateFor(marker.status).state
  if (issue.state !== state) drift.stateDrift = { expected: state, actual: issue.state }
  const listed = section === undefined ? [] : [...section.matchAll(TASK)].map((match) => Number(match[1]))
  if (!sameMembers(listed, marker.deps)) drift.taskListDrift = { expected: [...marker.deps], actual: listed }
  return { ok: true, bead, ...drift }
}

function sameMembers(a: readonly number[], b: readonly number[]): boolean {
  const left = new Set(a)
  const right = new Set(b)
  return left.size === right.size && [...left].every((value) => right.has(value))
}
