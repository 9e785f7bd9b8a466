/**
 * Workflows start on the events their `on:` takes, with their filters, but never on an event a GITHUB_TOKEN
 * caused (workflow_dispatch aside): over real HTTP, with real runs of the emulator's runner.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import type { Emulator } from '../../../src/sandbox/emulator/emulator.js'
import { parseWorkflowFile } from '../../../src/sandbox/emulator/workflow-file.js'
import { matchesTrigger, startsWorkflows } from '../../../src/sandbox/emulator/workflow-triggers.js'
import { octokitAs, quietRuns, startTown } from './emulator-fixture.js'
import { cloneRepo } from './git-client.js'

/** Comments on an issue with the run's GITHUB_TOKEN, as a Mayor or worker without an app would. */
const WORKER = `name: worker
on:
  workflow_dispatch:
    inputs:
      issue: { required: true }
permissions:
  issues: write
  actions: write
jobs:
  work:
    runs-on: ubuntu-latest
    steps:
      - env:
          GH_TOKEN: \${{ secrets.GITHUB_TOKEN }}
        run: |
          node -e "fetch(process.env.GITHUB_API_URL + '/repos/' + process.env.GITHUB_REPOSITORY + '/issues/\${{ inputs.issue }}/comments', { method: 'POST', headers: { authorization: 'token ' + process.env.GH_TOKEN, 'content-type': 'application/json' }, body: JSON.stringify({ body: 'worker was here' }) }).then((r) => process.exit(r.status === 201 ? 0 : 1))"
`

const ON_ISSUES = `name: on-issues
on:
  issues:
    types: [labeled]
  issue_comment:
jobs:
  echo:
    runs-on: ubuntu-latest
    steps:
      - run: echo "event=\${{ github.event_name }} action=\${{ github.event.action }} issue=\${{ github.event.issue.number }} actor=\${{ github.actor }}" && test "$GITHUB_EVENT_NAME" = "\${{ github.event_name }}" && grep -q '"sender"' "$GITHUB_EVENT_PATH"
`

const AFTER_WORKER = `name: after-worker
on:
  workflow_run:
    workflows: [worker]
    types: [completed]
jobs:
  echo:
    runs-on: ubuntu-latest
    steps:
      - run: echo "after \${{ github.event.workflow_run.name }} \${{ github.event.workflow_run.conclusion }}"
`

const ON_PUSH_AND_SCHEDULE = `name: ci
on:
  push:
    branches: [main, 'release/**']
  schedule:
    - cron: '*/15 * * * *'
jobs:
  echo:
    runs-on: ubuntu-latest
    steps:
      - run: echo "ci on \${{ github.event_name }} at \${{ github.ref_name }} \${{ github.event.schedule }}"
`

let emulator: Emulator

beforeEach(async () => {
  emulator = await startTown()
  await emulator.createRepo({
    owner: 'alice',
    name: 'work',
    files: {
      '.github/workflows/worker.yml': WORKER,
      '.github/workflows/on-issues.yml': ON_ISSUES,
      '.github/workflows/after-worker.yml': AFTER_WORKER,
      '.github/workflows/ci.yml': ON_PUSH_AND_SCHEDULE,
    },
    access: { bob: 'write' },
  })
})

afterEach(async () => {
  await emulator?.close()
})

const runsOf = (name: string) =>
  emulator.runner
    .list('alice/work')
    .filter((run) => run.name === name)
    .reverse()

