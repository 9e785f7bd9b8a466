import { createSign } from 'node:crypto'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { Octokit } from '@octokit/rest'
import { createNodeMiddleware, Probot, type ApplicationFunction } from 'probot'
import { afterEach, describe, expect, it } from 'vitest'
import type { Emulator } from '../../../src/sandbox/emulator/emulator.js'
import { signBody } from '../../../src/sandbox/emulator/webhooks.js'
import { octokitAs, quietLog, startTown, statusOf } from './emulator-fixture.js'

let emulator: Emulator | undefined
let server: Server | undefined

afterEach(async () => {
  await emulator?.close()
  await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()))
  emulator = undefined
  server = undefined
})

/** Serves a Probot app on 127.0.0.1 and points the emulator's webhooks at it. */
async function serveApp(target: Emulator, appFn: ApplicationFunction): Promise<string> {
  const probot = new Probot({
    appId: target.appId,
    privateKey: target.appPrivateKey,
    secret: target.webhookSecret,
    baseUrl: target.apiUrl,
    logLevel: 'fatal',
  })
  const middleware = await createNodeMiddleware(appFn, { probot })
  server = createServer((req, res) => {
    void middleware(req, res, () => {
      res.writeHead(404)
      res.end()
    })
  })
  await new Promise<void>((resolve) => server?.listen(0, '127.0.0.1', resolve))
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/github/webhooks`
  target.setWebhookUrl(url)
  return url
}

/** An app JWT signed by hand, issued at `nowSeconds`. */
function appJwt(privateKey: string, appId: number, nowSeconds: number): string {
  const part = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url')
  const unsigned = `${part({ alg: 'RS256', typ: 'JWT' })}.${part({ iat: nowSeconds - 30, exp: nowSeconds + 540, iss: appId })}`
  return `${unsigned}.${createSign('RSA-SHA256').update(unsigned).sign(privateKey, 'base64url')}`
}

describe('a real Probot app against the emulator', () => {
  it('receives signed webhooks and answers through an installation token acting as its bot', async () => {
    emulator = await startTown()
    const seen: { event: string; sender: string }[] = []
    await serveApp(emulator, (app) => {
      app.on('issues.labeled', async (context) => {
        seen.push({ event: 'issues.labeled', sender: context.payload.sender.login })
        if (context.payload.label?.name !== 'gastown:goal') return
        await context.octokit.rest.issues.createComment(context.issue({ body: 'Planning this goal.' }))
      })
      app.on('issue_comment.created', async (context) => {
        seen.push({ event: 'issue_comment.created', sender: context.payload.sender.login })
      })
    })
    await octokitAs(emulator, 'alice').rest.issues.create({
      owner: 'alice',
      repo: 'town',
      title: 'goal',
      labels: ['gastown:goal'],
    })
    await emulator.settled()
    expect(seen).toEqual([
      { event: 'issues.labeled', sender: 'alice' },
      { event: 'issue_comment.created', sender: 'gastown[bot]' },
    ])
    const comments = await octokitAs(emulator, 'alice').rest.issues.listComments({
      owner: 'alice',
      repo: 'town',
      issue_number: 1,
    })
    expect(comments.data).toMatchObject([
      { body: 'Planning this goal.', user: { login: 'gastown[bot]', type: 'Bot' } },
    ])
    expect(emulator.deliveries().map((d) => d.status)).toEqual([200, 200, 200])
    expect(emulator.requests().map((r) => `${r.method} ${r.route} ${r.status}`)).toContain(
      'POST /app/installations/{installation_id}/access_tokens 201',
    )
    expect(emulator.violations()).toEqual([])
  })

  it('has its signature checked by Probot: a forged delivery is refused and reaches no handler', async () => {
    emulator = await startTown()
    const handled: string[] = []
    const url = await serveApp(emulator, (app) => {
      app.on('issues.opened', async (context) => void handled.push(context.payload.issue.title))
    })
    await octokitAs(emulator, 'alice').rest.issues.create({ owner: 'alice', repo: 'town', title: 'genuine' })
    await emulator.settled()
    const body = JSON.stringify({ action: 'opened', issue: { title: 'forged' } })
    const forged = await fetch(url, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'x-github-event': 'issues',
        'x-github-delivery': '00000000-0000-4000-8000-000000000000',
        'x-hub-signature-256': signBody('not-the-secret', body),
      },
      body,
    })
    expect(forged.status).toBeGreaterThanOrEqual(400)
    expect(handled).toEqual(['genuine'])
  })

  it('verifies the app JWT and expires installation tokens after their lifetime', async () => {
    let now = Date.parse('2025-01-01T00:00:00Z')
    emulator = await startTown({ clock: () => now, installationTokenTtlMs: 60 * 60 * 1000 })
    const installationId = emulator.state.installationFor('alice')?.id ?? 0
    const asApp = (jwt: string) => new Octokit({ baseUrl: emulator?.apiUrl, auth: jwt, log: quietLog })
    const jwt = appJwt(emulator.appPrivateKey, emulator.appId, now / 1000)
    expect((await asApp(jwt).rest.apps.getAuthenticated()).data).toMatchObject({
      slug: 'gastown',
      id: emulator.appId,
    })
    const minted = await asApp(jwt).rest.apps.createInstallationAccessToken({
      installation_id: installationId,
    })
    expect(minted.data.token).toMatch(/^ghs_/)
    expect(minted.data.expires_at).toBe('2025-01-01T01:00:00Z')
    const bot = new Octokit({ baseUrl: emulator.apiUrl, auth: minted.data.token, log: quietLog })
    expect(
      (await bot.rest.issues.create({ owner: 'alice', repo: 'town', title: 'by the bot' })).data.user?.login,
    ).toBe('gastown[bot]')

    now += 60 * 60 * 1000
    expect(await statusOf(bot.rest.issues.get({ owner: 'alice', repo: 'town', issue_number: 1 }))).toEqual({
      status: 401,
      message: 'Bad credentials',
    })
    expect((await statusOf(asApp(jwt).rest.apps.getAuthenticated())).status).toBe(401)
    const fresh = appJwt(emulator.appPrivateKey, emulator.appId, now / 1000)
    const again = await asApp(fresh).rest.apps.createInstallationAccessToken({
      installation_id: installationId,
    })
    const renewed = new Octokit({ baseUrl: emulator.apiUrl, auth: again.data.token, log: quietLog })
    expect((await renewed.rest.issues.get({ owner: 'alice', repo: 'town', issue_number: 1 })).status).toBe(
      200,
    )

    const { privateKey: otherKey } = await import('node:crypto').then((c) =>
      c.generateKeyPairSync('rsa', {
        modulusLength: 2048,
        privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
        publicKeyEncoding: { type: 'spki', format: 'pem' },
      }),
    )
    expect(
      await statusOf(asApp(appJwt(otherKey, emulator.appId, now / 1000)).rest.apps.getAuthenticated()),
    ).toEqual({
      status: 401,
      message: 'A JSON web token could not be decoded',
    })
    const repoInstallation = await asApp(fresh).rest.apps.getRepoInstallation({
      owner: 'alice',
      repo: 'town',
    })
    expect(repoInstallation.data.id).toBe(installationId)
    expect((await asApp(fresh).rest.apps.listInstallations()).data.map((i) => i.id)).toEqual([installationId])
    expect(emulator.violations()).toEqual([])
  })
})
