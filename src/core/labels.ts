/**
 * The labels the town uses. On a bead they mirror its marker, for people and for label queries; the
 * marker stays the source of truth (DESIGN.md, "Contracts").
 */
import type { BeadStatus, RoleName } from './bead.js'
import { BEAD_STATUSES } from './bead.js'

/** Marks an issue as a goal for the Mayor to plan. */
export const GOAL_LABEL = 'gastown:goal'
/** Marks an issue as a bead. */
export const BEAD_LABEL = 'gastown:bead'
/** A bead whose attempts ran out and that waits for a person. */
export const NEEDS_HUMAN_LABEL = 'gastown:needs-human'
/** Prefix of a bead's role label, `gastown:role/<role>`. */
export const ROLE_LABEL_PREFIX = 'gastown:role/'
/** Prefix of a bead's status label, `gastown:status/<status>`. */
export const STATUS_LABEL_PREFIX = 'gastown:status/'

/** A label as the REST API gives it (a name or an object with one) or as a person types it. */
export type LabelLike = string | { name?: string | null }

/** The name of a label in either shape; an object without a name gives ''. */
export function labelName(label: LabelLike): string {
  return typeof label === 'string' ? label : (label.name ?? '')
}

/** The role label of a role. */
export function roleLabel(role: RoleName): string {
  return `${ROLE_LABEL_PREFIX}${role}`
}

/** The status label of a status. */
export function statusLabel(status: BeadStatus): string {
  return `${STATUS_LABEL_PREFIX}${status}`
}

/** The labels a bead with this status, role and flag carries, in a fixed order. */
export function labelsFor(status: BeadStatus, role: RoleName, needsHuman = false): string[] {
  const labels = [BEAD_LABEL, roleLabel(role), statusLabel(status)]
  if (needsHuman) labels.push(NEEDS_HUMAN_LABEL)
  return labels
}

/**
 * Whether a label is one the codec keeps in step with the marker. `gastown:goal` and people's own
 * labels are not: the town never removes them from a bead.
 */
export function isBeadLabel(label: LabelLike): boolean {
  const name = labelName(label).toLowerCase()
  return (
    name === BEAD_LABEL ||
    name === NEEDS_HUMAN_LABEL ||
    name.startsWith(ROLE_LABEL_PREFIX) ||
    name.startsWith(STATUS_LABEL_PREFIX)
  )
}

/** The status a status label names, or undefined for any other label. */
export function statusFromLabel(label: LabelLike): BeadStatus | undefined {
  const name = labelName(label).toLowerCase()
  if (!name.startsWith(STATUS_LABEL_PREFIX)) return undefined
  const status = name.slice(STATUS_LABEL_PREFIX.length)
  return BEAD_STATUSES.find((known) => known === status)
}

/** The role a role label names, or undefined for any other label. */
export function roleFromLabel(label: LabelLike): RoleName | undefined {
  const name = labelName(label).toLowerCase()
  return name.startsWith(ROLE_LABEL_PREFIX) && name.length > ROLE_LABEL_PREFIX.length
    ? name.slice(ROLE_LABEL_PREFIX.length)
    : undefined
}

/** Labels to add and remove so an issue carries `wanted`. */
export interface LabelChanges {
  add: string[]
  remove: string[]
}

/**
 * What turns the `current` labels into `wanted`: missing ones are added; bead labels (see
 * `isBeadLabel`) that are not wanted are removed; other labels are left alone. GitHub compares label
 * names without case, and so does this.
 */
export function labelChanges(current: readonly LabelLike[], wanted: readonly string[]): LabelChanges {
  const have = new Set(current.map((label) => labelName(label).toLowerCase()))
  const want = new Set(wanted.map((name) => name.toLowerCase()))
  const add: string[] = []
  for (const name of wanted) {
    const lower = name.toLowerCase()
    if (have.has(lower)) continue
    have.add(lower)
    add.push(name)
  }
  const remove = current
    .map(labelName)
    .filter((name) => name !== '' && isBeadLabel(name) && !want.has(name.toLowerCase()))
  return { add, remove: [...new Set(remove)] }
}

/** A label to create in a repository, as the labels API takes it. */
export interface LabelSpec {
  name: string
  color: string
  description: string
}

const STATUS_COLORS: Record<BeadStatus, string> = {
  pending: 'ededed',
  ready: 'c5def5',
  in_progress: '1d76db',
  in_review: '5319e7',
  completed: '0e8a16',
  failed: 'b60205',
  blocked: 'fbca04',
  cancelled: 'cccccc',
}

/** Every label the town uses in a repository with these roles, with colours and descriptions. */
export function labelSpecs(roles: readonly RoleName[]): LabelSpec[] {
  return [
    { name: GOAL_LABEL, color: '0052cc', description: 'Gas Town: a goal for the Mayor to plan into beads' },
    { name: BEAD_LABEL, color: 'bfd4f2', description: 'Gas Town: one unit of work of a goal' },
    {
      name: NEEDS_HUMAN_LABEL,
      color: 'd93f0b',
      description: 'Gas Town: attempts ran out; a person must look',
    },
    ...roles.map((role) => ({
      name: roleLabel(role),
      color: 'c2e0c6',
      description: `Gas Town: work for the ${role} role`,
    })),
    ...BEAD_STATUSES.map((status) => ({
      name: statusLabel(status),
      color: STATUS_COLORS[status],
      description: `Gas Town: bead status ${status}`,
    })),
  ]
}
