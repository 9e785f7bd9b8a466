/**
 * The worker's reads: valid against GitHub's published schema, and answered by the emulator over real
 * HTTP: the default branch, the trusted config on it and the bead with its parent in one request, then
 * the goal and the dependencies in one more, with numbers that are no issue answered as null.
 */
import { schema as github } from '@octokit/graphql-schema'
import { buildSchema, parse, validate, type GraphQLSchema } from 'graphql'
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { readBeadIssues, readBeadStart } from '../../src/github/bead-context-query.js'
import type { GitHubApi } from '../../src/github/client.js'
import {
  BEAD_START_QUERY,
  beadIssuesQuery,
  type BeadStartAnswer,
} from '../../src/github/graphql-operations.js'
import type { Emulator } from '../../src/sandbox/emulator/emulator.js'
import { octokitAs, openPull, startTown } from '../sandbox/emulator/emulator-fixture.js'
import { cloneRepo, removeClones } from '../sandbox/emulator/git-client.js'

const repo = { owner: 'alice', repo: 'town' }
const CONFIG = '.github/gastown.yml'
let published: GraphQLSchema
let emulator: Emulator

beforeAll(() => {
  published = buildSchema(github.idl, { assumeValidSDL: true })
})
beforeEach(async () => {
  emulator = await startTown()
})
afterEach(async () => {
  await emulator?.close()
  await removeClones()
})

/** Alice pushes `files` to main; answers the new head. */
async function pushToMain(files: Record<string, string>): Promise<string> {
  const copy = await cloneRepo(emulator.gitUrl, 'alice/town', emulator.tokenFor('alice'))
  const sha = (await copy.commit(files, 'add files')).trim()
  await copy.git('push', '--quiet', 'origin', 'main')
  return sha
}

/** Requests the emulator answered while `fn` ran, as `METHOD route`. */
async function sentDuring<T>(fn: () => Promise<T>): Promise<{ result: T; sent: string[] }> {
  const before = emulator.requests().length
  const result = await fn()
  const sent = emulator
    .requests()
    .slice(before)
    .map((entry) => `${entry.method} ${entry.route}`)
  return { result, sent }
}

