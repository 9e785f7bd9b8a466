/**
 * What a path glob may hold before it is compiled (the worker compiles globs with picomatch, whose
 * regular expressions backtrack): a bounded number of wildcards, no repeating extglob, no wildcard in
 * an extglob, no leading negation. Pure, so the config schema refuses such a glob when it is loaded.
 */

const MAX_STARS_PER_SEGMENT = 3
const MAX_GLOBSTARS = 4
const MAX_WILDCARDS = 12
const MAX_GLOB_CHARS = 500

/** Why `glob` is refused, or undefined when it may be compiled. */
export function globProblem(glob: string): string | undefined {
  if (glob.length > MAX_GLOB_CHARS) return `it is longer than ${MAX_GLOB_CHARS} characters`
  if (glob.startsWith('!') && !glob.startsWith('!(')) {
    return 'a leading "!" negates the whole glob; name the paths to protect instead'
  }
  let wildcards = 0
  let globstars = 0
  for (const segment of glob.split('/')) {
    if (segment === '**') {
      globstars += 1
      continue
    }
    const stars = segment.replace(/\*\*/g, '*').split('*').length - 1
    if (stars > MAX_STARS_PER_SEGMENT) {
      return `its segment ${JSON.stringify(segment)} has ${stars} "*" (at most ${MAX_STARS_PER_SEGMENT}); use fewer wildcards`
    }
    wildcards += stars + (segment.match(/[?[]/g)?.length ?? 0)
    if (/[*+]\(/.test(segment)) {
      return `its repeating extglob in ${JSON.stringify(segment)} (*(...) or +(...)) is not supported; use * or {a,b}`
    }
    if (/[@!?]\([^)]*[*?[(]/.test(segment)) {
      return `its extglob in ${JSON.stringify(segment)} holds a wildcard or another group; write plain alternatives such as {a,b} instead`
    }
  }
  if (globstars > MAX_GLOBSTARS) return `it has ${globstars} "**" segments (at most ${MAX_GLOBSTARS})`
  if (wildcards > MAX_WILDCARDS) return `it has ${wildcards} wildcards (at most ${MAX_WILDCARDS})`
  return undefined
}
