/**
 * Read-only HTML pages at the addresses the API's `html_url` fields name (`/<owner>/<repo>`,
 * `/<owner>/<repo>/issues/<n>`, `/<owner>/<repo>/pull/<n>` and its `.diff`), so that a person can look
 * at a sandbox town's issues, pull requests, reviews and comments in a browser, and every link the
 * boards and the Mayor's comments hold leads somewhere. Markdown is shown as text: nothing a model or a
 * person wrote is ever parsed as HTML, and the pages carry no script at all (their CSP forbids one).
 */
import type { IncomingMessage, ServerResponse } from 'node:http'
import { escapeXml as e } from '../report/report-svg.js'
import type { ChangedFile, GitHost } from './contracts.js'
import type { EmulatorState, IssueRecord, RepoRecord } from './state.js'

/** What the pages read. */
export interface WebPagesOptions {
  state: EmulatorState
  git: GitHost
}

/** Serves a page; answers false when the request is not for one (it is then the API's). */
export type WebPages = (req: IncomingMessage, res: ServerResponse) => Promise<boolean>

const PAGE_PATH = /^\/([^/]+)\/([^/]+?)(?:\/(issues|pulls)(?:\/(\d+))?|\/pull\/(\d+)(\.diff)?)?\/?$/

/**
 * Creates the page handler. A request is a page's when it is a GET that a browser would send (it
 * accepts text/html, or asks for a `.diff`) for a path of a public repository that exists; API clients
 * ask for JSON, so they never reach a page.
 */
export function createWebPages(options: WebPagesOptions): WebPages {
  const { state, git } = options
  return async (req, res) => {
    if (req.method !== 'GET' && req.method !== 'HEAD') return false
    const pathname = decodeURIComponent((req.url ?? '/').split('?')[0] ?? '/')
    const match = PAGE_PATH.exec(pathname)
    if (!match) return false
    const [, owner, name, list, listNumber, pullNumber, diff] = match
    const wantsHtml = (req.headers.accept ?? '').includes('text/html')
    if (!wantsHtml && diff === undefined) return false
    const repo = state.repos.get(`${owner}/${name}`.toLowerCase())
    // A private repository's pages need a signed-in browser on GitHub; the sandbox has no sign-in.
    if (repo === undefined || repo.private) return false

    const number = Number(listNumber ?? pullNumber)
    if (list === undefined && pullNumber === undefined) return send(res, 200, repoPage(state, repo))
    if (listNumber === undefined && pullNumber === undefined) {
      return send(res, 200, repoPage(state, repo, list === 'pulls' ? 'pulls' : 'issues'))
    }
    const issue = state.issue(repo.fullName, number)
    if (issue === undefined) return send(res, 404, notFound(repo, number))
    // GitHub sends /issues/<n> of a pull request, and /pull/<n> of an issue, to the right page.
    const kind = issue.pull ? 'pull' : 'issues'
    if ((kind === 'pull') !== (pullNumber !== undefined)) {
      res.writeHead(302, { location: `/${repo.fullName}/${kind}/${number}` })
      res.end()
      return true
    }
    if (!issue.pull) return send(res, 200, issuePage(state, repo, issue))
    const changes = await git.compare(repo.fullName, issue.pull.baseSha, issue.pull.headSha)
    if (diff !== undefined) {
      res.writeHead(200, { 'content-type': 'text/plain; charset=utf-8' })
      res.end(unifiedDiff(changes.files))
      return true
    }
    return send(res, 200, pullPage(state, repo, issue, changes.files))
  }
}

function send(res: ServerResponse, status: number, html: string): true {
  res.writeHead(status, {
    'content-type': 'text/html; charset=utf-8',
    // No script, no frame, no form: the pages only show text and link to each other.
    'content-security-policy': "default-src 'none'; style-src 'unsafe-inline'; img-src data:",
    'x-content-type-options': 'nosniff',
  })
  res.end(html)
  return true
}

