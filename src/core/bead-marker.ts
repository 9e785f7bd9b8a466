/**
 * Hidden markers: HTML comments that carry state in issue and comment bodies. The bead marker is the
 * source of truth of a bead (DESIGN.md, "Contracts"); other tags find comments to edit in place.
 */
import { z } from 'zod'
import { BEAD_STATUSES } from './bead.js'
import { PLAN_KEY_PATTERN } from './plan.js'
import { ROLE_NAME_PATTERN } from './roles.js'

/** The marker format this code writes and reads. */
export const MARKER_VERSION = 1

/** Longest texts the marker carries, so a body stays far below GitHub's 65,536 characters. */
export const MARKER_LIMITS = { error: 2000, result: 4000, run: 200, path: 300, conflicts: 20 } as const

const issueNumber = z.int().min(1)

/** The bead marker's JSON: short keys, only what the issue does not hold elsewhere. */
export const beadMarkerSchema = z.strictObject({
  v: z.literal(MARKER_VERSION),
  goal: issueNumber.describe('The goal issue number.'),
  key: z.string().regex(PLAN_KEY_PATTERN, 'a plan key: a lowercase letter, then up to 39 of a-z, 0-9 and -'),
  role: z
    .string()
    .regex(ROLE_NAME_PATTERN, 'a role name: a lowercase letter, then up to 36 of a-z, 0-9 and -'),
  status: z.enum(BEAD_STATUSES),
  deps: z
    .array(issueNumber)
    .refine((deps) => new Set(deps).size === deps.length, 'dependencies must not repeat an issue number'),
  attempt: z.int().min(0).describe('Dispatches so far: 0 before the first, then the attempt running.'),
  pr: issueNumber.optional(),
  run: z.string().min(1).max(MARKER_LIMITS.run).optional(),
  needsHuman: z.boolean().optional(),
  createdAt: z.int().min(0).optional(),
  updatedAt: z.int().min(0).optional(),
  error: z.string().max(MARKER_LIMITS.error).optional(),
  result: z.string().max(MARKER_LIMITS.result).optional(),
  failures: z.int().min(0).optional(),
  round: z.int().min(0).optional(),
  retryAt: z.int().min(0).optional(),
  tokens: z.int().min(0).optional(),
  cost: z.number().min(0).optional(),
  plan: z.int().min(1).optional(),
  rebases: z.int().min(0).optional(),
  rebasing: z.boolean().optional(),
  conflicts: z.array(z.string().min(1).max(MARKER_LIMITS.path)).max(MARKER_LIMITS.conflicts).optional(),
})

/** The bead marker's content. */
export type BeadMarker = z.infer<typeof beadMarkerSchema>

/** The outcome of reading a bead marker; `span` locates it in the body. */
export type ParseMarkerResult =
  { ok: true; marker: BeadMarker; span: { start: number; end: number } } | { ok: false; error: MarkerError }

/** Why a body has no usable marker: there is none, or the one there cannot be read. */
export interface MarkerError {
  kind: 'missing' | 'unreadable'
  message: string
}

