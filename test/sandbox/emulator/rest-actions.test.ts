import { mkdtemp, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Octokit } from '@octokit/rest'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import type { Emulator } from '../../../src/sandbox/emulator/emulator.js'
import { octokitAs, quietLog, startTown, statusOf } from './emulator-fixture.js'
import { startReceiver, type WebhookReceiver } from './webhook-receiver.js'

/** A worker-like workflow: comments on the bead with the run's GITHUB_TOKEN and leaves the token for the test. */
const workerWorkflow = `name: worker
on:
  workflow_dispatch:
    inputs:
      bead:
        required: true
      tokenfile:
        required: true
# The run's token carries these alone (a workflow without them gets contents: read).
permissions:
  issues: write
jobs:
  work:
    runs-on: ubuntu-latest
    steps:
      - id: comment
        env:
          GH_TOKEN: \${{ secrets.GITHUB_TOKEN }}
        run: |
          printf %s "$GH_TOKEN" > "\${{ inputs.tokenfile }}"
          node -e "fetch(process.env.GITHUB_API_URL + '/repos/' + process.env.GITHUB_REPOSITORY + '/issues/\${{ inputs.bead }}/comments', { method: 'POST', headers: { authorization: 'token ' + process.env.GH_TOKEN, 'content-type': 'application/json' }, body: JSON.stringify({ body: 'worker was here' }) }).then((r) => process.exit(r.status === 201 ? 0 : 1))"
`

/** A run that never ends by itself. */
const hangingWorkflow = `name: hang
on: workflow_dispatch
jobs:
  hang:
    runs-on: ubuntu-latest
    steps:
      - run: node -e "setInterval(() => {}, 1000)"
`

let emulator: Emulator
let receiver: WebhookReceiver
let scratch: string

beforeEach(async () => {
  receiver = await startReceiver()
  scratch = await mkdtemp(join(tmpdir(), 'gastown-actions-test-'))
  emulator = await startTown({ webhookUrl: receiver.url })
  await emulator.createRepo({
    owner: 'alice',
    name: 'work',
    files: { '.github/workflows/worker.yml': workerWorkflow, '.github/workflows/hang.yml': hangingWorkflow },
    access: { bob: 'write', rita: 'read' },
  })
})

afterEach(async () => {
  await emulator?.close()
  await receiver?.close()
  await rm(scratch, { recursive: true, force: true })
})

