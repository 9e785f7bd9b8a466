/**
 * The real bundled action (dist/index.js), started by the emulator's Actions runner from the example
 * workflow, with the environment GitHub's runner gives: inputs, GITHUB_*, the run's own token.
 */
import { readFileSync } from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import yaml from 'js-yaml'
import { afterEach, describe, expect, it } from 'vitest'
import { decodeBead } from '../../src/core/bead-codec.js'
import {
  CANARY_KEY,
  OWNER,
  REPO,
  SCENARIOS,
  TODO_FILES,
  createBeadIssue,
  createGoal,
  startWorkerTown,
  storedTexts,
  type Town,
} from './action/worker-town.js'

const ROOT = fileURLToPath(new URL('../../', import.meta.url))

/** The example workflow, with the scripted scenario as the model: the only change a test makes. */
function exampleWorkflow(): string {
  const workflow = yaml.load(readFileSync(path.join(ROOT, 'docs/examples/gastown-worker.yml'), 'utf8')) as {
    jobs: { work: { steps: { id?: string; with?: Record<string, string> }[] } }
  }
  const step = workflow.jobs.work.steps.find((entry) => entry.id === 'worker')!
  step.with = { ...step.with, scenario: path.join(SCENARIOS, 'worker-town.yaml') }
  return yaml.dump(workflow, { lineWidth: -1 })
}

let town: Town | undefined

afterEach(async () => {
  await town?.close()
})

describe('the bundled action', () => {
  it('runs from the example workflow, opens the PR, writes outputs and summary, and leaks no secret', async () => {
    town = await startWorkerTown(
      {
        actions: { 'gastown-github/gastown@v1': ROOT },
        secrets: { OPENAI_API_KEY: CANARY_KEY },
      },
      { ...TODO_FILES, '.github/workflows/gastown-worker.yml': exampleWorkflow() },
    )
    const goal = await createGoal(town, 'Make sum() correct', 'sum() subtracts. Fix it and test it.')
    const bead = await createBeadIssue(town, {
      goal,
      key: 'fix-sum',
      role: 'developer',
      title: 'Fix sum() to add',
      description: 'sum(a, b) must return a + b.',
    })
    const { data } = await town.alice.request(
      'POST /repos/{owner}/{repo}/actions/workflows/{workflow_id}/dispatches',
      {
        owner: OWNER,
        repo: REPO,
        workflow_id: 'gastown-worker.yml',
        ref: 'main',
        inputs: { bead: String(bead), attempt: '1' },
        return_run_details: true,
      },
    )
    const runId = (data as { workflow_run_id: number }).workflow_run_id
    await town.emulator.runner.idle()
    const run = town.emulator.runner.get(runId)!

    expect(run.conclusion, run.log).toBe('success')
    expect(run.outputs['worker']).toMatchObject({ status: 'in_review', 'pr-number': '3', tokens: '6530' })
    expect(Number(run.outputs['worker']!['cost'])).toBeCloseTo(0.00752, 6)
    expect(run.summary).toContain(`## Gas Town worker: bead #${bead} (developer), attempt 1`)
    expect(run.summary).toContain('worker overhead')
    expect(run.log).toContain('this is a test double, not an LLM')
    expect(run.log).toMatch(/"msg":"worker done".*"overheadMs":\d+/)

    const { data: pull } = await town.alice.rest.pulls.get({ owner: OWNER, repo: REPO, pull_number: 3 })
    expect(pull.body).toContain(`Closes #${bead}`)
    expect(pull.body).toContain('| `node --test` | 0 |')
    expect(pull.body).toContain(`/actions/runs/${runId}`)
    expect(pull.user?.login).toBe('github-actions[bot]')
    const { data: issue } = await town.alice.rest.issues.get({ owner: OWNER, repo: REPO, issue_number: bead })
    const decoded = decodeBead({
      ...issue,
      labels: issue.labels.map((l) => (typeof l === 'string' ? l : (l.name ?? ''))),
    })
    expect(decoded.ok && decoded.bead).toMatchObject({
      status: 'in_review',
      pr: 3,
      assignedTo: String(runId),
    })

    const everything = `${storedTexts(town.emulator)}\n${run.log}\n${run.summary}`
    expect(everything).not.toContain(CANARY_KEY)
    expect(everything).not.toMatch(/ghs_[A-Za-z0-9]{36}/)
    expect(town.emulator.violations()).toEqual([])
  })
})
