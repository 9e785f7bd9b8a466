import { readFileSync } from 'node:fs'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { createActionsRunner } from '../../../src/sandbox/emulator/actions-runner.js'
import {
  DispatchError,
  type Actor,
  type ActionsRunner,
  type GitHost,
  type WorkflowRun,
} from '../../../src/sandbox/emulator/contracts.js'
import { createGitHost } from '../../../src/sandbox/emulator/git-host.js'
import { authedUrl, clientGit, startGitServer } from './git-test-server.js'

const ECHO_ACTION = fileURLToPath(new URL('../../fixtures/echo-action', import.meta.url))
const REPO = 'acme/widgets'
const SECRET = 's3cret-value'
const ada: Actor = { login: 'ada', id: 7, type: 'User' }
const runBot: Actor = { login: 'github-actions[bot]', id: 41898282, type: 'Bot' }

const ECHO_WORKFLOW = `
name: Echo
on:
  workflow_dispatch:
    inputs:
      who:
        description: Who to greet
        required: true
        type: string
      mode:
        type: choice
        options: [quick, slow]
        default: quick
      fail:
        type: boolean
        default: false
      wait-url:
        type: string
        default: ''
      group:
        type: string
        default: ''
concurrency:
  group: echo-\${{ inputs.group || github.run_id }}
permissions:
  contents: write
jobs:
  echo:
    runs-on: ubuntu-latest
    env:
      JOB_LEVEL: job-\${{ inputs.who }}
    steps:
      - uses: actions/checkout@v4
      - id: echo
        name: Greet \${{ inputs.who }}
        uses: acme/echo@v1
        with:
          message: \${{ inputs.who }} via \${{ github.event.inputs.mode }}
          fail: \${{ inputs.fail }}
          wait-url: \${{ inputs.wait-url }}
          secret value: \${{ secrets.API_KEY }}
      - id: shell
        if: always()
        env:
          FROM_SECRET: \${{ secrets.API_KEY }}
          GREETING: \${{ steps.echo.outputs.greeting }}
        run: |
          echo "canary=\${GASTOWN_CANARY:-absent}" >> "$GITHUB_OUTPUT"
          echo "secret-env=$([ "$FROM_SECRET" = ${SECRET} ] && echo yes || echo no)" >> "$GITHUB_OUTPUT"
          echo "job-level=$JOB_LEVEL" >> "$GITHUB_OUTPUT"
          echo "greeting=$GREETING" >> "$GITHUB_OUTPUT"
          echo "readme=$(cat README.md)" >> "$GITHUB_OUTPUT"
          echo "head=$(git rev-parse HEAD)" >> "$GITHUB_OUTPUT"
          echo "branch=$(git rev-parse --abbrev-ref HEAD)" >> "$GITHUB_OUTPUT"
          echo "FROM_ENV_FILE=carried" >> "$GITHUB_ENV"
          echo "printing $FROM_SECRET"
          echo "## Shell" >> "$GITHUB_STEP_SUMMARY"
      - id: later
        run: |
          echo "env-file=$FROM_ENV_FILE" >> "$GITHUB_OUTPUT"
          echo "secret-anywhere=$(env | grep -c ${SECRET} || true)" >> "$GITHUB_OUTPUT"
`

const BROKEN_WORKFLOW = `
name: Broken
on: workflow_dispatch
jobs:
  broken:
    runs-on: ubuntu-latest
    steps:
      - id: bad
        run: echo "\${{ nosuch.thing }}"
      - id: after
        run: echo "after=ran" >> "$GITHUB_OUTPUT"
`

const TIMEOUT_WORKFLOW = `
name: Timeout
on:
  workflow_dispatch:
    inputs:
      wait-url:
        required: true
jobs:
  slow:
    runs-on: ubuntu-latest
    steps:
      - id: stuck
        uses: acme/echo@v1
        timeout-minutes: 0.002
        with:
          message: stuck
          wait-url: \${{ inputs.wait-url }}
      - id: cleanup
        if: always()
        run: echo "cleanup=ran" >> "$GITHUB_OUTPUT"
`