describe('workflows started by events', () => {
  it('starts a workflow on the events and activity types its on: lists, with the event in its context and file', async () => {
    const bob = octokitAs(emulator, 'bob')
    const { data: issue } = await bob.rest.issues.create({ owner: 'alice', repo: 'work', title: 'A goal' })
    await bob.rest.issues.addLabels({
      owner: 'alice',
      repo: 'work',
      issue_number: issue.number,
      labels: ['x'],
    })
    await bob.rest.issues.update({
      owner: 'alice',
      repo: 'work',
      issue_number: issue.number,
      title: 'Renamed',
    })
    await bob.rest.issues.createComment({
      owner: 'alice',
      repo: 'work',
      issue_number: issue.number,
      body: 'hi',
    })
    await quietRuns(emulator, 'alice/work')

    // opened and edited are not in `types: [labeled]`; issue_comment without types takes every type.
    // Runs of separate events are admitted in parallel, in no set order.
    const runs = runsOf('on-issues').sort((a, b) => a.event.localeCompare(b.event))
    expect(runs.map((run) => [run.event, run.actor.login, run.conclusion])).toEqual([
      ['issue_comment', 'bob', 'success'],
      ['issues', 'bob', 'success'],
    ])
    expect(runs[0]!.log).toContain(`event=issue_comment action=created issue=${issue.number} actor=bob`)
    expect(runs[1]!.log).toContain(`event=issues action=labeled issue=${issue.number} actor=bob`)
    const { data: listed } = await bob.rest.actions.listWorkflowRunsForRepo({
      owner: 'alice',
      repo: 'work',
      event: 'issue_comment',
    })
    expect(listed.workflow_runs.map((run) => run.event)).toEqual(['issue_comment'])
    expect(emulator.violations()).toEqual([])
  })

  it("starts nothing for a GITHUB_TOKEN's comment, though the token's workflow_dispatch does start a run", async () => {
    const bob = octokitAs(emulator, 'bob')
    const { data: issue } = await bob.rest.issues.create({ owner: 'alice', repo: 'work', title: 'A bead' })
    await bob.rest.actions.createWorkflowDispatch({
      owner: 'alice',
      repo: 'work',
      workflow_id: 'worker.yml',
      ref: 'main',
      inputs: { issue: String(issue.number) },
    })
    await quietRuns(emulator, 'alice/work')
    const { data: comments } = await bob.rest.issues.listComments({
      owner: 'alice',
      repo: 'work',
      issue_number: issue.number,
    })
    expect(comments.map((c) => c.user?.login)).toEqual(['github-actions[bot]'])
    expect(runsOf('on-issues')).toEqual([])

    // A run's GITHUB_TOKEN dispatching a workflow: the exception, the run starts.
    const runToken = emulator.actors.createRunToken('alice/work', { actions: 'write' })
    const { Octokit } = await import('@octokit/rest')
    const asRun = new Octokit({ baseUrl: emulator.apiUrl, auth: runToken })
    await asRun.rest.actions.createWorkflowDispatch({
      owner: 'alice',
      repo: 'work',
      workflow_id: 'worker.yml',
      ref: 'main',
      inputs: { issue: String(issue.number) },
    })
    await quietRuns(emulator, 'alice/work')
    expect(runsOf('worker').map((run) => [run.actor.login, run.conclusion])).toEqual([
      ['bob', 'success'],
      ['github-actions[bot]', 'success'],
    ])
    expect(runsOf('on-issues')).toEqual([])
  })

  it("starts a workflow_run workflow when a person's run completes, and not when a GITHUB_TOKEN's run does", async () => {
    const bob = octokitAs(emulator, 'bob')
    const { data: issue } = await bob.rest.issues.create({ owner: 'alice', repo: 'work', title: 'A bead' })
    await bob.rest.actions.createWorkflowDispatch({
      owner: 'alice',
      repo: 'work',
      workflow_id: 'worker.yml',
      ref: 'main',
      inputs: { issue: String(issue.number) },
    })
    await quietRuns(emulator, 'alice/work')
    // Only `completed` (not requested, not in_progress), once.
    const after = runsOf('after-worker')
    expect(after.map((run) => [run.event, run.actor.login, run.conclusion])).toEqual([
      ['workflow_run', 'bob', 'success'],
    ])
    expect(after[0]!.log).toContain('after worker success')

    const runToken = emulator.actors.createRunToken('alice/work', { actions: 'write' })
    const { Octokit } = await import('@octokit/rest')
    await new Octokit({ baseUrl: emulator.apiUrl, auth: runToken }).rest.actions.createWorkflowDispatch({
      owner: 'alice',
      repo: 'work',
      workflow_id: 'worker.yml',
      ref: 'main',
      inputs: { issue: String(issue.number) },
    })
    await quietRuns(emulator, 'alice/work')
    expect(runsOf('worker')).toHaveLength(2)
    expect(runsOf('after-worker')).toHaveLength(1)
  })

  it('starts push workflows on the branches they filter, and scheduled ones when the schedule fires', async () => {
    // Pushes go through git, as `git push` would: three branches, one the filter does not take.
    const { execFile } = await import('node:child_process')
    const { promisify } = await import('node:util')
    const { mkdtemp, rm, writeFile } = await import('node:fs/promises')
    const { tmpdir } = await import('node:os')
    const { join } = await import('node:path')
    const run = promisify(execFile)
    const dir = await mkdtemp(join(tmpdir(), 'gastown-triggers-'))
    try {
      const url = `${emulator.gitUrl}/alice/work.git`.replace('://', `://x:${emulator.tokenFor('alice')}@`)
      const git = (...args: string[]) =>
        run('git', ['-c', 'user.name=a', '-c', 'user.email=a@example.com', ...args], { cwd: dir })
      await git('clone', '-q', url, '.')
      await writeFile(join(dir, 'a.txt'), 'a\n')
      await git('add', '-A')
      await git('commit', '-q', '-m', 'a')
      await git('push', '-q', 'origin', 'HEAD:main', 'HEAD:release/v1', 'HEAD:feature')
    } finally {
      await rm(dir, { recursive: true, force: true })
    }
    await quietRuns(emulator, 'alice/work')
    expect(
      runsOf('ci')
        .map((r) => [r.event, r.head_branch])
        .sort(),
    ).toEqual([
      ['push', 'main'],
      ['push', 'release/v1'],
    ])

    emulator.runSchedule('alice/work')
    await quietRuns(emulator, 'alice/work')
    const scheduled = runsOf('ci').filter((r) => r.event === 'schedule')
    expect(scheduled.map((r) => [r.head_branch, r.actor.login, r.conclusion])).toEqual([
      ['main', 'alice', 'success'],
    ])
    expect(scheduled[0]!.log).toContain('ci on schedule at main */15 * * * *')
  })
})

