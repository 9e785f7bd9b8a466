import { Octokit } from '@octokit/rest'
import { throttling } from '@octokit/plugin-throttling'
import { afterEach, describe, expect, it } from 'vitest'
import type { Emulator } from '../../../src/sandbox/emulator/emulator.js'
import type { FaultRule } from '../../../src/sandbox/emulator/faults.js'
import { octokitAs, quietLog, startTown, statusOf } from './emulator-fixture.js'
import { startReceiver, type WebhookReceiver } from './webhook-receiver.js'

let emulator: Emulator | undefined
let receiver: WebhookReceiver | undefined

afterEach(async () => {
  await emulator?.close()
  await receiver?.close()
  emulator = undefined
  receiver = undefined
})

const getIssue = 'GET /repos/{owner}/{repo}/issues/{issue_number}'

async function town(faults: FaultRule[], seed = 1): Promise<Emulator> {
  receiver = await startReceiver()
  emulator = await startTown({ faults, seed, webhookUrl: receiver.url })
  await octokitAs(emulator, 'alice').rest.issues.create({ owner: 'alice', repo: 'town', title: 'target' })
  return emulator
}

describe('fault injection', () => {
  it('answers a 5xx on a chosen route for as many times as asked', async () => {
    const e = await town([{ kind: 'status', route: getIssue, status: 502, times: 1 }])
    const bob = octokitAs(e, 'bob')
    expect(
      (await statusOf(bob.rest.issues.get({ owner: 'alice', repo: 'town', issue_number: 1 }))).status,
    ).toBe(502)
    expect((await bob.rest.issues.get({ owner: 'alice', repo: 'town', issue_number: 1 })).status).toBe(200)
    expect(e.faults.injected()).toEqual([{ kind: 'status', target: `GET ${getIssue.slice(4)}` }])
    expect(
      e
        .requests()
        .filter((r) => r.fault)
        .map((r) => r.status),
    ).toEqual([502])
  })

  it('answers a secondary rate limit as GitHub does, which the throttling plugin recognises and retries', async () => {
    const e = await town([{ kind: 'secondary-rate-limit', route: getIssue, retryAfter: 0, times: 1 }])
    const raw = await fetch(`${e.apiUrl}/repos/alice/town/issues/1`, {
      headers: { authorization: `token ${e.tokenFor('bob')}` },
    })
    expect(raw.status).toBe(403)
    expect(raw.headers.get('retry-after')).toBe('0')
    expect(((await raw.json()) as { message: string }).message).toMatch(
      /^You have exceeded a secondary rate limit/,
    )
    // The plugin reads `retry-after: 0` as missing and falls back to 60 s, so the retried fault says 1 s.
    e.faults.add({ kind: 'secondary-rate-limit', route: getIssue, retryAfter: 1, times: 1 })
    const limited: number[] = []
    const Throttled = Octokit.plugin(throttling)
    const octokit = new Throttled({
      baseUrl: e.apiUrl,
      auth: e.tokenFor('bob'),
      log: quietLog,
      throttle: {
        onRateLimit: () => false,
        onSecondaryRateLimit: (retryAfter: number) => {
          limited.push(retryAfter)
          return true
        },
      },
    })
    expect((await octokit.rest.issues.get({ owner: 'alice', repo: 'town', issue_number: 1 })).status).toBe(
      200,
    )
    expect(limited).toEqual([1])
  })

  it('delays answers by the configured latency', async () => {
    const e = await town([{ kind: 'latency', route: getIssue, ms: 60, times: 1 }])
    await octokitAs(e, 'bob').rest.issues.get({ owner: 'alice', repo: 'town', issue_number: 1 })
    const entry = e.requests().find((r) => r.route === getIssue.slice(4))
    expect(entry?.ms).toBeGreaterThanOrEqual(50)
    expect(e.faults.injected().map((f) => f.kind)).toEqual(['latency'])
  })

  it('applies a change and then answers 500, so a retry would repeat it', async () => {
    const e = await town([
      {
        kind: 'applied-then-500',
        route: 'POST /repos/{owner}/{repo}/issues/{issue_number}/comments',
        times: 1,
      },
    ])
    const bob = octokitAs(e, 'bob')
    expect(
      (
        await statusOf(
          bob.rest.issues.createComment({ owner: 'alice', repo: 'town', issue_number: 1, body: 'once' }),
        )
      ).status,
    ).toBe(500)
    const comments = await bob.rest.issues.listComments({ owner: 'alice', repo: 'town', issue_number: 1 })
    expect(comments.data.map((c) => c.body)).toEqual(['once'])
  })

  it('drops or duplicates webhook deliveries (a duplicate keeps its delivery id)', async () => {
    const e = await town([
      { kind: 'drop-delivery', event: 'issues.labeled', times: 1 },
      { kind: 'duplicate-delivery', event: 'issue_comment', times: 1 },
    ])
    const bob = octokitAs(e, 'bob')
    await bob.rest.issues.addLabels({
      owner: 'alice',
      repo: 'town',
      issue_number: 1,
      labels: ['gastown:goal'],
    })
    await bob.rest.issues.createComment({ owner: 'alice', repo: 'town', issue_number: 1, body: 'hi' })
    await e.settled()
    const got = receiver?.received.map(
      (d) => `${String(d.headers['x-github-event'])}.${String(d.payload.action)}`,
    )
    expect(got).toEqual(['issues.opened', 'issue_comment.created', 'issue_comment.created'])
    const ids = receiver?.received.slice(1).map((d) => d.headers['x-github-delivery'])
    expect(new Set(ids).size).toBe(1)
    expect(e.deliveries().map((d) => [d.event, d.dropped, d.duplicate])).toEqual([
      ['issues', false, false],
      ['issues', true, false],
      ['issue_comment', false, false],
      ['issue_comment', false, true],
    ])
  })

  it('kills a workflow run once it is in progress', async () => {
    const e = await town([{ kind: 'kill-run', workflow: 'hang.yml', asFailure: true }])
    await e.createRepo({
      owner: 'alice',
      name: 'work',
      files: {
        '.github/workflows/hang.yml':
          'name: hang\non: workflow_dispatch\njobs:\n  hang:\n    runs-on: ubuntu-latest\n    steps:\n      - run: node -e "setInterval(() => {}, 1000)"\n',
      },
    })
    const alice = octokitAs(e, 'alice')
    const answer = await alice.request(
      'POST /repos/{owner}/{repo}/actions/workflows/{workflow_id}/dispatches',
      { owner: 'alice', repo: 'work', workflow_id: 'hang.yml', ref: 'main', return_run_details: true },
    )
    await e.runner.idle()
    const run = await alice.rest.actions.getWorkflowRun({
      owner: 'alice',
      repo: 'work',
      run_id: (answer.data as { workflow_run_id: number }).workflow_run_id,
    })
    expect(run.data).toMatchObject({ status: 'completed', conclusion: 'failure' })
    expect(e.faults.injected().map((f) => f.kind)).toEqual(['kill-run'])
  })

  it('injects faults at random from the seed, the same way on every run with that seed', async () => {
    const pattern = async (seed: number) => {
      const e = await town([{ kind: 'status', route: getIssue, status: 503, probability: 0.5 }], seed)
      const bob = octokitAs(e, 'bob')
      const statuses: number[] = []
      for (let i = 0; i < 12; i++) {
        statuses.push(
          await bob.rest.issues.get({ owner: 'alice', repo: 'town', issue_number: 1 }).then(
            (r) => r.status,
            (err: { status: number }) => err.status,
          ),
        )
      }
      await e.close()
      await receiver?.close()
      emulator = undefined
      receiver = undefined
      return statuses
    }
    const first = await pattern(7)
    expect(first).toContain(503)
    expect(first).toContain(200)
    expect(await pattern(7)).toEqual(first)
  })
})
