import { Octokit } from '@octokit/rest'
import { afterEach, describe, expect, it } from 'vitest'
import type { Emulator } from '../../../src/sandbox/emulator/emulator.js'
import { registeredAppPermissions } from '../../../src/sandbox/emulator/app-manifest.js'
import { neededPermission, workflowTokenPermissions } from '../../../src/sandbox/emulator/permissions.js'
import { allRoutes } from '../../../src/sandbox/emulator/routes/index.js'
import { quietLog, startTown } from './emulator-fixture.js'

let emulator: Emulator | undefined

afterEach(async () => {
  await emulator?.close()
  emulator = undefined
})

const repo = { owner: 'alice', repo: 'town' }

const client = (e: Emulator, token: string) => new Octokit({ baseUrl: e.apiUrl, auth: token, log: quietLog })

/** An installation token of the app on alice's account, as the access-token route issues it. */
function installationToken(e: Emulator): string {
  return e.actors.createInstallationToken(e.state.installationFor('alice')!.id).token
}

async function refused(
  promise: Promise<unknown>,
): Promise<{ status: number; message: string; docs?: string }> {
  try {
    await promise
  } catch (error) {
    const e = error as { status: number; response: { data: { message: string; documentation_url?: string } } }
    return { status: e.status, message: e.response.data.message, docs: e.response.data.documentation_url }
  }
  throw new Error('expected the request to be refused, but it succeeded')
}

describe('installation tokens carry the permissions the app registered', () => {
  it("has app.yml's permissions by default", async () => {
    emulator = await startTown()
    const registered = registeredAppPermissions()
    expect(registered).toMatchObject({
      issues: 'write',
      contents: 'write',
      actions: 'write',
      metadata: 'read',
    })
    const token = installationToken(emulator)
    const api = client(emulator, token)
    expect((await api.rest.issues.create({ ...repo, title: 'a bead' })).status).toBe(201)
  })

  it('refuses a request outside them with 403 "Resource not accessible by integration" and the doc link', async () => {
    emulator = await startTown({ appPermissions: { issues: 'write', contents: 'read', metadata: 'read' } })
    const token = installationToken(emulator)
    const api = client(emulator, token)
    expect((await api.rest.issues.create({ ...repo, title: 'a bead' })).status).toBe(201)
    expect((await api.rest.repos.get(repo)).status).toBe(200)
    const sha = (await emulator.git.resolveRef('alice/town', 'refs/heads/main'))!
    const ref = await refused(api.rest.git.createRef({ ...repo, ref: 'refs/gastown/claims/1-1', sha }))
    expect(ref).toEqual({
      status: 403,
      message: 'Resource not accessible by integration',
      docs: 'https://docs.github.com/rest/git/refs#create-a-reference',
    })
    const dispatch = await refused(
      api.rest.actions.createWorkflowDispatch({ ...repo, workflow_id: 'worker.yml', ref: 'main' }),
    )
    expect(dispatch.status).toBe(403)
    const pulls = await refused(api.rest.pulls.list(repo))
    expect(pulls.status).toBe(403)
  })
})

describe("a workflow run's GITHUB_TOKEN carries the workflow's permissions", () => {
  it('maps `permissions:` to the token: named scopes only, read-all, write-all, and the repository default', () => {
    expect(
      workflowTokenPermissions({ issues: 'write', 'pull-requests': 'read', actions: 'none' }, 'write'),
    ).toEqual({
      issues: 'write',
      pull_requests: 'read',
    })
    expect(workflowTokenPermissions('read-all', 'write').contents).toBe('read')
    expect(workflowTokenPermissions('write-all', 'read').pull_requests).toBe('write')
    expect(workflowTokenPermissions(undefined, 'read')).toEqual({ contents: 'read', packages: 'read' })
  })

  it('refuses writes beyond them, and Projects v2 whatever they say', async () => {
    emulator = await startTown()
    const token = emulator.actors.createRunToken(
      'alice/town',
      workflowTokenPermissions({ issues: 'write' }, 'read'),
    )
    const api = client(emulator, token)
    expect((await api.rest.issues.create({ ...repo, title: 'from a run' })).status).toBe(201)
    const sha = (await emulator.git.resolveRef('alice/town', 'refs/heads/main'))!
    expect((await refused(api.rest.git.createRef({ ...repo, ref: 'refs/heads/x', sha }))).status).toBe(403)
    const board = await fetch(emulator.graphqlUrl, {
      method: 'POST',
      headers: { authorization: `bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ query: 'query { user(login: "alice") { projectV2(number: 1) { id } } }' }),
    })
    const answer = (await board.json()) as { errors?: { type: string; message: string }[] }
    expect(answer.errors?.[0]).toMatchObject({
      type: 'FORBIDDEN',
      message: 'Resource not accessible by integration',
    })
  })
})

describe('the route table', () => {
  it('names the permission of every emulated route (or says it needs none)', () => {
    const unknown = Object.keys(allRoutes).filter((key) => {
      const [method, template] = key.split(' ') as [string, string]
      return neededPermission(method, template) === undefined
    })
    expect(unknown).toEqual([])
    expect(neededPermission('PUT', '/repos/{owner}/{repo}/pulls/{pull_number}/merge')).toEqual({
      names: ['contents'],
      access: 'write',
    })
    expect(neededPermission('GET', '/repos/{owner}/{repo}/issues/{issue_number}/comments')).toEqual({
      names: ['issues', 'pull_requests'],
      access: 'read',
    })
  })
})