describe('a merge through the API', () => {
  it("starts the base branch's push workflows, as a push would", async () => {
    const copy = await cloneRepo(emulator.gitUrl, 'alice/work', emulator.tokenFor('bob'))
    await copy.git('checkout', '--quiet', '-b', 'feature')
    await copy.commit({ 'b.txt': 'b\n' }, 'b')
    await copy.git('push', '--quiet', 'origin', 'feature')
    const repo = { owner: 'alice', repo: 'work' }
    const { data: pull } = await octokitAs(emulator, 'bob').rest.pulls.create({
      ...repo,
      title: 'b',
      head: 'feature',
      base: 'main',
    })
    await quietRuns(emulator, 'alice/work')
    // The branch is not one the push filter takes: nothing ran yet.
    expect(runsOf('ci')).toEqual([])
    const before = await emulator.git.resolveRef('alice/work', 'refs/heads/main')
    const { data: merged } = await octokitAs(emulator, 'alice').rest.pulls.merge({
      ...repo,
      pull_number: pull.number,
    })
    await quietRuns(emulator, 'alice/work')
    const runs = runsOf('ci')
    expect(runs.map((r) => [r.event, r.head_branch, r.head_sha, r.actor.login])).toEqual([
      ['push', 'main', merged.sha, 'alice'],
    ])
    expect(runs[0]!.log).toContain('ci on push at main')
    expect(merged.sha).not.toBe(before)
  })
})

describe('the trigger rules', () => {
  const workflow = (on: string) =>
    parseWorkflowFile('w.yml', `on:\n${on}\njobs:\n  a:\n    runs-on: x\n    steps: [{run: echo}]\n`)

  it("takes pull_request's default types, and a branches filter against the base branch", () => {
    const pr = (action: string, base: string) => ({ action, pull_request: { base: { ref: base } } })
    const plain = workflow('  pull_request:')
    expect(
      ['opened', 'synchronize', 'reopened', 'closed', 'labeled'].map((a) =>
        matchesTrigger(plain, 'pull_request', pr(a, 'main')),
      ),
    ).toEqual([true, true, true, false, false])
    const filtered = workflow('  pull_request:\n    types: [closed]\n    branches: [main]')
    expect(matchesTrigger(filtered, 'pull_request', pr('closed', 'main'))).toBe(true)
    expect(matchesTrigger(filtered, 'pull_request', pr('closed', 'dev'))).toBe(false)
    expect(matchesTrigger(filtered, 'issues', { action: 'opened' })).toBe(false)
  })

  it('needs workflows: for workflow_run, and names them by their name', () => {
    const run = (name: string) => ({ action: 'completed', workflow_run: { name, head_branch: 'main' } })
    expect(
      matchesTrigger(workflow('  workflow_run:\n    workflows: [worker]'), 'workflow_run', run('worker')),
    ).toBe(true)
    expect(
      matchesTrigger(workflow('  workflow_run:\n    workflows: [worker]'), 'workflow_run', run('other')),
    ).toBe(false)
    expect(matchesTrigger(workflow('  workflow_run:'), 'workflow_run', run('worker'))).toBe(false)
  })

  it('lets a GITHUB_TOKEN start runs only by workflow_dispatch and repository_dispatch', () => {
    const events = [
      'issues',
      'issue_comment',
      'pull_request',
      'push',
      'workflow_run',
      'workflow_dispatch',
      'repository_dispatch',
    ]
    expect(events.filter((e) => startsWorkflows(e, 'github-actions[bot]'))).toEqual([
      'workflow_dispatch',
      'repository_dispatch',
    ])
    expect(events.every((e) => startsWorkflows(e, 'gastown[bot]'))).toBe(true)
  })
})
