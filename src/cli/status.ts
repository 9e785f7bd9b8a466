/**
 * `gastown status <goal>`: a goal's state as GitHub holds it. Beads with their role, status, attempt,
 * dependencies and pull request; totals by status, tokens and cost; what waits for a person.
 */
import { parseArgs } from 'node:util'
import { simpleGit } from 'simple-git'
import type { Bead, BeadStatus } from '../core/bead.js'
import { BEAD_STATUSES } from '../core/bead.js'
import { GOAL_LABEL } from '../core/labels.js'
import { planOfBeads, renderPlanMermaid } from '../core/plan.js'
import {
  createGitHubClient,
  parseRepoName,
  repoName,
  type GitHubApi,
  type RepoRef,
} from '../github/client.js'
import { getIssue, type IssueData } from '../github/issues.js'
import { getPull } from '../github/pulls.js'
import { readGoalBeads } from '../mayor/read-beads.js'
import { repoFromRemote, type CommandIo } from './init.js'
import { STATUS_ICON } from '../mayor/goal-comments.js'

/** The usage text of `gastown status`. */
export const STATUS_USAGE = `Usage: gastown status <goal> [options]

Shows a goal's state as GitHub holds it: its beads with role, status, attempt, dependencies and pull
request, and totals. <goal> is an issue URL, owner/name#12, or #12 (the repository of the "origin" remote).

Options:
  --json        print the status as JSON
  -h, --help    this text

Environment:
  GITHUB_TOKEN    a token that can read the repository's issues and pull requests
  GITHUB_API_URL  the REST API root (default https://api.github.com; GitHub Enterprise: https://HOST/api/v3)`

/** The options of `gastown status`, for parseArgs. */
export const STATUS_OPTIONS = {
  json: { type: 'boolean', default: false },
  help: { type: 'boolean', short: 'h', default: false },
} as const

/** A goal named on the command line. */
export interface GoalRef {
  repo: RepoRef
  number: number
}

/**
 * Reads `https://HOST/owner/name/issues/12`, `owner/name#12`, `#12` or `12`; the last two need `origin`,
 * the repository the checkout came from.
 */
