/**
 * The sample repository the sandbox town works on: a small Node project with the worker workflow of
 * docs/examples and a `.github/gastown.yml` sized for one machine.
 */
import { readFile } from 'node:fs/promises'
import path from 'node:path'

/** What the sample repository's files depend on. */
export interface SampleRepoOptions {
  /** This project's root: docs/examples/gastown-worker.yml is read from it. */
  projectRoot: string
  workers: number
  /** The scenario file the workers replay (scripted model); absent for a real model. */
  scenarioPath?: string
  /** The real model's name and endpoint, written to the config. */
  model?: { name: string; baseUrl?: string }
  /** Who merges worker PRs: the Mayor (`auto`) or a person, whom the sandbox plays (`manual`). */
  merge?: 'auto' | 'manual'
}

/** The line of the example workflow after which the scenario input goes. */
const API_KEY_LINE = /^(\s*)api-key: \$\{\{ secrets\.OPENAI_API_KEY \}\}\s*$/m

/**
 * The example worker workflow, with the `scenario` input added when the workers replay a scenario: the
 * only change from what a user copies into their repository.
 */
export async function workerWorkflow(projectRoot: string, scenarioPath?: string): Promise<string> {
  const file = path.join(projectRoot, 'docs/examples/gastown-worker.yml')
  const text = await readFile(file, 'utf8')
  const match = API_KEY_LINE.exec(text)
  if (match === null) {
    throw new Error(
      `${file} has no "api-key: \${{ secrets.OPENAI_API_KEY }}" line to put the scenario input after; ` +
        'restore it, or update sample-repo.ts to the new shape of the example workflow.',
    )
  }
  const at = match.index + match[0].length
  const indent = match[1] ?? ''
  const lines = [
    // The emulator, like a GitHub Enterprise server, has no 80-a-minute limit on content creation.
    `${indent}# The emulator has no content-creation limit: no need for GitHub.com's second between writes.`,
    `${indent}write-spacing-ms: 10`,
    ...(scenarioPath === undefined
      ? []
      : [
          `${indent}# The sandbox replays a scripted scenario: a test double, not an LLM.`,
          `${indent}scenario: ${JSON.stringify(scenarioPath)}`,
        ]),
  ]
  return `${text.slice(0, at)}\n${lines.join('\n')}${text.slice(at)}`
}

/** `.github/gastown.yml` for the sandbox: the worker count, quick retries, short budgets. */
export function gastownConfig(options: Pick<SampleRepoOptions, 'workers' | 'model' | 'merge'>): string {
  const model = options.model
    ? [
        'model:',
        `  name: ${JSON.stringify(options.model.name)}`,
        ...(options.model.baseUrl ? [`  base_url: ${JSON.stringify(options.model.baseUrl)}`] : []),
      ]
    : []
  return [
    '# Gas Town settings, written by `gastown sandbox` for a town on one machine.',
    ...model,
    `max_workers: ${options.workers}`,
    'max_attempts: 3',
    '# Retries come quickly here; on GitHub the default backoff starts at 30 seconds.',
    'retry:',
    '  base_delay_seconds: 1',
    '  max_delay_seconds: 5',
    'review_rounds: 2',
    ...(options.merge === undefined ? [] : [`merge: ${options.merge}`]),
    'budgets:',
    '  iterations: 30',
    '  wall_time_minutes: 10',
    '',
  ].join('\n')
}

/** Every file of the sample repository's first commit. */
export async function sampleRepoFiles(options: SampleRepoOptions): Promise<Record<string, string>> {
  return {
    'README.md': [
      '# todo-api',
      '',
      'A REST API for a todo list: plain `node:http`, no dependencies.',
      '',
      "Run the tests with `npm test` (Node's built-in test runner).",
      '',
    ].join('\n'),
    'package.json': `${JSON.stringify(
      {
        name: 'todo-api',
        version: '0.1.0',
        private: true,
        type: 'module',
        scripts: { start: 'node src/server.js', test: 'node --test' },
      },
      null,
      2,
    )}\n`,
    '.gitignore': 'node_modules/\n',
    '.github/workflows/gastown-worker.yml': await workerWorkflow(options.projectRoot, options.scenarioPath),
    '.github/gastown.yml': gastownConfig(options),
  }
}
