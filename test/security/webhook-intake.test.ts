/**
 * Who may start a goal, end to end: webhook deliveries posted straight to the Mayor's Probot server
 * (forged, unsigned, replayed) and goals labelled by people and bots without the right to start one.
 */
import { createHmac, randomUUID } from 'node:crypto'
import { afterEach, describe, expect, it } from 'vitest'
import { planJson } from '../mayor/mayor-fixture.js'
import {
  OWNER,
  REPO,
  commentsOn,
  openGoal,
  startChaosTown,
  type ChaosTown,
  type SentDelivery,
} from '../reliability/support/town.js'

let town: ChaosTown | undefined

afterEach(async () => {
  await town?.close()
  town = undefined
})

const PLAN = planJson([
  { key: 'api', role: 'developer' },
  { key: 'tests', role: 'tester', deps: ['api'] },
])

function sign(secret: string, body: string): string {
  return `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`
}

/** Posts a delivery to the Mayor as GitHub would, with the headers given. */
async function post(url: string, headers: Record<string, string>, body: string): Promise<number> {
  const response = await fetch(url, { method: 'POST', headers, body })
  await response.arrayBuffer()
  return response.status
}

/** The recorded `issues` delivery of `action` for issue `number`. */
function recorded(t: ChaosTown, action: string, number: number): SentDelivery {
  const found = t.posted.find((d) => {
    if (d.headers['x-github-event'] !== 'issues') return false
    const payload = JSON.parse(d.body) as { action: string; issue: { number: number } }
    return payload.action === action && payload.issue.number === number
  })
  if (!found) throw new Error(`no issues.${action} delivery for #${number} was recorded`)
  return found
}

describe('webhook deliveries', () => {
  it('rejects a forged or missing signature and does nothing, though the same payload signed is acted on', async () => {
    town = await startChaosTown({ plans: [PLAN] })
    // The goal is labelled by its owner, but that delivery is lost: only forged ones reach the Mayor.
    town.emulator.faults.add({ kind: 'drop-delivery', event: 'issues.labeled', times: 1 })
    const { data: issue } = await town.as(OWNER).rest.issues.create({
      owner: OWNER,
      repo: REPO,
      title: 'Build a todo API',
      body: 'A REST API for a todo list.',
    })
    await town.as(OWNER).rest.issues.addLabels({
      owner: OWNER,
      repo: REPO,
      issue_number: issue.number,
      labels: ['gastown:goal'],
    })
    await town.settle()
    const template = recorded(town, 'opened', issue.number)
    const payload = JSON.parse(template.body) as Record<string, unknown> & { issue: { labels: unknown[] } }
    const label = {
      id: 999,
      node_id: 'LA_forged',
      url: '',
      name: 'gastown:goal',
      color: 'ededed',
      default: false,
      description: null,
    }
    const forged = JSON.stringify({
      ...payload,
      action: 'labeled',
      label,
      issue: { ...payload.issue, labels: [label] },
    })
    const base = {
      'content-type': 'application/json',
      'x-github-event': 'issues',
      'user-agent': 'GitHub-Hookshot/forged',
    }
    const sentBefore = town.sent.length

    const attempts: [string, Record<string, string>][] = [
      ['no signature', { ...base, 'x-github-delivery': randomUUID() }],
      [
        'a signature made with another secret',
        { ...base, 'x-github-delivery': randomUUID(), 'x-hub-signature-256': sign('not-the-secret', forged) },
      ],
      [
        'the signature of another body',
        {
          ...base,
          'x-github-delivery': randomUUID(),
          'x-hub-signature-256': template.headers['x-hub-signature-256']!,
        },
      ],
      [
        'a malformed signature',
        { ...base, 'x-github-delivery': randomUUID(), 'x-hub-signature-256': 'sha256=zz' },
      ],
      [
        'only the legacy SHA-1 header',
        {
          ...base,
          'x-github-delivery': randomUUID(),
          'x-hub-signature': `sha1=${createHmac('sha1', town.emulator.webhookSecret).update(forged).digest('hex')}`,
        },
      ],
    ]
    for (const [what, headers] of attempts) {
      const status = await post(town.webhookUrl, headers, forged)
      expect(status, what).toBeGreaterThanOrEqual(400)
      expect(status, what).toBeLessThan(500)
    }
    await town.settle()
    expect(town.sent.slice(sentBefore), 'the Mayor sent no request after forged deliveries').toEqual([])
    expect(town.planRequests).toEqual([])
    expect(await town.beads()).toEqual([])
    expect(await commentsOn(town, issue.number)).toEqual([])

    // The control: the same bytes, signed with the app's secret, do start the goal, so the refusals
    // above are the signature check's doing and nothing else's.
    const status = await post(
      town.webhookUrl,
      {
        ...base,
        'x-github-delivery': randomUUID(),
        'x-hub-signature-256': sign(town.emulator.webhookSecret, forged),
      },
      forged,
    )
    expect(status).toBeLessThan(300)
    await town.settle()
    expect((await town.beads()).map((b) => b.key)).toEqual(['api', 'tests'])
  })

  it('creates nothing twice when a signed delivery is replayed, with its own id, a new id, or to a restarted Mayor', async () => {
    town = await startChaosTown({ plans: [PLAN] })
    const goal = await openGoal(town)
    await town.settle()
    const first = await town.beads()
    expect(first.map((b) => b.key)).toEqual(['api', 'tests'])
    const labelled = recorded(town, 'labeled', goal)

    // The signature covers the body only, so whoever captured a delivery can replay it under any id.
    expect(await post(town.webhookUrl, labelled.headers, labelled.body)).toBeLessThan(300)
    expect(
      await post(town.webhookUrl, { ...labelled.headers, 'x-github-delivery': randomUUID() }, labelled.body),
    ).toBeLessThan(300)
    await town.settle()
    await town.restartMayor()
    expect(
      await post(town.webhookUrl, { ...labelled.headers, 'x-github-delivery': randomUUID() }, labelled.body),
    ).toBeLessThan(300)
    await town.settle()

    expect(await town.beads()).toEqual(first)
    expect((await commentsOn(town, goal)).filter((c) => c.includes('gastown:plan '))).toHaveLength(1)
    expect(town.planRequests).toHaveLength(1)
    expect(town.emulator.runner.list(`${OWNER}/${REPO}`)).toHaveLength(1)
    expect(town.emulator.violations()).toEqual([])
  })
})

