import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import type { Emulator } from '../../../src/sandbox/emulator/emulator.js'
import { octokitAs, startTown } from './emulator-fixture.js'
import { cloneRepo, removeClones } from './git-client.js'

let emulator: Emulator

beforeEach(async () => {
  emulator = await startTown()
})

afterEach(async () => {
  await emulator?.close()
  await removeClones()
})

/** What a browser gets at `path`. */
async function browse(path: string, accept = 'text/html,application/xhtml+xml') {
  const response = await fetch(`${emulator.url}${path}`, { headers: { accept }, redirect: 'manual' })
  return { status: response.status, headers: response.headers, text: await response.text() }
}

async function openPull() {
  const alice = octokitAs(emulator, 'alice')
  const goal = await alice.rest.issues.create({
    owner: 'alice',
    repo: 'town',
    title: 'Goal <script>alert(1)</script>',
    body: 'Do it.\n\n<!-- gastown:goal {"v":1} -->\n```mermaid\nflowchart LR\n  a --> b\n```',
  })
  await alice.rest.issues.createComment({
    owner: 'alice',
    repo: 'town',
    issue_number: goal.data.number,
    body: 'Progress: **1/2**',
  })
  const copy = await cloneRepo(emulator.gitUrl, 'alice/town', emulator.tokenFor('bob'))
  await copy.git('checkout', '--quiet', '-b', 'gastown/1-api')
  await copy.commit({ 'src/api.ts': 'export const api = 1\n' }, 'Add api')
  await copy.git('push', '--quiet', 'origin', 'gastown/1-api')
  const bob = octokitAs(emulator, 'bob')
  const pr = await bob.rest.pulls.create({
    owner: 'alice',
    repo: 'town',
    title: 'API',
    head: 'gastown/1-api',
    base: 'main',
    body: `Closes #${goal.data.number}`,
  })
  await alice.rest.pulls.createReview({
    owner: 'alice',
    repo: 'town',
    pull_number: pr.data.number,
    event: 'COMMENT',
    body: 'Looks fine & tidy.',
  })
  return { goal: goal.data, pr: pr.data }
}

describe('the web pages at the html_url addresses', () => {
  it('serves the issue an html_url names, with its comments, hidden markers apart and nothing as HTML', async () => {
    const { goal } = await openPull()
    const page = await browse(new URL(goal.html_url).pathname)
    expect(page.status).toBe(200)
    expect(page.headers.get('content-type')).toContain('text/html')
    expect(page.headers.get('content-security-policy')).toContain("default-src 'none'")
    expect(page.text).toContain('Goal &#60;script&#62;alert(1)&#60;/script&#62;')
    expect(page.text).not.toContain('<script>')
    expect(page.text).toContain('Progress: **1/2**')
    expect(page.text).toContain('1 hidden marker')
    expect(page.text).toContain('flowchart LR')
  })

  it('serves a pull request with its review and diff, and the plain .diff', async () => {
    const { pr } = await openPull()
    const page = await browse(new URL(pr.html_url).pathname)
    expect(page.status).toBe(200)
    expect(page.text).toContain('Looks fine &#38; tidy.')
    expect(page.text).toContain('src/api.ts (added, +1 −0)')
    expect(page.text).toContain('+export const api = 1')
    const diff = await browse(new URL(pr.diff_url).pathname, '*/*')
    expect(diff.headers.get('content-type')).toContain('text/plain')
    expect(diff.text).toContain('+++ b/src/api.ts')
  })

  it('lists the repository issues and pull requests, and sends /issues/<pr> to /pull/<pr>', async () => {
    const { goal, pr } = await openPull()
    const home = await browse('/alice/town')
    expect(home.text).toContain(`href="/alice/town/issues/${goal.number}"`)
    expect(home.text).toContain(`href="/alice/town/pull/${pr.number}"`)
    const moved = await browse(`/alice/town/issues/${pr.number}`)
    expect(moved.status).toBe(302)
    expect(moved.headers.get('location')).toBe(`/alice/town/pull/${pr.number}`)
    expect((await browse('/alice/town/issues/999')).status).toBe(404)
  })

  it('leaves API clients to the API: JSON requests never get a page', async () => {
    const response = await fetch(`${emulator.url}/alice/town`, { headers: { accept: 'application/json' } })
    expect(response.headers.get('content-type')).toContain('application/json')
    // The API knows no such route, and says so as it would for any unknown route.
    expect(response.status).toBe(404)
    expect(emulator.violations().map((violation) => violation.route)).toEqual(['GET /alice/town'])
    const repo = await octokitAs(emulator, 'alice').rest.repos.get({ owner: 'alice', repo: 'town' })
    expect(repo.data.full_name).toBe('alice/town')
  })
})
