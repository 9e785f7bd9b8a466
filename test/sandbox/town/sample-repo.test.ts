/** The sample repository: the example worker workflow plus the scenario input, and a config that parses. */
import { readFile } from 'node:fs/promises'
import path from 'node:path'
import { describe, expect, it } from 'vitest'
import yaml from 'js-yaml'
import { parseConfig } from '../../../src/core/config.js'
import { gastownConfig, sampleRepoFiles, workerWorkflow } from '../../../src/sandbox/sample-repo.js'
import { BUILT_IN_GOALS, resolveScenario, SCENARIO_DIR } from '../../../src/sandbox/scenario-catalogue.js'
import { loadScenario } from '../../../src/llm/scenario.js'
import { PROJECT_ROOT } from '../../../src/sandbox/town.js'

type Workflow = { jobs: { work: { steps: { id?: string; with?: Record<string, string> }[] } } }

describe('the sample repository', () => {
  it('runs the example workflow unchanged but for the write spacing and the scenario input', async () => {
    const example = await readFile(path.join(PROJECT_ROOT, 'docs/examples/gastown-worker.yml'), 'utf8')
    const original = yaml.load(example) as Workflow
    const originalWith = original.jobs.work.steps.find((s) => s.id === 'worker')!.with
    const real = yaml.load(await workerWorkflow(PROJECT_ROOT)) as Workflow
    expect(real.jobs.work.steps.find((s) => s.id === 'worker')!.with).toEqual({
      ...originalWith,
      'write-spacing-ms': 10,
    })
    const scripted = yaml.load(await workerWorkflow(PROJECT_ROOT, '/abs/todo-api.yaml')) as Workflow
    const step = scripted.jobs.work.steps.find((s) => s.id === 'worker')!
    expect(step.with).toEqual({ ...originalWith, 'write-spacing-ms': 10, scenario: '/abs/todo-api.yaml' })
    expect({ ...scripted, jobs: {} }).toEqual({ ...original, jobs: {} })
  })

  it('writes a config that parses, with the worker count and the model', () => {
    const parsed = parseConfig(
      gastownConfig({ workers: 5, model: { name: 'gpt-x', baseUrl: 'http://h/v1' } }),
    )
    expect(parsed.ok && parsed.config).toMatchObject({
      max_workers: 5,
      model: { name: 'gpt-x', base_url: 'http://h/v1' },
      retry: { base_delay_seconds: 1 },
    })
  })

  it('is a node project whose tests run with node --test', async () => {
    const files = await sampleRepoFiles({ projectRoot: PROJECT_ROOT, workers: 2 })
    expect(JSON.parse(files['package.json']!)).toMatchObject({
      type: 'module',
      scripts: { test: 'node --test' },
    })
    expect(Object.keys(files)).toEqual(
      expect.arrayContaining(['README.md', '.github/workflows/gastown-worker.yml', '.github/gastown.yml']),
    )
  })
})

describe('the built-in scenarios', () => {
  it('each load, plan with roles of the catalogue, and script every planned bead', async () => {
    for (const name of Object.keys(BUILT_IN_GOALS)) {
      const resolved = await resolveScenario(name)
      expect(resolved).toEqual({
        name,
        path: path.join(SCENARIO_DIR, `${name}.yaml`),
        goal: BUILT_IN_GOALS[name],
      })
      const scenario = await loadScenario(resolved.path)
      const plan = JSON.parse(scenario.plan![0]!.turns[0]!.content!) as { beads: { key: string }[] }
      expect(plan.beads.map((b) => b.key).sort()).toEqual(Object.keys(scenario.beads!).sort())
    }
  })

  it('refuses an unknown name, listing the built-in ones', async () => {
    await expect(resolveScenario('nope')).rejects.toThrow(/todo-api, wide, deep/)
  })
})
