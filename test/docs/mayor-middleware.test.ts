/**
 * docs/examples/mayor-middleware.ts, served by node:http as a host would: it answers the emulator's
 * signed delivery, and its promise resolves only once the goal is planned.
 */
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { createMayorHandler } from '../../docs/examples/mayor-middleware.js'
import type { Emulator } from '../../src/sandbox/emulator/emulator.js'
import { octokitAs, startTown } from '../sandbox/emulator/emulator-fixture.js'
import { IDLE_WORKFLOW, planJson } from '../mayor/mayor-fixture.js'

let emulator: Emulator | undefined
let server: Server | undefined
let dir: string | undefined

afterEach(async () => {
  await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()))
  await emulator?.close()
  if (dir) await rm(dir, { recursive: true, force: true })
})

describe('the Mayor as middleware', () => {
  it('answers a delivery, then finishes the work it queued before its promise resolves', async () => {
    emulator = await startTown({
      repos: [
        {
          owner: 'alice',
          name: 'town',
          files: { 'README.md': '# Town\n', '.github/workflows/gastown-worker.yml': IDLE_WORKFLOW },
        },
      ],
    })
    dir = await mkdtemp(path.join(tmpdir(), 'gastown-middleware-'))
    const scenario = path.join(dir, 'planner.yaml')
    await writeFile(
      scenario,
      `name: middleware\nplan:\n  - turns:\n      - content: ${JSON.stringify(planJson([{ key: 'hello', role: 'developer' }]))}\nbeads: {}\n`,
    )
    const handler = await createMayorHandler({
      env: {
        APP_ID: String(emulator.appId),
        PRIVATE_KEY: emulator.appPrivateKey,
        WEBHOOK_SECRET: emulator.webhookSecret,
        GHE_HOST: new URL(emulator.url).host,
        GHE_PROTOCOL: 'http',
        LOG_LEVEL: 'fatal',
        GASTOWN_SCENARIO: scenario,
      },
    })
    const work: Promise<void>[] = []
    server = createServer((req, res) => void work.push(handler.handle(req, res)))
    await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve))
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
    expect((await fetch(`${base}/elsewhere`)).status).toBe(404)
    emulator.setWebhookUrl(`${base}/api/github/webhooks`)

    const alice = octokitAs(emulator, 'alice')
    const { data: goal } = await alice.rest.issues.create({
      owner: 'alice',
      repo: 'town',
      title: 'Say hello',
    })
    await alice.rest.issues.addLabels({
      owner: 'alice',
      repo: 'town',
      issue_number: goal.number,
      labels: ['gastown:goal'],
    })
    await emulator.settled()
    expect(
      emulator
        .deliveries()
        .filter((d) => d.url?.startsWith(base))
        .every((d) => d.status === 200),
    ).toBe(true)
    await Promise.all(work)

    const { data: beads } = await alice.rest.issues.listForRepo({
      owner: 'alice',
      repo: 'town',
      labels: 'gastown:bead',
    })
    expect(beads.map((b) => b.title)).toEqual(['Do hello'])
  })
})
