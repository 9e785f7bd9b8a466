/** Shared set-up for emulator tests: one loaded OpenAPI description per test file, a small town of users. */
import { Octokit } from '@octokit/rest'
import { loadOpenApi } from '../../../src/sandbox/emulator/openapi.js'
import { cloneRepo } from './git-client.js'
import type { OpenApi } from '../../../src/sandbox/emulator/openapi.js'
import {
  startEmulator,
  type Emulator,
  type EmulatorOptions,
  type UserOptions,
} from '../../../src/sandbox/emulator/emulator.js'

let shared: OpenApi | undefined

/** The description, loaded once per test file. */
export function openapi(): OpenApi {
  shared ??= loadOpenApi()
  return shared
}

/** The people of a test town: alice owns alice/town, bob may write, tina triage and rita read. */
export const TOWN_USERS: UserOptions[] = [
  { login: 'alice' },
  { login: 'bob' },
  { login: 'tina' },
  { login: 'rita' },
]

/** Starts an emulator with alice (owner), bob (write), tina (triage) and rita (read) on alice/town. */
export function startTown(overrides: Partial<EmulatorOptions> = {}): Promise<Emulator> {
  return startEmulator({
    webhookSecret: 'test-secret',
    users: TOWN_USERS,
    repos: [
      {
        owner: 'alice',
        name: 'town',
        files: {
          'README.md': '# Town\n',
          'src/index.ts': 'export const answer = 42\n',
          'src/lib/util.ts': 'export {}\n',
        },
        access: { bob: 'write', tina: 'triage', rita: 'read' },
      },
    ],
    openapi: openapi(),
    ...overrides,
  })
}

/** Octokit's logger, silenced: refused requests are expected in these tests. */
export const quietLog = { debug: () => {}, info: () => {}, warn: () => {}, error: () => {} }

/** An Octokit acting as `login` through its personal token. */
export function octokitAs(emulator: Emulator, login: string): Octokit {
  return new Octokit({ baseUrl: emulator.apiUrl, auth: emulator.tokenFor(login), log: quietLog })
}

/**
 * Bob pushes `branch` from alice/town's main with `files` and opens a pull request for it (with `body`
 * when given); answers the pull request as GitHub does.
 */
export async function openPull(
  emulator: Emulator,
  branch: string,
  files: Record<string, string>,
  body?: string,
) {
  const copy = await cloneRepo(emulator.gitUrl, 'alice/town', emulator.tokenFor('bob'))
  await copy.git('checkout', '--quiet', '-b', branch)
  await copy.commit(files, `work on ${branch}`)
  await copy.git('push', '--quiet', 'origin', branch)
  const { data } = await octokitAs(emulator, 'bob').rest.pulls.create({
    owner: 'alice',
    repo: 'town',
    title: branch,
    head: branch,
    base: 'main',
    ...(body === undefined ? {} : { body }),
  })
  return data
}

/** The GraphQL errors of a refused request, which Octokit throws (fails the test when it succeeded). */
export async function graphqlRefusal(
  promise: Promise<unknown>,
): Promise<{ type?: string; message: string }[]> {
  try {
    await promise
  } catch (error) {
    const errors = (error as { errors?: { type?: string; message: string }[] }).errors
    if (errors) return errors
    throw error
  }
  throw new Error('expected the request to be refused, but it succeeded')
}

/** The status of a rejected Octokit call (fails the test when the call succeeded). */
export async function statusOf(promise: Promise<unknown>): Promise<{ status: number; message: string }> {
  try {
    await promise
  } catch (error) {
    const e = error as { status?: number; response?: { data?: { message?: string } } }
    return { status: e.status ?? 0, message: e.response?.data?.message ?? '' }
  }
  throw new Error('expected the request to be refused, but it succeeded')
}

/**
 * Waits until the emulator's webhooks and runs are all done, including runs that events of other runs
 * start (a run's end is a `workflow_run` event): until a pass changes no run's status.
 */
export async function quietRuns(emulator: Emulator, repo: string): Promise<void> {
  const statuses = () =>
    emulator.runner
      .list(repo)
      .map((run) => `${run.id}:${run.status}`)
      .join()
  let before: string
  do {
    before = statuses()
    await emulator.settled()
    await emulator.runner.idle()
  } while (statuses() !== before)
}
