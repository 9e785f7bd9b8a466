/**
 * The runner's side of an action, written here instead of depending on @actions/core: inputs from
 * `INPUT_*`, outputs and the job summary through the files the runner names, and the workflow
 * commands (`::add-mask::`, `::error::`) on stdout.
 */
import { randomUUID } from 'node:crypto'
import { appendFile } from 'node:fs/promises'

/** Where the action's protocol text goes: stdout lines and the files the runner gave. */
export interface RunnerIo {
  env: Readonly<Record<string, string | undefined>>
  /** Writes one line to the job log. */
  writeLine(line: string): void
  /** A delimiter for multiline values; random by default so a value cannot end the block early. */
  delimiter?: () => string
}

/** The runner's variable for an input: `INPUT_` and the name upper-cased, spaces as underscores. */
export function inputVariable(name: string): string {
  return `INPUT_${name.replace(/ /g, '_').toUpperCase()}`
}

/** An input's value, trimmed; '' when absent. */
export function getInput(env: Readonly<Record<string, string | undefined>>, name: string): string {
  return (env[inputVariable(name)] ?? '').trim()
}

/** Escapes the data of a workflow command, as the runner unescapes it. */
export function escapeData(text: string): string {
  return text.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A')
}

/** Tells the runner to hide `secret` from the log from now on; each line of a multiline value too. */
export function addMask(io: RunnerIo, secret: string): void {
  for (const part of new Set([secret, ...secret.split(/\r?\n/)])) {
    if (part.trim() !== '') io.writeLine(`::add-mask::${escapeData(part)}`)
  }
}

/** An error annotation on the run; the step fails only through the exit code. */
export function errorAnnotation(io: RunnerIo, message: string): void {
  io.writeLine(`::error::${escapeData(message)}`)
}

/** A warning annotation on the run. */
export function warningAnnotation(io: RunnerIo, message: string): void {
  io.writeLine(`::warning::${escapeData(message)}`)
}

/** One output in GITHUB_OUTPUT's format: `name=value`, or the heredoc form for multiline values. */
export function formatOutput(name: string, value: string, delimiter: string): string {
  if (!/[\r\n]/.test(value)) return `${name}=${value}\n`
  if (value.includes(delimiter) || name.includes(delimiter)) {
    throw new Error(
      `the output delimiter ${delimiter} occurs in the value of ${name}; pick another delimiter`,
    )
  }
  return `${name}<<${delimiter}\n${value}\n${delimiter}\n`
}

/**
 * Writes outputs to the file in GITHUB_OUTPUT. Without one (a run outside Actions) they go to the log
 * as `name=value` lines, so nothing is lost.
 */
export async function setOutputs(io: RunnerIo, outputs: Readonly<Record<string, string>>): Promise<void> {
  const delimiter = io.delimiter ?? (() => `ghadelimiter_${randomUUID()}`)
  const text = Object.entries(outputs)
    .map(([name, value]) => formatOutput(name, value, delimiter()))
    .join('')
  const file = io.env['GITHUB_OUTPUT']
  if (file === undefined || file === '') {
    for (const line of text.trimEnd().split('\n')) io.writeLine(line)
    return
  }
  await appendFile(file, text, 'utf8')
}

/** Appends markdown to the job summary (GITHUB_STEP_SUMMARY); without one, nothing is written. */
export async function appendJobSummary(io: RunnerIo, markdown: string): Promise<boolean> {
  const file = io.env['GITHUB_STEP_SUMMARY']
  if (file === undefined || file === '') return false
  await appendFile(file, markdown.endsWith('\n') ? markdown : `${markdown}\n`, 'utf8')
  return true
}