describe('who may start a goal', () => {
  it('refuses a goal labelled by the Actions bot of a workflow run, politely, and plans nothing', async () => {
    town = await startChaosTown({ plans: [PLAN] })
    const { data: issue } = await town.as(OWNER).rest.issues.create({
      owner: OWNER,
      repo: REPO,
      title: 'A goal from a workflow',
      body: 'A workflow run labels this; any PR author can make a workflow do that.',
    })
    // The token a workflow run holds: github-actions[bot], with write access to the repository.
    const runToken = town.emulator.actors.createRunToken(`${OWNER}/${REPO}`, { issues: 'write' })
    // Its token may write; say so for the permission lookup too, so only the bot rule stands between.
    town.emulator.state.repos.get(`${OWNER}/${REPO}`)!.access.set('github-actions[bot]', 'write')
    const { Octokit } = await import('@octokit/rest')
    const actions = new Octokit({ baseUrl: town.emulator.apiUrl, auth: runToken })
    await actions.rest.issues.addLabels({
      owner: OWNER,
      repo: REPO,
      issue_number: issue.number,
      labels: ['gastown:goal'],
    })
    await town.settle()
    const said = await commentsOn(town, issue.number)
    expect(said).toHaveLength(1)
    expect(said[0]).toContain('Thanks, @github-actions[bot]')
    expect(said[0]).toContain('write access')
    expect(town.planRequests).toEqual([])
    expect(await town.beads()).toEqual([])
  })

  it('refuses a goal labelled by another app’s bot that has write access', async () => {
    town = await startChaosTown({ plans: [PLAN] })
    // Another app installed on the repository, with write access: a Bot account with its own token.
    town.emulator.state.account('helper-app[bot]', 'Bot')
    town.emulator.state.repos.get(`${OWNER}/${REPO}`)!.access.set('helper-app[bot]', 'write')
    const goal = await openGoal(town, { by: 'helper-app[bot]' })
    await town.settle()
    const said = await commentsOn(town, goal)
    expect(said.filter((c) => c.includes('Thanks, @helper-app[bot]'))).toHaveLength(1)
    expect(town.planRequests).toEqual([])
    expect(await town.beads()).toEqual([])
  })

  it('does nothing for a read user opening an issue with the goal label, which GitHub drops', async () => {
    town = await startChaosTown({ plans: [PLAN] })
    const { data: issue } = await town.as('rita').rest.issues.create({
      owner: OWNER,
      repo: REPO,
      title: 'Please build this',
      body: 'Opened by a reader, with the goal label asked for.',
      labels: ['gastown:goal'],
    })
    await town.settle()
    expect(issue.labels).toEqual([])
    expect(town.posted.filter((d) => JSON.parse(d.body).action === 'labeled')).toEqual([])
    expect(town.planRequests).toEqual([])
    expect(await town.beads()).toEqual([])
    expect(await commentsOn(town, issue.number)).toEqual([])
  })
})
