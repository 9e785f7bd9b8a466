/** The bead's branch: `gastown/<n>-<slug>`, the slug made of safe characters from its title. */

const MAX_SLUG = 40

/** A lowercase slug of a-z, 0-9 and single dashes, at most 40 characters; `work` when nothing is left. */
export function slugify(title: string): string {
  const slug = title
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, MAX_SLUG)
    .replace(/-+$/g, '')
  return slug === '' ? 'work' : slug
}

/** The branch of bead `number` titled `title`. */
export function branchFor(number: number, title: string): string {
  return `gastown/${number}-${slugify(title)}`
}

/** Whether a branch is one the worker may push to: a bead branch, never the default branch. */
export function isPushableBranch(branch: string, defaultBranch: string): boolean {
  return (
    branch !== defaultBranch &&
    /^gastown\/[1-9][0-9]*-[a-z0-9-]+$/.test(branch) &&
    !branch.includes('..') &&
    !branch.endsWith('.lock')
  )
}