const BEAD_OPEN = /<!--\s*gastown:bead(?=[\s{-])/g
const COMMENT_CLOSE = '-->'

/**
 * JSON that cannot end or open an HTML comment: `<` and `>` become `\u003c` and `\u003e`, which
 * JSON.parse reads back unchanged, so any text survives inside the comment.
 */
function commentSafeJson(value: unknown): string {
  return JSON.stringify(value).replace(/</g, '\\u003c').replace(/>/g, '\\u003e')
}

/** The bead marker as a single-line HTML comment, fields in a fixed order. */
export function formatMarker(marker: BeadMarker): string {
  const checked = beadMarkerSchema.parse(marker)
  return `<!-- gastown:bead ${commentSafeJson(checked)} -->`
}

const RESTORE_HINT =
  "Restore the marker from the issue's edit history (the comment at the end of the body), or close the " +
  'issue and let the Mayor plan the work again.'

/** Reads the last bead marker in a body; the last one wins because the codec writes it at the end. */
export function parseMarker(body: string): ParseMarkerResult {
  let start = -1
  for (const match of body.matchAll(BEAD_OPEN)) start = match.index
  if (start < 0) {
    return {
      ok: false,
      error: {
        kind: 'missing',
        message: `No gastown:bead marker in the issue body. ${RESTORE_HINT}`,
      },
    }
  }
  const close = body.indexOf(COMMENT_CLOSE, start)
  if (close < 0) return unreadable(`the marker is not closed with "-->". ${RESTORE_HINT}`)
  const end = close + COMMENT_CLOSE.length
  const text = body
    .slice(start, close)
    .replace(/^<!--\s*gastown:bead/, '')
    .trim()
  let json: unknown
  try {
    json = JSON.parse(text)
  } catch (error) {
    return unreadable(`its JSON does not parse (${(error as Error).message}). ${RESTORE_HINT}`)
  }
  if (typeof json !== 'object' || json === null || Array.isArray(json)) {
    return unreadable(
      `it holds ${Array.isArray(json) ? 'an array' : typeof json}, not a JSON object. ${RESTORE_HINT}`,
    )
  }
  const version = (json as { v?: unknown }).v
  if (version !== MARKER_VERSION) {
    const newer = typeof version === 'number' && version > MARKER_VERSION
    return unreadable(
      newer
        ? `it has version ${version}, newer than this gastown reads (${MARKER_VERSION}). Upgrade the Mayor and the worker action.`
        : `its version is ${JSON.stringify(version) ?? 'missing'}; expected "v": ${MARKER_VERSION}. ${RESTORE_HINT}`,
    )
  }
  const parsed = beadMarkerSchema.safeParse(json)
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => {
      const where = issue.path.length > 0 ? issue.path.join('.') : 'marker'
      return issue.code === 'unrecognized_keys'
        ? `unknown field(s) ${issue.keys.join(', ')}`
        : `${where}: ${issue.message}`
    })
    return unreadable(`its fields are wrong: ${problems.join('; ')}. ${RESTORE_HINT}`)
  }
  return { ok: true, marker: parsed.data, span: { start, end } }
}

function unreadable(reason: string): { ok: false; error: MarkerError } {
  return {
    ok: false,
    error: { kind: 'unreadable', message: `The gastown:bead marker cannot be read: ${reason}` },
  }
}

/** Attribute values a tag can carry. */
export type TagData = Record<string, string | number | boolean>

const TAG_KIND = /^[a-z][a-z0-9-]*$/
const ATTR_NAME = /^[A-Za-z][A-Za-z0-9_-]*$/
const PLAIN_VALUE = /^[A-Za-z0-9._/:@+-]+$/

/**
 * A hidden tag such as `<!-- gastown:progress goal=10 -->`, to find a comment again and edit it in
 * place. Plain values are written bare, others as JSON strings. `bead` is reserved for the bead marker.
 */
export function formatTag(kind: string, data: TagData = {}): string {
  if (!TAG_KIND.test(kind) || kind === 'bead') {
    throw new Error(
      `formatTag: kind "${kind}" must be a lowercase slug other than "bead" (use formatMarker).`,
    )
  }
  const attrs = Object.entries(data).map(([name, value]) => {
    if (!ATTR_NAME.test(name)) throw new Error(`formatTag: attribute name "${name}" must match ${ATTR_NAME}.`)
    const text = String(value)
    return `${name}=${PLAIN_VALUE.test(text) ? text : commentSafeJson(text)}`
  })
  return `<!-- gastown:${[kind, ...attrs].join(' ')} -->`
}

const ATTR = /([A-Za-z][A-Za-z0-9_-]*)=("(?:[^"\\]|\\.)*"|[^\s"]+)/g

/**
 * The attributes of the first `kind` tag in a body whose attributes include all of `match`, or
 * undefined. Values come back as strings.
 */
export function findTag(body: string, kind: string, match: TagData = {}): Record<string, string> | undefined {
  const tag = new RegExp(`<!--\\s*gastown:${kind.replace(/[^a-z0-9-]/g, '')}((?:\\s[^>]*?)?)\\s*-->`, 'g')
  for (const found of body.matchAll(tag)) {
    const attrs = readAttributes(found[1] ?? '')
    if (attrs && Object.entries(match).every(([name, value]) => attrs[name] === String(value))) return attrs
  }
  return undefined
}

function readAttributes(text: string): Record<string, string> | undefined {
  const attrs: Record<string, string> = {}
  for (const [, name, raw] of text.matchAll(ATTR)) {
    if (name === undefined || raw === undefined) continue
    if (raw.startsWith('"')) {
      try {
        attrs[name] = JSON.parse(raw) as string
      } catch {
        return undefined
      }
    } else {
      attrs[name] = raw
    }
  }
  return attrs
}
