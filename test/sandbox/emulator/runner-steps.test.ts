/**
 * The runner's step machinery that the end-to-end runner tests do not reach: environment files and
 * commands between steps, a local action's post step and saved state, checkout options, and `needs`.
 */
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createActionsRunner } from '../../../src/sandbox/emulator/actions-runner.js'
import type { ActionsRunner, Actor, GitHost, WorkflowRun } from '../../../src/sandbox/emulator/contracts.js'
import { createGitHost } from '../../../src/sandbox/emulator/git-host.js'
import { startGitServer, tokenAuthorize } from './git-test-server.js'

const REPO = 'acme/steps'
const TOKEN = 'ghs_run_steps'
const ada: Actor = { login: 'ada', id: 7, type: 'User' }
const runBot: Actor = { login: 'github-actions[bot]', id: 41898282, type: 'Bot' }

const FILES_WORKFLOW = `
name: Files
on: workflow_dispatch
jobs:
  files:
    runs-on: ubuntu-latest
    steps:
      - id: write
        run: |
          mkdir -p "$RUNNER_TEMP/first" "$RUNNER_TEMP/second"
          printf '#!/bin/sh\\necho from-first\\n' > "$RUNNER_TEMP/first/which-dir"
          printf '#!/bin/sh\\necho from-second\\n' > "$RUNNER_TEMP/second/which-dir"
          chmod +x "$RUNNER_TEMP/first/which-dir" "$RUNNER_TEMP/second/which-dir"
          echo "$RUNNER_TEMP/first" >> "$GITHUB_PATH"
          echo "$RUNNER_TEMP/second" >> "$GITHUB_PATH"
          echo "CARRIED=yes" >> "$GITHUB_ENV"
          printf 'lines<<END\\none\\ntwo\\nEND\\n' >> "$GITHUB_OUTPUT"
          echo "::stop-commands::pause"
          echo "::error::shown as text"
          echo "::pause::"
          echo "::warning file=a.ts,line=3::a real warning"
      - id: read
        env:
          LINES: \${{ steps.write.outputs.lines }}
        run: |
          echo "which=$(which-dir)" >> "$GITHUB_OUTPUT"
          echo "carried=$CARRIED" >> "$GITHUB_OUTPUT"
          echo "lines=$(echo "$LINES" | paste -sd+)" >> "$GITHUB_OUTPUT"
`

const ACTION_WORKFLOW = `
name: Local action
on: workflow_dispatch
jobs:
  act:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
      - id: local
        uses: ./.github/actions/local
        with:
          who: me
      - run: echo "main step done"
`

const LOCAL_ACTION = `
name: local
inputs:
  who: { required: true }
  fallback: { default: 'job-\${{ github.job }}' }
runs:
  using: node20
  main: main.js
  post: post.js
  post-if: "!cancelled()"
`

const LOCAL_MAIN = `
const fs = require('node:fs')
fs.appendFileSync(process.env.GITHUB_OUTPUT, 'inputs=' + process.env.INPUT_WHO + ',' + process.env.INPUT_FALLBACK + '\\n')
fs.appendFileSync(process.env.GITHUB_STATE, 'from_file=F\\n')
console.log('::save-state name=from_command::C')
`

const LOCAL_POST = `
const fs = require('node:fs')
fs.appendFileSync(process.env.GITHUB_STEP_SUMMARY, 'post saw ' + process.env.STATE_from_file + process.env.STATE_from_command + '\\n')
process.exit(2)
`

const CHECKOUT_WORKFLOW = `
name: Checkout
on: workflow_dispatch
jobs:
  co:
    runs-on: ubuntu-latest
    outputs:
      branch: \${{ steps.look.outputs.branch }}
    steps:
      - uses: actions/checkout@v4
        with:
          persist-credentials: 'false'
      - uses: actions/checkout@v4
        with:
          ref: other
          path: sub
      - id: look
        run: |
          echo "top-headers=$(git config --local --get-all "http.$GITHUB_SERVER_URL/.extraheader" | wc -l)" >> "$GITHUB_OUTPUT"
          echo "sub-headers=$(git -C sub config --local --list | grep -c extraheader)" >> "$GITHUB_OUTPUT"
          echo "branch=$(git -C sub rev-parse --abbrev-ref HEAD)" >> "$GITHUB_OUTPUT"
          echo "readme=$(cat sub/README.md)" >> "$GITHUB_OUTPUT"
  fails:
    runs-on: ubuntu-latest
    steps:
      - run: exit 1
  after-fails:
    needs: fails
    runs-on: ubuntu-latest
    steps:
      - run: echo never
  reads:
    needs: co
    runs-on: ubuntu-latest
    steps:
      - id: got
        run: echo "branch=\${{ needs.co.outputs.branch }}" >> "$GITHUB_OUTPUT"
`

