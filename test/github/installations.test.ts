/**
 * The app's installations and their repositories, listed through every page by following GitHub's
 * `Link` headers, against the emulator over HTTP with pages small enough that a short list spans several.
 */
import { Probot } from 'probot'
import { afterEach, describe, expect, it } from 'vitest'
import type { GitHubApi } from '../../src/github/client.js'
import { getAppBotLogin, listInstallationIds, listInstallationRepos } from '../../src/github/installations.js'
import type { Emulator } from '../../src/sandbox/emulator/emulator.js'
import { startTown } from '../sandbox/emulator/emulator-fixture.js'

let emulator: Emulator | undefined

afterEach(async () => {
  await emulator?.close()
  emulator = undefined
})

/** Probot's own clients, as the Mayor gets them: as the app, or as one installation. */
function probotFor(target: Emulator): (installation?: number) => Promise<GitHubApi> {
  const probot = new Probot({
    appId: target.appId,
    privateKey: target.appPrivateKey,
    secret: target.webhookSecret,
    baseUrl: target.apiUrl,
    logLevel: 'fatal',
  })
  return (installation) => probot.auth(installation)
}

/** How many pages of `route` the emulator served. */
function pagesServed(target: Emulator, route: string): number {
  return target.requests().filter((entry) => entry.method === 'GET' && entry.route === route).length
}

describe('the app and its installations', () => {
  it("reads the app's bot login", async () => {
    emulator = await startTown()
    expect(await getAppBotLogin(await probotFor(emulator)())).toBe('gastown[bot]')
  })

  it('lists every installation across pages, following the Link header', async () => {
    emulator = await startTown()
    for (const account of ['bob', 'tina', 'rita', 'zed']) emulator.installApp(account)
    const all = [...emulator.state.installations.values()].map((installation) => installation.id)
    expect(all.length).toBe(5)

    expect(await listInstallationIds(await probotFor(emulator)(), { perPage: 2 })).toEqual(all)
    expect(pagesServed(emulator, '/app/installations')).toBe(3)
  })

  it('lists every repository of an installation across pages', async () => {
    emulator = await startTown()
    for (const name of ['api', 'web', 'docs', 'ops']) await emulator.createRepo({ owner: 'alice', name })
    const installation = emulator.state.installationFor('alice')!

    const repos = await listInstallationRepos(await probotFor(emulator)(installation.id), { perPage: 2 })
    expect(repos.map((repo) => `${repo.owner}/${repo.repo}`).sort()).toEqual(
      ['alice/api', 'alice/docs', 'alice/ops', 'alice/town', 'alice/web'].sort(),
    )
    expect(pagesServed(emulator, '/installation/repositories')).toBe(3)
  })
})