/** A server the fixture action reports to and waits on: the test decides when each waiting step goes on. */
interface Arrival {
  pid: number
  grandchild: number
  message: string
  release(answer?: string): void
}

async function startSignalServer() {
  const arrivals: Arrival[] = []
  const waiting: ((arrival: Arrival) => void)[] = []
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    let body = ''
    req.setEncoding('utf8')
    req.on('data', (chunk: string) => (body += chunk))
    req.on('end', () => {
      const parsed = JSON.parse(body) as { pid: number; grandchild: number; message: string }
      const arrival = { ...parsed, release: (answer = 'go') => res.end(answer) }
      const waiter = waiting.shift()
      if (waiter) waiter(arrival)
      else arrivals.push(arrival)
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  return {
    url: `http://127.0.0.1:${port}/wait`,
    next: (): Promise<Arrival> => {
      const ready = arrivals.shift()
      return ready ? Promise.resolve(ready) : new Promise((resolve) => waiting.push(resolve))
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections()
        server.close(() => resolve())
      }),
  }
}

/** Whether a process exists and is not a zombie waiting to be reaped. */
function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0)
  } catch {
    return false
  }
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
    return stat.slice(stat.lastIndexOf(')') + 2)[0] !== 'Z'
  } catch {
    return false
  }
}

let dir: string
let host: GitHost
let gitServer: { url: string; close(): Promise<void> }
let signals: Awaited<ReturnType<typeof startSignalServer>>
let headSha: string
let runners: ActionsRunner[]

function tokenOf(run: WorkflowRun): string {
  return `ghs_run_${run.id}`
}

function makeRunner(
  concurrency = 2,
  gitHost: GitHost = host,
): { runner: ActionsRunner; events: WorkflowRun[] } {
  const runner = createActionsRunner({
    gitHost,
    workRoot: join(dir, `work-${runners.length}`),
    concurrency,
    serverUrl: 'http://127.0.0.1:9/',
    apiUrl: 'http://127.0.0.1:9/api/v3',
    graphqlUrl: 'http://127.0.0.1:9/api/graphql',
    gitUrl: gitServer.url,
    actions: { 'acme/echo': ECHO_ACTION },
    secrets: { API_KEY: SECRET },
    tokenFor: tokenOf,
  })
  const events: WorkflowRun[] = []
  runner.onUpdate((run) => events.push(run))
  runners.push(runner)
  return { runner, events }
}

const dispatchEcho = (runner: ActionsRunner, inputs: Record<string, string>, ref = 'main') =>
  runner.dispatch({ repo: REPO, workflow: 'echo.yml', ref, inputs, actor: ada })

/** Resolves when an update satisfies the predicate (already seen or still to come). */
function waitForUpdate(
  runner: ActionsRunner,
  events: WorkflowRun[],
  predicate: (run: WorkflowRun) => boolean,
) {
  const seen = events.find(predicate)
  if (seen) return Promise.resolve(seen)
  return new Promise<WorkflowRun>((resolve) => {
    runner.onUpdate((run) => {
      if (predicate(run)) resolve(run)
    })
  })
}

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'actions-runner-test-'))
  host = createGitHost({
    root: join(dir, 'repos'),
    authorize: (req) => {
      const header = req.headers.authorization ?? ''
      const decoded = Buffer.from(header.replace(/^basic /i, ''), 'base64').toString('utf8')
      const token = decoded.slice(decoded.indexOf(':') + 1)
      return token.startsWith('ghs_run_') ? { actor: runBot, permission: () => 'write' } : null
    },
  })
  gitServer = await startGitServer(host)
  signals = await startSignalServer()
  runners = []
  ;({ headSha } = await host.createRepo(REPO, {
    defaultBranch: 'main',
    files: {
      'README.md': 'main readme',
      '.github/workflows/echo.yml': ECHO_WORKFLOW,
      '.github/workflows/broken.yml': BROKEN_WORKFLOW,
      '.github/workflows/timeout.yml': TIMEOUT_WORKFLOW,
    },
  }))
  process.env.GASTOWN_CANARY = 'leaked-from-parent'
})