let dir: string
let host: GitHost
let gitServer: { url: string; close(): Promise<void> }
let runner: ActionsRunner

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'runner-steps-test-'))
  host = createGitHost({
    root: join(dir, 'repos'),
    authorize: tokenAuthorize([{ token: TOKEN, actor: runBot, permission: 'write' }]),
  })
  gitServer = await startGitServer(host)
  const { headSha } = await host.createRepo(REPO, {
    defaultBranch: 'main',
    files: {
      'README.md': 'main readme',
      '.github/workflows/files.yml': FILES_WORKFLOW,
      '.github/workflows/action.yml': ACTION_WORKFLOW,
      '.github/workflows/checkout.yml': CHECKOUT_WORKFLOW,
      '.github/actions/local/action.yml': LOCAL_ACTION,
      '.github/actions/local/main.js': LOCAL_MAIN,
      '.github/actions/local/post.js': LOCAL_POST,
    },
  })
  await host.createRef(REPO, 'refs/heads/other', headSha)
  runner = createActionsRunner({
    gitHost: host,
    workRoot: join(dir, 'work'),
    concurrency: 2,
    serverUrl: gitServer.url,
    apiUrl: 'http://127.0.0.1:9/api/v3',
    graphqlUrl: 'http://127.0.0.1:9/api/graphql',
    gitUrl: gitServer.url,
    actions: {},
    secrets: {},
    tokenFor: () => TOKEN,
  })
})

afterAll(async () => {
  await runner.close()
  await gitServer.close()
  await host.close()
  await rm(dir, { recursive: true, force: true })
})

/** Dispatches a workflow and answers its run once completed. */
async function runWorkflow(workflow: string): Promise<WorkflowRun> {
  const { id } = await runner.dispatch({ repo: REPO, workflow, ref: 'main', inputs: {}, actor: ada })
  await runner.idle()
  const run = runner.get(id)
  if (!run) throw new Error(`run ${id} is gone`)
  return run
}

describe('the runner between steps', () => {
  it('carries GITHUB_ENV and GITHUB_PATH (newest first) to later steps, reads multiline outputs, and honours stop-commands', async () => {
    const run = await runWorkflow('files.yml')
    expect(run.conclusion).toBe('success')
    expect(run.outputs.read).toEqual({ which: 'from-second', carried: 'yes', lines: 'one+two' })
    expect(run.log).toContain('::error::shown as text')
    expect(run.log).not.toContain('##[error]shown as text')
    expect(run.log).toContain('##[warning]a real warning (a.ts:3)')
  })

  it("runs a local action with its input defaults, then its post step last with the state it saved, warning on the post's exit code", async () => {
    const run = await runWorkflow('action.yml')
    expect(run.conclusion).toBe('success')
    expect(run.outputs.local).toEqual({ inputs: 'me,job-act' })
    expect(run.summary).toBe('post saw FC\n')
    const log = run.log
    expect(log.indexOf('##[group]Post Run ./.github/actions/local')).toBeGreaterThan(
      log.indexOf('main step done'),
    )
    expect(log).toContain('##[warning]Post step of ./.github/actions/local exited with code 2')
  })

  it('drops the credentials with persist-credentials false, checks out another branch into a path, and passes job outputs through needs', async () => {
    const run = await runWorkflow('checkout.yml')
    expect(run.conclusion).toBe('failure')
    expect(run.outputs.look).toEqual({
      'top-headers': '0',
      'sub-headers': '1',
      branch: 'other',
      readme: 'main readme',
    })
    expect(run.outputs.got).toEqual({ branch: 'other' })
    expect(run.log).toContain('##[group]Job after-fails skipped: a job it needs did not succeed')
  })
})