export function parseGoalRef(text: string, origin?: () => Promise<RepoRef>): Promise<GoalRef> {
  const value = text.trim()
  const url = /^https?:\/\/[^/]+\/(?:[^?#]*\/)?([^/]+)\/([^/]+)\/(?:issues|pull)\/(\d+)(?:[/?#].*)?$/.exec(
    value,
  )
  if (url) return Promise.resolve({ repo: parseRepoName(`${url[1]}/${url[2]}`), number: Number(url[3]) })
  const full = /^([A-Za-z0-9_.-]+\/[A-Za-z0-9_.-]+)#(\d+)$/.exec(value)
  if (full) return Promise.resolve({ repo: parseRepoName(full[1]!), number: Number(full[2]) })
  const short = /^#?(\d+)$/.exec(value)
  if (short && origin) return origin().then((repo) => ({ repo, number: Number(short[1]) }))
  return Promise.reject(
    new Error(
      `"${text}" does not name a goal: give its URL (https://github.com/owner/name/issues/12), owner/name#12, or #12 inside a checkout.`,
    ),
  )
}

/** One bead as the status shows it. */
export interface BeadLine {
  number: number
  key: string
  title: string
  role: string
  status: BeadStatus
  attempt: number
  dependsOn: number[]
  needsHuman: boolean
  pr?: { number: number; state: 'open' | 'closed' | 'merged'; url: string }
  tokens: number
  costUsd: number
  error?: string
}

/** A goal's status. */
export interface GoalStatus {
  repo: string
  goal: { number: number; title: string; state: 'open' | 'closed'; url: string }
  beads: BeadLine[]
  unreadable: { issue: number; message: string }[]
  totals: { beads: number; byStatus: Partial<Record<BeadStatus, number>>; tokens: number; costUsd: number }
}

/** Reads a goal's status from GitHub. */
export async function readGoalStatus(api: GitHubApi, ref: GoalRef): Promise<GoalStatus> {
  let issue: IssueData
  try {
    issue = await getIssue(api, ref.repo, ref.number)
  } catch (error) {
    throw new Error(
      `Cannot read issue #${ref.number} of ${repoName(ref.repo)}: ${(error as Error).message}. Check the number, and that GITHUB_TOKEN can read the repository.`,
      { cause: error },
    )
  }
  if (!issue.labels.includes(GOAL_LABEL)) {
    throw new Error(
      `#${ref.number} of ${repoName(ref.repo)} is not a Gas Town goal (it has no ${GOAL_LABEL} label); label it to have the Mayor plan it.`,
    )
  }
  // Shown to a person, not acted on: every bead issue is listed, whoever wrote it.
  const read = await readGoalBeads(api, ref.repo, ref.number, null)
  const beads: BeadLine[] = []
  for (const record of read.beads) beads.push(await beadLine(api, ref.repo, record.bead))
  const byStatus: Partial<Record<BeadStatus, number>> = {}
  for (const bead of beads) byStatus[bead.status] = (byStatus[bead.status] ?? 0) + 1
  return {
    repo: repoName(ref.repo),
    goal: { number: issue.number, title: issue.title, state: issue.state, url: issue.html_url },
    beads,
    unreadable: read.unreadable,
    totals: {
      beads: beads.length,
      byStatus,
      tokens: beads.reduce((sum, bead) => sum + bead.tokens, 0),
      costUsd: beads.reduce((sum, bead) => sum + bead.costUsd, 0),
    },
  }
}

async function beadLine(api: GitHubApi, repo: RepoRef, bead: Bead): Promise<BeadLine> {
  const line: BeadLine = {
    number: bead.number!,
    key: bead.key,
    title: bead.title,
    role: bead.role,
    status: bead.status,
    attempt: bead.attempt,
    dependsOn: bead.dependencies,
    needsHuman: bead.needsHuman === true,
    tokens: bead.tokens ?? 0,
    costUsd: bead.costUsd ?? 0,
    ...(bead.error ? { error: bead.error } : {}),
  }
  if (bead.pr !== undefined) {
    try {
      const pull = await getPull(api, repo, bead.pr)
      line.pr = { number: pull.number, state: pull.merged ? 'merged' : pull.state, url: pull.html_url }
    } catch {
      // A deleted PR leaves the number the marker holds, shown without a state.
      line.pr = { number: bead.pr, state: 'closed', url: '' }
    }
  }
  return line
}

/** The status as text for a terminal (markdown tables, a Mermaid graph). */
export function renderGoalStatus(status: GoalStatus): string {
  const { goal, beads, totals } = status
  const lines = [`Goal #${goal.number} "${goal.title}" (${goal.state}) in ${status.repo}`, goal.url, '']
  if (beads.length === 0)
    lines.push('No beads yet: the Mayor has not planned this goal, or its plan waits for /gastown approve.')
  else {
    lines.push(
      '| Bead | Key | Role | Status | Attempt | Depends on | Pull request |',
      '| --- | --- | --- | --- | --- | --- | --- |',
    )
    for (const bead of beads) {
      const status = `${STATUS_ICON[bead.status]} ${bead.status}${bead.needsHuman ? ' (needs a person)' : ''}`
      const deps = bead.dependsOn.length > 0 ? bead.dependsOn.map((n) => `#${n}`).join(', ') : '—'
      const pr = bead.pr ? `#${bead.pr.number} ${bead.pr.state}` : '—'
      lines.push(
        `| #${bead.number} | ${bead.key} | ${bead.role} | ${status} | ${bead.attempt} | ${deps} | ${pr} |`,
      )
    }
    lines.push(
      '',
      '```mermaid',
      renderPlanMermaid(
        planOfBeads(beads.map((bead) => ({ ...bead, dependencies: bead.dependsOn }))),
        Object.fromEntries(beads.map((b) => [b.key, b.status])),
      ),
      '```',
    )
  }
  const counts = BEAD_STATUSES.filter((s) => totals.byStatus[s]).map((s) => `${totals.byStatus[s]} ${s}`)
  lines.push(
    '',
    `Totals: ${totals.beads} bead${totals.beads === 1 ? '' : 's'}${counts.length > 0 ? ` (${counts.join(', ')})` : ''}; ${totals.tokens} tokens; $${totals.costUsd.toFixed(4)}`,
  )
  const waiting = beads.filter((b) => b.needsHuman || b.status === 'failed')
  for (const bead of waiting) {
    lines.push(
      `Needs a person: #${bead.number} ${bead.key}${bead.error ? `: ${bead.error}` : ''} (comment /gastown retry on it to try again)`,
    )
  }
  for (const broken of status.unreadable) lines.push(`Unreadable bead #${broken.issue}: ${broken.message}`)
  return `${lines.join('\n')}\n`
}

/** `gastown status` on the command line; answers the exit code (0 shown, 1 failed, 2 usage). */
export async function runStatus(argv: string[], io: CommandIo): Promise<number> {
  let parsed
  try {
    parsed = parseArgs({
      args: argv,
      options: STATUS_OPTIONS,
      allowPositionals: true,
    })
  } catch (error) {
    io.stderr(`gastown status: ${(error as Error).message}\n\n${STATUS_USAGE}\n`)
    return 2
  }
  const { values, positionals } = parsed
  if (values.help) {
    io.stdout(`${STATUS_USAGE}\n`)
    return 0
  }
  if (positionals.length !== 1) {
    io.stderr(`gastown status: name one goal.\n\n${STATUS_USAGE}\n`)
    return 2
  }
  try {
    const ref = await parseGoalRef(positionals[0]!, () => originOf(io.cwd))
    const api = createGitHubClient({
      token: io.env['GITHUB_TOKEN'] || io.env['GH_TOKEN'] || '',
      baseUrl: io.env['GITHUB_API_URL'] || 'https://api.github.com',
    })
    const status = await readGoalStatus(api, ref)
    io.stdout(values.json ? `${JSON.stringify(status, null, 2)}\n` : renderGoalStatus(status))
    return 0
  } catch (error) {
    io.stderr(`gastown status: ${(error as Error).message}\n`)
    return 1
  }
}

async function originOf(cwd: string): Promise<RepoRef> {
  const git = simpleGit(cwd)
  if (!(await git.checkIsRepo())) {
    throw new Error(
      `${cwd} is not a git checkout, so #n names no repository: use owner/name#n or the issue URL.`,
    )
  }
  const remotes = await git.getRemotes(true)
  const origin = remotes.find((remote) => remote.name === 'origin') ?? remotes[0]
  if (!origin) throw new Error('This checkout has no remote, so #n names no repository: use owner/name#n.')
  return repoFromRemote(origin.refs.fetch)
}
