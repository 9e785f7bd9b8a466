import { describe, expect, it } from 'vitest'
import {
  WorkflowFileError,
  orderJobs,
  parseWorkflowFile,
  resolveDispatchInputs,
} from '../../../src/sandbox/emulator/workflow-file.js'

const WORKER = `
name: Gastown worker
on:
  workflow_dispatch:
    inputs:
      bead:
        description: Bead issue number
        required: true
        type: number
      attempt:
        type: string
        default: 1
      dry-run:
        type: boolean
        default: false
      role:
        type: choice
        options: [developer, tester, reviewer]
concurrency: gastown-bead-\${{ inputs.bead }}
permissions:
  contents: write
  issues: write
  pull-requests: write
jobs:
  work:
    runs-on: ubuntu-latest
    timeout-minutes: 30
    env:
      LEVEL: job
    steps:
      - uses: actions/checkout@v4
        with:
          fetch-depth: 0
      - id: worker
        uses: acme/gastown@v1
        with:
          bead: \${{ inputs.bead }}
          token: \${{ secrets.GITHUB_TOKEN }}
      - if: always()
        run: echo done
`

const errorOf = (text: string): WorkflowFileError => {
  try {
    parseWorkflowFile('.github/workflows/x.yml', text)
  } catch (error) {
    if (error instanceof WorkflowFileError) return error
    throw error
  }
  throw new Error('expected the file to be refused')
}

describe('parseWorkflowFile', () => {
  it('reads the dispatch inputs, concurrency, permissions and steps of a worker workflow', () => {
    const workflow = parseWorkflowFile('.github/workflows/gastown.yml', WORKER)
    expect(workflow.name).toBe('Gastown worker')
    expect(workflow.on.events).toEqual(['workflow_dispatch'])
    expect(workflow.on.dispatch?.inputs).toEqual({
      bead: { description: 'Bead issue number', required: true, type: 'number' },
      attempt: { required: false, type: 'string', default: '1' },
      'dry-run': { required: false, type: 'boolean', default: 'false' },
      role: { required: false, type: 'choice', options: ['developer', 'tester', 'reviewer'] },
    })
    expect(workflow.concurrency).toEqual({
      group: 'gastown-bead-${{ inputs.bead }}',
      'cancel-in-progress': false,
    })
    expect(workflow.permissions).toEqual({ contents: 'write', issues: 'write', 'pull-requests': 'write' })
    const job = workflow.jobs.work
    expect(job?.['timeout-minutes']).toBe(30)
    expect(job?.steps.map((step) => step.uses ?? step.run)).toEqual([
      'actions/checkout@v4',
      'acme/gastown@v1',
      'echo done',
    ])
    expect(job?.steps[0]?.with).toEqual({ 'fetch-depth': '0' })
    expect(job?.steps[2]?.if).toBe('always()')
  })

  it('accepts the short forms of on: and marks a workflow without workflow_dispatch', () => {
    const steps = 'jobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n      - run: echo\n'
    expect(parseWorkflowFile('w.yml', `on: workflow_dispatch\n${steps}`).on.dispatch).toEqual({ inputs: {} })
    expect(parseWorkflowFile('w.yml', `on: [push, workflow_dispatch]\n${steps}`).on.events.sort()).toEqual([
      'push',
      'workflow_dispatch',
    ])
    expect(parseWorkflowFile('w.yml', `on:\n  push:\n    branches: [main]\n${steps}`).on.dispatch).toBeNull()
  })

  it('names the line of a YAML error', () => {
    expect(errorOf('on: workflow_dispatch\njobs: [\n').message).toMatch(/x\.yml: YAML error at line 3/)
  })

  it('names the field at fault and what would be accepted', () => {
    const badType = errorOf(
      'on:\n  workflow_dispatch:\n    inputs:\n      x: {type: text}\njobs:\n  a:\n    runs-on: x\n    steps: [{run: echo}]\n',
    )
    expect(badType.problems).toEqual([
      'on.workflow_dispatch.inputs.x.type: Invalid option: expected one of "string"|"number"|"boolean"|"choice"|"environment"',
    ])
    const both = errorOf(
      'on: workflow_dispatch\njobs:\n  a:\n    runs-on: x\n    steps: [{run: echo, uses: a/b@v1}]\n',
    )
    expect(both.problems).toEqual(['jobs.a.steps.0: a step needs exactly one of "uses" and "run"'])
    const noJobs = errorOf('on: workflow_dispatch\njobs: {}\n')
    expect(noJobs.problems).toEqual(['jobs: a workflow needs at least one job'])
  })

  it('refuses an expression that does not parse and a need of an unknown job', () => {
    const error = errorOf(
      'on: workflow_dispatch\njobs:\n  a:\n    runs-on: x\n    needs: ghost\n    steps:\n      - run: echo ${{ inputs.x == }}\n',
    )
    expect(error.problems).toEqual([
      'jobs.a.steps[0].run: Unexpected end of expression. Located within expression:  inputs.x == ',
      'jobs.a.needs: job "ghost" is not defined in this workflow',
    ])
  })

  it('orders jobs after the jobs they need and refuses a cycle', () => {
    const job = (needs: string) => `    runs-on: x\n    needs: [${needs}]\n    steps: [{run: echo}]\n`
    const workflow = parseWorkflowFile(
      'w.yml',
      `on: workflow_dispatch\njobs:\n  c:\n${job('a, b')}  b:\n${job('a')}  a:\n${job('')}`,
    )
    expect(orderJobs(workflow)).toEqual(['a', 'b', 'c'])
    const cycle = parseWorkflowFile(
      'w.yml',
      `on: workflow_dispatch\njobs:\n  a:\n${job('b')}  b:\n${job('a')}`,
    )
    expect(() => orderJobs(cycle)).toThrow(/cycle/)
  })
})

describe('resolveDispatchInputs', () => {
  const workflow = parseWorkflowFile('.github/workflows/gastown.yml', WORKER)

  it('fills in defaults, with false for a boolean and empty text otherwise', () => {
    expect(resolveDispatchInputs(workflow, { bead: '12' })).toEqual({
      inputs: { bead: '12', attempt: '1', 'dry-run': 'false', role: '' },
    })
  })

  it("answers GitHub's messages for inputs it would refuse", () => {
    expect(resolveDispatchInputs(workflow, { bead: '1', extra: 'x', more: 'y' })).toEqual({
      error: 'Unexpected inputs provided: ["extra","more"]',
    })
    expect(resolveDispatchInputs(workflow, {})).toEqual({ error: "Required input 'bead' not provided" })
    expect(resolveDispatchInputs(workflow, { bead: '1', role: 'boss' })).toEqual({
      error: "Provided value 'boss' for input 'role' not in the list of allowed values",
    })
    expect(resolveDispatchInputs(workflow, { bead: '1', 'dry-run': 'yes' })).toMatchObject({
      error: expect.stringContaining("'dry-run'"),
    })
    expect(resolveDispatchInputs(workflow, { bead: 'twelve' })).toMatchObject({
      error: expect.stringContaining("'bead'"),
    })
  })

  it('refuses a dispatch of a workflow without the trigger', () => {
    const push = parseWorkflowFile(
      'w.yml',
      'on: push\njobs:\n  a:\n    runs-on: x\n    steps: [{run: echo}]\n',
    )
    expect(resolveDispatchInputs(push, {})).toEqual({
      error: "Workflow does not have 'workflow_dispatch' trigger",
    })
  })
})