describe('workflow dispatch and runs', () => {
  it('answers 200 with run details when asked, runs the workflow with a GITHUB_TOKEN acting as github-actions[bot], then revokes it', async () => {
    const bob = octokitAs(emulator, 'bob')
    await bob.rest.issues.create({ owner: 'alice', repo: 'work', title: 'bead' })
    const tokenfile = join(scratch, 'token')
    const answer = await bob.request(
      'POST /repos/{owner}/{repo}/actions/workflows/{workflow_id}/dispatches',
      {
        owner: 'alice',
        repo: 'work',
        workflow_id: 'worker.yml',
        ref: 'main',
        inputs: { bead: '1', tokenfile },
        return_run_details: true,
      },
    )
    expect(answer.status).toBe(200)
    const details = answer.data as { workflow_run_id: number; run_url: string; html_url: string }
    expect(details.run_url).toBe(
      `${emulator.apiUrl}/repos/alice/work/actions/runs/${details.workflow_run_id}`,
    )
    await emulator.runner.idle()
    await emulator.settled()

    const run = await bob.rest.actions.getWorkflowRun({
      owner: 'alice',
      repo: 'work',
      run_id: details.workflow_run_id,
    })
    expect(run.data).toMatchObject({
      status: 'completed',
      conclusion: 'success',
      event: 'workflow_dispatch',
      head_branch: 'main',
      actor: { login: 'bob' },
    })
    const comments = await bob.rest.issues.listComments({ owner: 'alice', repo: 'work', issue_number: 1 })
    expect(comments.data).toMatchObject([
      { body: 'worker was here', user: { login: 'github-actions[bot]', type: 'Bot' } },
    ])
    const token = await readFile(tokenfile, 'utf8')
    const afterRun = new Octokit({ baseUrl: emulator.apiUrl, auth: token, log: quietLog })
    expect(
      (await statusOf(afterRun.rest.issues.get({ owner: 'alice', repo: 'work', issue_number: 1 }))).status,
    ).toBe(401)

    const runEvents = receiver.received
      .filter((d) => d.headers['x-github-event'] === 'workflow_run')
      .map((d) => String(d.payload.action))
    expect(runEvents).toEqual(['requested', 'in_progress', 'completed'])
    expect(emulator.violations()).toEqual([])
  })

  it('answers 204 without run details, lists runs per repository and per workflow with a status filter', async () => {
    const bob = octokitAs(emulator, 'bob')
    await bob.rest.issues.create({ owner: 'alice', repo: 'work', title: 'bead' })
    const plain = await bob.rest.actions.createWorkflowDispatch({
      owner: 'alice',
      repo: 'work',
      workflow_id: 'worker.yml',
      ref: 'main',
      inputs: { bead: '1', tokenfile: join(scratch, 't1') },
    })
    expect(plain.status).toBe(204)
    await emulator.runner.idle()
    const all = await bob.rest.actions.listWorkflowRunsForRepo({ owner: 'alice', repo: 'work' })
    expect(all.data.total_count).toBe(1)
    const perWorkflow = await bob.rest.actions.listWorkflowRuns({
      owner: 'alice',
      repo: 'work',
      workflow_id: 'worker.yml',
      status: 'success',
    })
    expect(perWorkflow.data.workflow_runs.map((r) => r.conclusion)).toEqual(['success'])
    const byId = await bob.rest.actions.listWorkflowRuns({
      owner: 'alice',
      repo: 'work',
      workflow_id: all.data.workflow_runs[0]?.workflow_id ?? 0,
    })
    expect(byId.data.total_count).toBe(1)
    const none = await bob.rest.actions.listWorkflowRuns({
      owner: 'alice',
      repo: 'work',
      workflow_id: 'worker.yml',
      status: 'in_progress',
    })
    expect(none.data.total_count).toBe(0)
    expect(
      (
        await statusOf(
          bob.rest.actions.createWorkflowDispatch({
            owner: 'alice',
            repo: 'work',
            workflow_id: 'missing.yml',
            ref: 'main',
          }),
        )
      ).status,
    ).toBe(404)
    expect(
      (
        await statusOf(
          bob.rest.actions.createWorkflowDispatch({
            owner: 'alice',
            repo: 'work',
            workflow_id: 'worker.yml',
            ref: 'main',
          }),
        )
      ).status,
    ).toBe(422)
    expect(
      (
        await statusOf(
          octokitAs(emulator, 'rita').rest.actions.createWorkflowDispatch({
            owner: 'alice',
            repo: 'work',
            workflow_id: 'worker.yml',
            ref: 'main',
            inputs: { bead: '1', tokenfile: 'x' },
          }),
        )
      ).status,
    ).toBe(403)
    await emulator.settled()
    expect(emulator.violations()).toEqual([])
  })

  it('cancels a run through the API', async () => {
    const bob = octokitAs(emulator, 'bob')
    const answer = await bob.request(
      'POST /repos/{owner}/{repo}/actions/workflows/{workflow_id}/dispatches',
      { owner: 'alice', repo: 'work', workflow_id: 'hang.yml', ref: 'main', return_run_details: true },
    )
    const runId = (answer.data as { workflow_run_id: number }).workflow_run_id
    expect(
      (await bob.rest.actions.cancelWorkflowRun({ owner: 'alice', repo: 'work', run_id: runId })).status,
    ).toBe(202)
    await emulator.runner.idle()
    expect(
      (await bob.rest.actions.getWorkflowRun({ owner: 'alice', repo: 'work', run_id: runId })).data
        .conclusion,
    ).toBe('cancelled')
    await emulator.settled()
    expect(emulator.violations()).toEqual([])
  })
})