function layout(title: string, repo: RepoRecord, body: string): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${e(title)}</title><link rel="icon" href="data:,">
<style>
body{font:14px/1.5 system-ui,sans-serif;margin:0;color:#1f2328;background:#fff}
header{background:#f6f8fa;border-bottom:1px solid #d0d7de;padding:12px 24px}
header a{color:#0969da;text-decoration:none;font-weight:600}
main{max-width:1100px;margin:0 auto;padding:16px 24px}
h1{font-size:22px;font-weight:400;margin:8px 0}
.state{display:inline-block;border-radius:2em;padding:2px 10px;color:#fff;font-size:12px;font-weight:600}
.open{background:#1f883d}.closed{background:#8250df}.merged{background:#8250df}.not_planned{background:#59636e}
.label{display:inline-block;border:1px solid #d0d7de;border-radius:2em;padding:0 7px;margin:0 2px;font-size:12px}
.box{border:1px solid #d0d7de;border-radius:6px;margin:12px 0}
.box>.head{background:#f6f8fa;border-bottom:1px solid #d0d7de;padding:6px 12px;color:#59636e}
.md{white-space:pre-wrap;overflow-wrap:anywhere;padding:8px 12px;margin:0;font:13px/1.45 ui-monospace,monospace}
table{border-collapse:collapse;width:100%}td,th{border-bottom:1px solid #d0d7de;padding:6px 8px;text-align:left}
pre.diff{margin:0;padding:8px 12px;overflow-x:auto;font:12px/1.4 ui-monospace,monospace}
.add{background:#dafbe1}.del{background:#ffebe9}.hunk{color:#59636e;background:#ddf4ff}
details.markers{padding:0 12px 8px;color:#59636e}
nav a{margin-right:16px}
</style></head>
<body><header><a href="/${e(repo.fullName)}">${e(repo.fullName)}</a>
<nav><a href="/${e(repo.fullName)}/issues">Issues</a><a href="/${e(repo.fullName)}/pulls">Pull requests</a></nav></header>
<main>${body}</main></body></html>
`
}

function repoPage(state: EmulatorState, repo: RepoRecord, only?: 'issues' | 'pulls'): string {
  const all = state.issuesOf(repo.fullName)
  const table = (items: IssueRecord[], kind: 'issues' | 'pull', heading: string): string => {
    const rows = items
      .map(
        (item) =>
          `<tr><td>#${item.number}</td><td><a href="/${e(repo.fullName)}/${kind}/${item.number}">${e(item.title)}</a></td>` +
          `<td>${stateBadge(item)}</td><td>${labelsOf(repo, item)}</td><td>${e(item.user)}</td></tr>`,
      )
      .join('')
    return `<h2>${heading} (${items.length})</h2><table><thead><tr><th>#</th><th>Title</th><th>State</th><th>Labels</th><th>Author</th></tr></thead><tbody>${rows}</tbody></table>`
  }
  const issues = all.filter((item) => item.pull === null)
  const pulls = all.filter((item) => item.pull !== null)
  const sections = [
    only !== 'pulls' ? table(issues, 'issues', 'Issues') : '',
    only !== 'issues' ? table(pulls, 'pull', 'Pull requests') : '',
  ]
  return layout(repo.fullName, repo, `<h1>${e(repo.fullName)}</h1>${sections.join('')}`)
}

function issuePage(state: EmulatorState, repo: RepoRecord, issue: IssueRecord): string {
  const byId = (id: number) => [...state.issues.values()].find((item) => item.id === id)
  const links = (ids: readonly number[]) =>
    ids
      .map(byId)
      .filter((item): item is IssueRecord => item !== undefined)
      .map((item) => `<a href="/${e(item.repo)}/issues/${item.number}">#${item.number} ${e(item.title)}</a>`)
      .join(', ')
  const parent = issue.parentId === null ? undefined : byId(issue.parentId)
  const facts = [
    parent ? `Sub-issue of ${links([parent.id])}` : '',
    issue.subIssueIds.length > 0 ? `Sub-issues: ${links(issue.subIssueIds)}` : '',
    issue.blockedBy.length > 0 ? `Blocked by: ${links(issue.blockedBy)}` : '',
  ].filter((fact) => fact !== '')
  const body =
    heading(repo, issue) +
    (facts.length > 0 ? `<p>${facts.join('<br>')}</p>` : '') +
    textBox(issue.user, issue.createdAt, issue.body ?? '') +
    conversation(state, issue, [])
  return layout(`${issue.title} · Issue #${issue.number}`, repo, body)
}

function pullPage(state: EmulatorState, repo: RepoRecord, issue: IssueRecord, files: ChangedFile[]): string {
  const pull = issue.pull!
  const reviews = [...state.reviews.values()].filter((review) => review.issueId === issue.id)
  const reviewItems = reviews.map((review) => {
    const inline = [...state.reviewComments.values()]
      .filter((comment) => comment.reviewId === review.id)
      .map(
        (comment) =>
          `<div class="head">${e(comment.path)}:${comment.line}</div><pre class="md">${e(comment.body)}</pre>`,
      )
      .join('')
    return {
      at: review.submittedAt,
      html:
        `<div class="box review" data-state="${e(review.state)}"><div class="head">${e(review.user)} reviewed: ` +
        `<strong>${e(review.state.toLowerCase().replace('_', ' '))}</strong> · ${e(review.submittedAt)}</div>` +
        `${markdownText(review.body)}${inline}</div>`,
    }
  })
  const diff = files
    .map(
      (file) =>
        `<div class="box file"><div class="head">${e(file.filename)} (${e(file.status)}, +${file.additions} −${file.deletions})</div>` +
        `<pre class="diff">${diffLines(file.patch ?? '')}</pre></div>`,
    )
    .join('')
  const body =
    heading(repo, issue) +
    `<p><code>${e(pull.headRef)}</code> into <code>${e(pull.baseRef)}</code> · <a href="/${e(repo.fullName)}/pull/${issue.number}.diff">.diff</a></p>` +
    textBox(issue.user, issue.createdAt, issue.body ?? '') +
    conversation(state, issue, reviewItems) +
    `<h2>Files changed (${files.length})</h2>${diff}`
  return layout(`${issue.title} · Pull Request #${issue.number}`, repo, body)
}

function heading(repo: RepoRecord, issue: IssueRecord): string {
  return (
    `<h1>${e(issue.title)} <span style="color:#59636e">#${issue.number}</span></h1>` +
    `<p>${stateBadge(issue)} ${labelsOf(repo, issue)} opened by ${e(issue.user)}</p>`
  )
}

/** Comments and reviews in the order they were made. */
function conversation(
  state: EmulatorState,
  issue: IssueRecord,
  extra: { at: string; html: string }[],
): string {
  const comments = [...state.comments.values()]
    .filter((comment) => comment.issueId === issue.id)
    .map((comment) => ({
      at: comment.createdAt,
      html: textBox(comment.user, comment.updatedAt, comment.body, 'comment'),
    }))
  return [...comments, ...extra]
    .sort((a, b) => a.at.localeCompare(b.at))
    .map((item) => item.html)
    .join('')
}

function textBox(user: string, at: string, text: string, kind = 'body'): string {
  return `<div class="box ${kind}"><div class="head">${e(user)} · ${e(at)}</div>${markdownText(text)}</div>`
}

/**
 * Markdown as its text, as GitHub would show it with HTML comments hidden: the Mayor's hidden markers
 * are kept apart in a closed `<details>`, since they are what a reader of a sandbox town wants to see.
 */
function markdownText(text: string): string {
  const markers: string[] = []
  const visible = text.replace(/<!--[\s\S]*?-->/g, (marker) => {
    markers.push(marker)
    return ''
  })
  const hidden =
    markers.length > 0
      ? `<details class="markers"><summary>${markers.length} hidden marker${markers.length === 1 ? '' : 's'}</summary><pre class="md">${e(markers.join('\n'))}</pre></details>`
      : ''
  return `<pre class="md">${e(visible.trim())}</pre>${hidden}`
}

function diffLines(patch: string): string {
  return patch
    .split('\n')
    .map((line) => {
      const kind = line.startsWith('@@')
        ? 'hunk'
        : line.startsWith('+')
          ? 'add'
          : line.startsWith('-')
            ? 'del'
            : ''
      return kind === '' ? e(line) : `<span class="${kind}">${e(line)}</span>`
    })
    .join('\n')
}

function unifiedDiff(files: readonly ChangedFile[]): string {
  return files
    .map((file) => {
      const from = file.status === 'added' ? '/dev/null' : `a/${file.previous_filename ?? file.filename}`
      const to = file.status === 'removed' ? '/dev/null' : `b/${file.filename}`
      return `diff --git a/${file.previous_filename ?? file.filename} b/${file.filename}\n--- ${from}\n+++ ${to}\n${file.patch ?? ''}\n`
    })
    .join('')
}

function stateBadge(issue: IssueRecord): string {
  if (issue.pull?.merged) return '<span class="state merged">Merged</span>'
  if (issue.state === 'open') return '<span class="state open">Open</span>'
  const reason = issue.stateReason === 'not_planned' ? 'not_planned' : 'closed'
  return `<span class="state ${reason}">Closed${reason === 'not_planned' ? ' (not planned)' : ''}</span>`
}

function labelsOf(repo: RepoRecord, issue: IssueRecord): string {
  return issue.labels
    .map((key) => `<span class="label">${e(repo.labels.get(key)?.name ?? key)}</span>`)
    .join('')
}

function notFound(repo: RepoRecord, number: number): string {
  return layout('Not found', repo, `<h1>No issue or pull request #${number} in ${e(repo.fullName)}</h1>`)
}