describe('the bead start query', () => {
  it("validates against GitHub's published schema, as do the bead issues queries of any size", () => {
    for (const query of [BEAD_START_QUERY, beadIssuesQuery(0), beadIssuesQuery(1), beadIssuesQuery(5)]) {
      expect(validate(published, parse(query)).map((e) => e.message)).toEqual([])
    }
  })

  it("reads the default branch head, the config on it and the bead with its goal as parent and the goal's beads, in one request", async () => {
    const alice = octokitAs(emulator, 'alice')
    const head = await pushToMain({ [CONFIG]: 'max_attempts: 2\n' })
    const goal = await alice.rest.issues.create({ ...repo, title: 'Goal', body: 'the aim' })
    const bead = await alice.rest.issues.create({
      ...repo,
      title: 'Bead',
      body: 'do it',
      labels: ['gastown:bead', 'own'],
    })
    const sibling = await alice.rest.issues.create({ ...repo, title: 'Sibling', body: 'done before' })
    for (const sub of [bead, sibling]) {
      await alice.rest.issues.addSubIssue({
        ...repo,
        issue_number: goal.data.number,
        sub_issue_id: sub.data.id,
      })
    }

    const { result, sent } = await sentDuring(() =>
      readBeadStart(alice, repo, { bead: bead.data.number, configPath: CONFIG }),
    )

    expect(sent).toEqual(['POST /graphql'])
    expect(result.defaultBranch).toEqual({ name: 'main', headSha: head })
    expect(result.configText).toBe('max_attempts: 2\n')
    expect(result.bead).toMatchObject({
      id: bead.data.id,
      node_id: bead.data.node_id,
      number: bead.data.number,
      title: 'Bead',
      body: 'do it',
      user: 'alice',
      state: 'open',
      state_reason: null,
      labels: ['gastown:bead', 'own'],
      html_url: bead.data.html_url,
      created_at: bead.data.created_at,
    })
    expect(result.parent).toEqual({ number: goal.data.number, title: 'Goal', body: 'the aim' })
    // The goal's beads came along: a dependency among them needs no request of its own.
    expect(result.siblings.map((issue) => [issue.number, issue.title, issue.body])).toEqual([
      [bead.data.number, 'Bead', 'do it'],
      [sibling.data.number, 'Sibling', 'done before'],
    ])
  })

  it('answers no config when the file is missing, and a null bead for a number that is no issue', async () => {
    const alice = octokitAs(emulator, 'alice')
    const pull = await openPull(emulator, 'feature', { [CONFIG]: 'max_attempts: 9\n' })
    const missing = await readBeadStart(alice, repo, { bead: 99, configPath: CONFIG })
    expect(missing).toMatchObject({ configText: null, bead: null, parent: null })
    expect(missing.defaultBranch?.name).toBe('main')
    // A pull request's number is no issue either, and the config on its branch is not the default's.
    const onPull = await readBeadStart(alice, repo, { bead: pull.number, configPath: CONFIG })
    expect(onPull).toMatchObject({ configText: null, bead: null })
  })

  it('reads a text GitHub truncated again, whole, through the contents API', async () => {
    const text = `# ${'x'.repeat(200)}\nmax_attempts: 3\n`
    await pushToMain({ [CONFIG]: text })
    const alice = octokitAs(emulator, 'alice')
    const bead = await alice.rest.issues.create({ ...repo, title: 'Bead' })
    // GitHub truncates a large blob's text; the emulator never does, so the answer is cut here.
    const truncating: GitHubApi = {
      request: alice.request,
      graphql: (async (query: string, variables?: Record<string, unknown>) => {
        const answer = await alice.graphql<BeadStartAnswer>(query, variables)
        Object.assign(answer.repository!.config!, { text: text.slice(0, 10), isTruncated: true })
        return answer
      }) as GitHubApi['graphql'],
    }
    const { result, sent } = await sentDuring(() =>
      readBeadStart(truncating, repo, { bead: bead.data.number, configPath: CONFIG }),
    )
    expect(result.configText).toBe(text)
    expect(sent).toEqual(['POST /graphql', 'GET /repos/{owner}/{repo}/contents/{path}'])
  })

  it('answers no default branch while the default branch has no commit', async () => {
    await emulator.git.deleteRef('alice/town', 'refs/heads/main')
    const start = await readBeadStart(octokitAs(emulator, 'alice'), repo, { bead: 1, configPath: CONFIG })
    expect(start).toMatchObject({ defaultBranch: null, configText: null, bead: null })
  })
})

describe('the bead issues query', () => {
  it('reads the goal and every dependency in one request; a number that is no issue answers null', async () => {
    const alice = octokitAs(emulator, 'alice')
    const goal = await alice.rest.issues.create({ ...repo, title: 'Goal', body: 'the aim' })
    const first = await alice.rest.issues.create({ ...repo, title: 'First', labels: ['gastown:bead'] })
    const pull = await openPull(emulator, 'feature', { 'a.txt': 'a\n' })
    const second = await alice.rest.issues.create({ ...repo, title: 'Second', body: 'two' })

    const { result, sent } = await sentDuring(() =>
      readBeadIssues(alice, repo, {
        goal: goal.data.number,
        numbers: [first.data.number, 404, pull.number, second.data.number],
      }),
    )

    expect(sent).toEqual(['POST /graphql'])
    expect(result.goal).toEqual({ number: goal.data.number, title: 'Goal', body: 'the aim' })
    expect(result.issues.map((issue) => issue?.number ?? null)).toEqual([
      first.data.number,
      null,
      null,
      second.data.number,
    ])
    expect(result.issues[0]).toMatchObject({ title: 'First', labels: ['gastown:bead'], user: 'alice' })
    expect(result.issues[3]).toMatchObject({ title: 'Second', body: 'two' })
  })

  it('answers a null goal for a goal number that is no issue, and sends nothing when asked for nothing', async () => {
    const alice = octokitAs(emulator, 'alice')
    expect(await readBeadIssues(alice, repo, { goal: 77, numbers: [] })).toEqual({ goal: null, issues: [] })
    const { result, sent } = await sentDuring(() => readBeadIssues(alice, repo, { numbers: [] }))
    expect(result).toEqual({ goal: undefined, issues: [] })
    expect(sent).toEqual([])
  })

  it('fails on an error other than a missing issue', async () => {
    await expect(
      readBeadIssues(octokitAs(emulator, 'alice'), { owner: 'alice', repo: 'nowhere' }, { numbers: [1] }),
    ).rejects.toThrow(/Could not resolve to a Repository/)
  })
})
