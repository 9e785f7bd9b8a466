/**
 * The workflow files `gastown init` writes, read from where they live in this package: the worker's is
 * docs/examples/gastown-worker.yml (the one the docs show and the tests run), the Mayor's sits beside this file.
 */
import { readFile } from 'node:fs/promises'

/** Where the worker workflow is kept: the example the docs show. */
export const WORKER_TEMPLATE = new URL('../../../docs/examples/gastown-worker.yml', import.meta.url)
/** Where the Mayor-in-Actions workflow is kept. */
export const MAYOR_TEMPLATE = new URL('./gastown-mayor.yml', import.meta.url)

/** The worker workflow, as init writes it. */
export function workerWorkflow(): Promise<string> {
  return readFile(WORKER_TEMPLATE, 'utf8')
}

/** The Mayor-in-Actions workflow, as init writes it. */
export function mayorWorkflow(): Promise<string> {
  return readFile(MAYOR_TEMPLATE, 'utf8')
}
