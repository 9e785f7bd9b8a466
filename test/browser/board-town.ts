/**
 * A real small town for the board's browser test: the emulator with a sample repository, the real Mayor
 * served by Probot and receiving signed webhooks, the scripted model (a test double) as the planner, and
 * the emulator's Actions runner starting this project's real bundled action for every dispatch, from
 * the example worker workflow. The test plays the maintainer: it merges each worker's pull request.
 */
import { readFileSync } from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import yaml from 'js-yaml'
import { Octokit } from '@octokit/rest'
import { loadScenario } from '../../src/llm/scenario.js'
import { ScriptedModel } from '../../src/llm/scripted-model.js'
import { silentLogger } from '../../src/llm/logger.js'
import { createMayor, type Mayor } from '../../src/mayor/app.js'
import type { MayorDeps } from '../../src/mayor/mayor-deps.js'
import { startEmulator, type Emulator } from '../../src/sandbox/emulator/emulator.js'
import { SANDBOX_TIME_SCALE, serveMayor } from '../../src/sandbox/serve-mayor.js'

const ROOT = fileURLToPath(new URL('../../', import.meta.url))
/** The scenario both the planner and the workers replay. */
export const BOARD_SCENARIO = fileURLToPath(new URL('./fixtures/board-town.yaml', import.meta.url))

/** The example worker workflow with the scripted scenario as its model: the only change. */
function workerWorkflow(): string {
  const workflow = yaml.load(readFileSync(path.join(ROOT, 'docs/examples/gastown-worker.yml'), 'utf8')) as {
    jobs: { work: { steps: { id?: string; with?: Record<string, string> }[] } }
  }
  const step = workflow.jobs.work.steps.find((entry) => entry.id === 'worker')
  if (!step)
    throw new Error(
      'docs/examples/gastown-worker.yml has no step with id "worker"; the browser test needs it.',
    )
  step.with = { ...step.with, scenario: BOARD_SCENARIO }
  return yaml.dump(workflow, { lineWidth: -1 })
}

/** A running board town. */
export interface BoardTown {
  emulator: Emulator
  mayor: Mayor
  alice: Octokit
  /** Opens the goal as alice and labels it, which starts the town. */
  openGoal(): Promise<number>
  /** Merges a worker's pull request, as the maintainer. */
  merge(pr: number): Promise<void>
  close(): Promise<void>
}

const quiet = { debug: () => {}, info: () => {}, warn: () => {}, error: () => {} }

/** Starts the town; nothing happens until `openGoal`. */
export async function startBoardTown(): Promise<BoardTown> {
  const emulator = await startEmulator({
    webhookSecret: 'board-town',
    timeScale: SANDBOX_TIME_SCALE,
    users: [{ login: 'alice' }],
    repos: [
      {
        owner: 'alice',
        name: 'town',
        files: {
          'README.md': '# Town\n',
          'package.json': '{ "name": "town", "type": "module" }\n',
          '.github/workflows/gastown-worker.yml': workerWorkflow(),
          '.github/gastown.yml': 'max_workers: 2\n',
        },
      },
    ],
    runners: 2,
    actions: { 'gastown-github/gastown@v1': ROOT },
    secrets: { OPENAI_API_KEY: 'sk-not-used-by-the-scripted-model' },
  })
  const model = new ScriptedModel(await loadScenario(BOARD_SCENARIO), { logger: silentLogger })
  const timers = new Set<() => void>()
  const deps: MayorDeps = {
    modelFor: async () => model,
    now: () => Date.now(),
    random: () => 0.5,
    setTimer: (fn, ms) => {
      const handle = setTimeout(() => {
        timers.delete(cancel)
        fn()
      }, ms)
      const cancel = () => {
        clearTimeout(handle)
        timers.delete(cancel)
      }
      timers.add(cancel)
      return cancel
    },
    reconcileIntervalMs: 0,
  }
  const mayor = createMayor(deps)
  const served = await serveMayor(emulator, mayor.app)
  const alice = new Octokit({ baseUrl: emulator.apiUrl, auth: emulator.tokenFor('alice'), log: quiet })
  const repo = { owner: 'alice', repo: 'town' }
  return {
    emulator,
    mayor,
    alice,
    async openGoal() {
      const { data } = await alice.rest.issues.create({
        ...repo,
        title: 'A todo store with docs',
        body: 'An in-memory todo store, designed first, with a README section.',
      })
      await alice.rest.issues.addLabels({ ...repo, issue_number: data.number, labels: ['gastown:goal'] })
      return data.number
    },
    async merge(pr) {
      await alice.rest.pulls.merge({ ...repo, pull_number: pr, merge_method: 'squash' })
    },
    async close() {
      mayor.stop()
      for (const cancel of [...timers]) cancel()
      await served.close()
      await emulator.close()
    },
  }
}
