/**
 * A rebase attempt: the bead's branch continues, but the default branch moved on under it (other beads'
 * PRs merged) and its PR may conflict. Trusted code merges the default branch into the branch in the
 * workspace before the agent runs; conflicted files keep git's markers, and the task message says which
 * files conflict and what the other merged PRs changed, so any model that follows the tools can resolve
 * them. After the agent, the commit built in the trusted clone is a real merge commit (parents: the
 * branch and the default branch), so the same PR carries the resolution and GitHub sees it as merged
 * with the default branch; it is refused while a conflicted file still holds a marker.
 */
import { readFile } from 'node:fs/promises'
import path from 'node:path'
import { sanitizeForPrompt } from '../../core/sanitize.js'
import { fetchBranch, safeRaw, type GitRemote } from './git-workspace.js'

/** What merging the default branch into the bead's branch did. */
export interface DefaultBranchMerge {
  defaultBranch: string
  /** The default branch's head that was merged. */
  mainSha: string
  /** False when the branch already held the default branch's head: nothing was merged. */
  merged: boolean
  /** Paths left in conflict, with markers in the workspace. */
  conflicts: string[]
  /** Subjects of the commits the default branch gained since the branch left it (newest first). */
  commits: string[]
  /** Paths those commits changed. */
  files: string[]
}

/** Longest lists the task message shows. */
const LIST_LIMIT = 40

const lines = (text: string): string[] =>
  text
    .split('\n')
    .map((line) => line.trim())
    .filter(Boolean)

/**
 * Merges the server's `defaultBranch` into the branch checked out in the workspace, without committing:
 * clean changes are staged, conflicts stay in the files with their markers for the agent to resolve.
 */
export async function mergeDefaultBranch(
  workspace: string,
  remote: GitRemote,
  defaultBranch: string,
): Promise<DefaultBranchMerge> {
  const mainSha = await fetchBranch(workspace, remote, defaultBranch, 'refs/remotes/gastown/default')
  const none = { defaultBranch, mainSha, merged: false, conflicts: [], commits: [], files: [] }
  const base = (await safeRaw(workspace, ['merge-base', 'HEAD', mainSha])).trim()
  if (base === mainSha) return none
  const commits = lines(
    await safeRaw(workspace, ['log', '--format=%s', `--max-count=${LIST_LIMIT}`, mainSha, '^HEAD']),
  )
  const files = lines(
    await safeRaw(workspace, ['-c', 'core.quotePath=false', 'diff', '--name-only', base, mainSha]),
  )
  try {
    await safeRaw(workspace, ['merge', '--no-commit', '--no-ff', '--no-edit', '--quiet', mainSha])
  } catch {
    // Exit 1 on conflicts: the conflicted files are listed below; any other failure shows there too.
  }
  const conflicts = lines(
    await safeRaw(workspace, ['-c', 'core.quotePath=false', 'diff', '--name-only', '--diff-filter=U']),
  )
  const inMerge = await safeRaw(workspace, ['rev-parse', '-q', '--verify', 'MERGE_HEAD']).then(
    (out) => out.trim() === mainSha,
    () => false,
  )
  if (!inMerge) {
    throw new Error(
      `could not merge ${defaultBranch} (${mainSha.slice(0, 7)}) into the bead's branch in the workspace`,
    )
  }
  return { defaultBranch, mainSha, merged: true, conflicts, commits, files }
}

/** The task message's section for a rebase attempt; empty when nothing was merged. */
export function rebaseSection(
  merge: DefaultBranchMerge,
  pr: number | undefined,
  secrets: readonly string[],
): string {
  if (!merge.merged) return ''
  const clean = (text: string) => sanitizeForPrompt(text, { maxChars: 300, secrets }).trim()
  const list = (items: string[], code: boolean) =>
    items
      .slice(0, LIST_LIMIT)
      .map((item) => (code ? `- \`${clean(item)}\`` : `- ${clean(item)}`))
      .join('\n')
  const parts = [
    `# Rebase: \`${merge.defaultBranch}\` moved on under your branch`,
    `${pr === undefined ? 'While your work waited' : `While your PR #${pr} waited`}, other pull requests were merged into \`${merge.defaultBranch}\`. The worker merged \`${merge.defaultBranch}\` (${merge.mainSha.slice(0, 7)}) into your branch; the merge is not committed yet.`,
    merge.commits.length > 0
      ? `## What was merged into ${merge.defaultBranch}\n\n${list(merge.commits, false)}`
      : '',
    merge.files.length > 0 ? `## The files those changes touched\n\n${list(merge.files, true)}` : '',
  ]
  if (merge.conflicts.length > 0) {
    parts.push(
      `## Conflicts to resolve\n\nThe merge left conflicts in these files:\n\n${list(merge.conflicts, true)}\n\n` +
        'Each conflict is marked in the file: the lines between `<<<<<<<` and `=======` are your branch, the lines between `=======` and `>>>>>>>` are what was merged. ' +
        "Read each file, keep what both sides meant (your bead's work and the other changes), and remove every marker line. " +
        'Then run the tests and call finish. The worker refuses to push while any conflict marker remains in these files.',
    )
  } else {
    parts.push(
      'The merge was clean. Check that the tests still pass with the merged changes, then call finish.',
    )
  }
  return parts.filter((part) => part !== '').join('\n\n')
}

const MARKER = /^(<{7}|>{7})(?: |$)|^={7}$/m

/** The conflicted paths whose content in `dir` still holds a conflict marker line. */
export async function pathsWithMarkers(dir: string, conflicts: readonly string[]): Promise<string[]> {
  const left: string[] = []
  for (const file of conflicts) {
    let text: string
    try {
      text = await readFile(path.join(dir, file), 'utf8')
    } catch {
      continue // deleted: a deletion is a resolution too
    }
    if (MARKER.test(text)) left.push(file)
  }
  return left
}

/**
 * Paths of `changed` that differ from the default branch's head in the clone's index: the bead's own
 * work. A path that only took the default branch's content came from a merged PR, not from the agent.
 */
export async function ownChanges(
  dir: string,
  remote: GitRemote,
  merge: DefaultBranchMerge,
  changed: readonly string[],
): Promise<Set<string>> {
  // The trusted clone holds only the bead's branch so far; the merge commit needs the other parent too.
  await fetchBranch(dir, remote, merge.defaultBranch, 'refs/remotes/gastown/default')
  const differing = new Set(
    lines(
      await safeRaw(dir, ['-c', 'core.quotePath=false', 'diff', '--cached', '--name-only', merge.mainSha]),
    ),
  )
  return new Set(changed.filter((file) => differing.has(file)))
}

/**
 * Commits what is staged in the trusted clone as a merge of the branch (HEAD) and the default branch's
 * head (fetched into the clone by `ownChanges`); answers the new commit's sha.
 */
export async function commitMerge(dir: string, merge: DefaultBranchMerge, message: string): Promise<string> {
  const tree = (await safeRaw(dir, ['write-tree'])).trim()
  const head = (await safeRaw(dir, ['rev-parse', 'HEAD'])).trim()
  const sha = (
    await safeRaw(dir, ['commit-tree', '--no-gpg-sign', tree, '-p', head, '-p', merge.mainSha, '-m', message])
  ).trim()
  await safeRaw(dir, ['update-ref', 'HEAD', sha, head])
  return sha
}