afterEach(async () => {
  delete process.env.GASTOWN_CANARY
  for (const runner of runners) await runner.close()
  await signals.close()
  await gitServer.close()
  await host.close()
  await rm(dir, { recursive: true, force: true })
})

describe('createActionsRunner', () => {
  it('runs a dispatched workflow from queued through in_progress to a successful completion', async () => {
    const { runner, events } = makeRunner()
    const run = await dispatchEcho(runner, { who: 'Ada' })
    expect(run).toMatchObject({
      id: 9000001,
      run_number: 1,
      status: 'queued',
      name: 'Echo',
      path: '.github/workflows/echo.yml',
      head_branch: 'main',
      head_sha: headSha,
      inputs: { who: 'Ada', mode: 'quick', fail: 'false', 'wait-url': '', group: '' },
    })
    await runner.idle()
    const done = runner.get(run.id)
    expect(events.filter((event) => event.id === run.id).map((event) => event.status)).toEqual([
      'queued',
      'in_progress',
      'completed',
    ])
    expect(done?.conclusion).toBe('success')
    expect(done?.run_started_at).not.toBeNull()
    expect(done?.outputs.echo).toMatchObject({
      greeting: 'Hello, Ada via quick',
      multi: 'line one\nline two',
      token: `ghs_run_${run.id}`,
      'secret-input': SECRET,
    })
    expect(done?.outputs.shell).toMatchObject({ greeting: 'Hello, Ada via quick', 'job-level': 'job-Ada' })
    expect(done?.outputs.later).toEqual({ 'env-file': 'carried', 'secret-anywhere': '0' })
    expect(done?.summary).toBe('### Echo\nAda via quick\n## Shell\npost saw started=yes\n')
    expect(done?.log).toContain('echo: Ada via quick')
    expect(done?.log).toContain('##[group]Greet Ada')
  })

  it('gives steps the runner environment of GitHub and nothing else of the parent process', async () => {
    const { runner } = makeRunner()
    const run = await dispatchEcho(runner, { who: 'Ada' })
    await runner.idle()
    const done = runner.get(run.id)
    const names = JSON.parse(done?.outputs.echo?.['env-names'] ?? '[]') as string[]
    for (const name of [
      'CI',
      'GITHUB_ACTIONS',
      'GITHUB_REPOSITORY',
      'GITHUB_REPOSITORY_OWNER',
      'GITHUB_RUN_ID',
      'GITHUB_RUN_NUMBER',
      'GITHUB_RUN_ATTEMPT',
      'GITHUB_WORKFLOW',
      'GITHUB_JOB',
      'GITHUB_ACTOR',
      'GITHUB_EVENT_NAME',
      'GITHUB_EVENT_PATH',
      'GITHUB_SHA',
      'GITHUB_REF',
      'GITHUB_REF_NAME',
      'GITHUB_WORKSPACE',
      'GITHUB_OUTPUT',
      'GITHUB_STEP_SUMMARY',
      'GITHUB_ENV',
      'GITHUB_PATH',
      'GITHUB_STATE',
      'RUNNER_TEMP',
      'RUNNER_OS',
      'RUNNER_ARCH',
      'RUNNER_NAME',
      'GITHUB_SERVER_URL',
      'GITHUB_API_URL',
      'GITHUB_GRAPHQL_URL',
      'INPUT_MESSAGE',
      'INPUT_SECRET_VALUE',
      'INPUT_WAIT-URL',
    ]) {
      expect(names).toContain(name)
    }
    expect(names).not.toContain('GASTOWN_CANARY')
    expect(names.filter((name) => name.startsWith('VITEST'))).toEqual([])
    expect(done?.outputs.shell?.canary).toBe('absent')
  })

  it('lets secrets reach a step only through with: and env:, and masks them in the log', async () => {
    const { runner } = makeRunner()
    const run = await dispatchEcho(runner, { who: 'Ada' })
    await runner.idle()
    const done = runner.get(run.id)
    expect(done?.outputs.echo?.['secret-input']).toBe(SECRET)
    expect(done?.outputs.shell?.['secret-env']).toBe('yes')
    expect(done?.outputs.later?.['secret-anywhere']).toBe('0')
    expect(done?.log).not.toContain(SECRET)
    expect(done?.log).not.toContain(`ghs_run_${run.id}`)
    expect(done?.log).toContain('secret in log: ***')
    expect(done?.log).toContain('printing ***')
    expect(done?.log).toContain('this line hides ***')
    expect(done?.log).not.toContain('masked-by-command')
  })

  it('checks out a real clone of the repository at the dispatched ref', async () => {
    const { runner } = makeRunner()
    const work = join(dir, 'client')
    const run = async (args: string[], cwd = work) => {
      const result = await clientGit(args, cwd)
      if (result.code !== 0) throw new Error(`git ${args.join(' ')}: ${result.stderr}`)
      return result.stdout.trim()
    }
    await run(['clone', '--quiet', authedUrl(gitServer.url, 'ghs_run_client', REPO), work], dir)
    await run(['checkout', '--quiet', '-b', 'feature'])
    await writeFile(join(work, 'README.md'), 'feature readme')
    await run(['commit', '--quiet', '-am', 'Feature readme'])
    await run(['push', '--quiet', 'origin', 'feature'])
    const featureSha = await run(['rev-parse', 'HEAD'])

    const dispatched = await dispatchEcho(runner, { who: 'Ada' }, 'feature')
    await runner.idle()
    const done = runner.get(dispatched.id)
    expect(done?.head_sha).toBe(featureSha)
    expect(done?.head_branch).toBe('feature')
    expect(done?.outputs.shell).toMatchObject({
      readme: 'feature readme',
      head: featureSha,
      branch: 'feature',
    })
  })

  it('refuses dispatches that GitHub would refuse, with its messages, and queues nothing', async () => {
    const { runner } = makeRunner()
    const refused = async (request: Parameters<ActionsRunner['dispatch']>[0]) => {
      try {
        await runner.dispatch(request)
      } catch (error) {
        if (error instanceof DispatchError) return { status: error.status, message: error.message }
        throw error
      }
      throw new Error('expected a DispatchError')
    }
    const base = { repo: REPO, workflow: 'echo.yml', ref: 'main', actor: ada }
    expect(await refused({ ...base, inputs: { who: 'Ada', nope: 'x' } })).toEqual({
      status: 422,
      message: 'Unexpected inputs provided: ["nope"]',
    })
    expect(await refused({ ...base, inputs: {} })).toEqual({
      status: 422,
      message: "Required input 'who' not provided",
    })
    expect(await refused({ ...base, inputs: { who: 'Ada', mode: 'fast' } })).toEqual({
      status: 422,
      message: "Provided value 'fast' for input 'mode' not in the list of allowed values",
    })
    expect(await refused({ ...base, ref: 'no-such-branch', inputs: { who: 'Ada' } })).toEqual({
      status: 422,
      message: 'No ref found for: no-such-branch',
    })
    expect((await refused({ ...base, workflow: 'missing.yml', inputs: {} })).status).toBe(404)
    expect(runner.list(REPO)).toEqual([])
  })

  it('concludes failure when a step fails, still running always() steps and skipping the rest', async () => {
    const { runner } = makeRunner()
    const run = await dispatchEcho(runner, { who: 'Ada', fail: 'true' })
    await runner.idle()
    const done = runner.get(run.id)
    expect(done?.conclusion).toBe('failure')
    expect(done?.log).toContain('##[error]asked to fail')
    expect(done?.outputs.shell?.greeting).toBe('Hello, Ada via quick')
    expect(done?.outputs.later).toBeUndefined()
  })

  it('fails the step of an unknown expression with the error in the log', async () => {
    const { runner } = makeRunner()
    const run = await runner.dispatch({
      repo: REPO,
      workflow: 'broken.yml',
      ref: 'main',
      inputs: {},
      actor: ada,
    })
    await runner.idle()
    const done = runner.get(run.id)
    expect(done?.conclusion).toBe('failure')
    expect(done?.log).toContain("Unrecognized named-value: 'nosuch'")
    expect(done?.outputs.after).toBeUndefined()
  })

  it('kills a step that outlives its timeout-minutes, fails it, and still runs always() steps', async () => {
    const { runner } = makeRunner()
    const run = await runner.dispatch({
      repo: REPO,
      workflow: 'timeout.yml',
      ref: 'main',
      inputs: { 'wait-url': signals.url },
      actor: ada,
    })
    // The step waits for an answer that never comes, so only its timeout can end it.
    await runner.idle()
    const done = runner.get(run.id)
    expect(done?.conclusion).toBe('failure')
    expect(done?.log).toContain("##[error]The action 'Run acme/echo@v1' has timed out after 0.002 minutes.")
    expect(done?.outputs.cleanup).toEqual({ cleanup: 'ran' })
  })

  it('serialises two runs of one concurrency group', async () => {
    const { runner, events } = makeRunner(4)
    const first = await dispatchEcho(runner, { who: 'first', group: 'bead-1', 'wait-url': signals.url })
    const arrival = await signals.next()
    const second = await dispatchEcho(runner, { who: 'second', group: 'bead-1' })
    expect(runner.get(first.id)?.status).toBe('in_progress')
    expect(runner.get(second.id)?.status).toBe('queued')
    arrival.release()
    await runner.idle()
    const order = events.map((event) => `${event.id}:${event.status}`)
    expect(order.indexOf(`${second.id}:in_progress`)).toBeGreaterThan(order.indexOf(`${first.id}:completed`))
    expect(runner.get(second.id)?.conclusion).toBe('success')
    expect(runner.get(second.id)?.run_number).toBe(2)
  })

  it('cancels the pending run of a group when a newer one arrives, as GitHub does', async () => {
    const { runner } = makeRunner(4)
    const first = await dispatchEcho(runner, { who: 'first', group: 'bead-2', 'wait-url': signals.url })
    const arrival = await signals.next()
    const pending = await dispatchEcho(runner, { who: 'pending', group: 'bead-2' })
    const newest = await dispatchEcho(runner, { who: 'newest', group: 'bead-2' })
    expect(runner.get(pending.id)).toMatchObject({
      status: 'completed',
      conclusion: 'cancelled',
      run_started_at: null,
    })
    expect(runner.get(newest.id)?.status).toBe('queued')
    arrival.release()
    await runner.idle()
    expect(runner.get(first.id)?.conclusion).toBe('success')
    expect(runner.get(newest.id)?.conclusion).toBe('success')
  })

  it("makes a repository's runs in the order of its events, even when the later event's workflows read faster", async () => {
    await host.createRepo('acme/events', {
      defaultBranch: 'main',
      files: {
        '.github/workflows/on-issues.yml': [
          'name: on-issues',
          'on:',
          '  issues:',
          '    types: [opened, labeled]',
          'concurrency:',
          '  group: issues-${{ github.repository }}',
          'jobs:',
          '  echo:',
          '    runs-on: ubuntu-latest',
          '    steps:',
          '      - run: echo "${{ github.event.action }}"',
          '',
        ].join('\n'),
      },
    })
    // The first event's workflow listing is slow (a cold read); the second's is not.
    let slowed = false
    const slowFirstListing = new Proxy(host, {
      get(target, property, receiver) {
        if (property !== 'listTree') return Reflect.get(target, property, receiver) as unknown
        return async (...args: Parameters<GitHost['listTree']>) => {
          if (!slowed) {
            slowed = true
            await new Promise((resolve) => setTimeout(resolve, 300))
          }
          return target.listTree(...args)
        }
      },
    })
    const { runner } = makeRunner(2, slowFirstListing)
    const event = (action: string) => ({
      repo: 'acme/events',
      event: 'issues',
      payload: { action, issue: { number: 1, labels: [] } },
      actor: ada,
    })
    const [opened, labeled] = await Promise.all([
      runner.trigger(event('opened')),
      runner.trigger(event('labeled')),
    ])
    await runner.idle()
    expect(slowed).toBe(true)
    expect(opened).toHaveLength(1)
    expect(labeled).toHaveLength(1)
    // The later event's run is the newer one: a concurrency group never lets it be cancelled by the earlier.
    expect(labeled[0]!.run_number).toBeGreaterThan(opened[0]!.run_number)
    expect(runner.get(labeled[0]!.id)?.conclusion).toBe('success')
  })

  it('runs up to its concurrency limit at once and queues the rest', async () => {
    const { runner, events } = makeRunner(2)
    const runs = [
      await dispatchEcho(runner, { who: 'one', 'wait-url': signals.url }),
      await dispatchEcho(runner, { who: 'two', 'wait-url': signals.url }),
      await dispatchEcho(runner, { who: 'three', 'wait-url': signals.url }),
    ]
    const firstTwo = [await signals.next(), await signals.next()]
    expect(firstTwo.map((arrival) => arrival.message).sort()).toEqual(['one via quick', 'two via quick'])
    expect(runs.map((run) => runner.get(run.id)?.status)).toEqual(['in_progress', 'in_progress', 'queued'])
    firstTwo[0]?.release()
    const third = await signals.next()
    expect(third.message).toBe('three via quick')
    firstTwo[1]?.release()
    third.release()
    await runner.idle()
    let inProgress = 0
    let most = 0
    for (const event of events) {
      if (event.status === 'in_progress') inProgress += 1
      if (event.status === 'completed') inProgress -= 1
      most = Math.max(most, inProgress)
    }
    expect(most).toBe(2)
    expect(runs.map((run) => runner.get(run.id)?.conclusion)).toEqual(['success', 'success', 'success'])
    expect(runner.list(REPO).map((run) => run.id)).toEqual(runs.map((run) => run.id).reverse())
  })

  it('kills a run with its whole process group and concludes cancelled, or failure when asked', async () => {
    const { runner, events } = makeRunner()
    const run = await dispatchEcho(runner, { who: 'Ada', 'wait-url': signals.url })
    const arrival = await signals.next()
    expect(isAlive(arrival.pid)).toBe(true)
    expect(isAlive(arrival.grandchild)).toBe(true)
    expect(await runner.kill(run.id)).toBe(true)
    expect(runner.get(run.id)).toMatchObject({ status: 'completed', conclusion: 'cancelled' })
    expect(isAlive(arrival.pid)).toBe(false)
    await waitForUpdate(runner, events, (event) => event.id === run.id && event.status === 'completed')
    expect(runner.get(run.id)?.outputs.later).toBeUndefined()
    expect(await runner.kill(run.id)).toBe(false)

    const crashed = await dispatchEcho(runner, { who: 'Bob', 'wait-url': signals.url })
    const second = await signals.next()
    expect(await runner.kill(crashed.id, { asFailure: true })).toBe(true)
    expect(runner.get(crashed.id)).toMatchObject({ status: 'completed', conclusion: 'failure' })
    expect(isAlive(second.pid)).toBe(false)
    await runner.idle()
    // The grandchildren were in the killed groups; their deaths are observed once they are reaped.
    await expect
      .poll(() => isAlive(arrival.grandchild) || isAlive(second.grandchild), { timeout: 30_000 })
      .toBe(false)
  })

  it('resolves idle at once when nothing is queued or running', async () => {
    const { runner } = makeRunner()
    await expect(runner.idle()).resolves.toBeUndefined()
  })
})
