/**
 * A step's processes: each runs as a real child process in its own process group, and its output goes to
 * the run's log through the workflow-command parser (`add-mask`, `stop-commands`, and the rest handed on).
 */
import { spawn } from 'node:child_process'
import type { RunLog } from './run-log.js'
import type { RunState } from './run-state.js'
import { parseWorkflowCommand } from './workflow-commands.js'

/** Receives the workflow commands a step prints, other than `add-mask` and `stop-commands`. */
export type CommandHandler = (name: string, properties: Record<string, string>, message: string) => void

/** Where a step's processes write: the run, its log, the step's masks (which `add-mask` grows) and commands. */
export interface StepOutput {
  state: RunState
  log: RunLog
  masks: Set<string>
  onCommand: CommandHandler
}

/** Spawns one process of a step in its own process group; answers its exit code (1 when the run is killed). */
export function spawnLogged(
  out: StepOutput,
  command: string,
  args: string[],
  options: { cwd: string; env: Record<string, string> },
): Promise<number> {
  const { state, log } = out
  return new Promise((resolve) => {
    if (state.killed) {
      resolve(1)
      return
    }
    const child = spawn(command, args, {
      cwd: options.cwd,
      env: options.env,
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    state.children.add(child)
    const handleLine = lineHandler(out)
    if (child.stdout) readLines(child.stdout, handleLine)
    if (child.stderr) readLines(child.stderr, handleLine)
    child.on('error', (error) => {
      // A process that never started may not emit 'close'; resolving twice is harmless.
      log.append(state, `##[error]Could not start ${command}: ${error.message}`)
      state.children.delete(child)
      resolve(127)
    })
    child.on('close', (code, signal) => {
      state.children.delete(child)
      resolve(code ?? (signal ? 128 : 1))
    })
  })
}

/** Kills every process of a run, with their process groups, so grandchildren die with the step. */
export function killChildren(state: RunState): void {
  for (const child of state.children) {
    if (child.pid === undefined) continue
    try {
      // A negative pid signals the whole process group.
      process.kill(-child.pid, 'SIGKILL')
    } catch {
      child.kill('SIGKILL')
    }
  }
}

/**
 * Handles one output line: a log line, or a workflow command.
 * https://docs.github.com/en/actions/reference/workflows-and-actions/workflow-commands
 */
function lineHandler(out: StepOutput): (line: string) => void {
  const { state, log, masks } = out
  let stopToken: string | null = null
  return (line) => {
    if (stopToken !== null) {
      if (line.trim() === `::${stopToken}::`) stopToken = null
      else log.append(state, line, masks)
      return
    }
    const parsed = parseWorkflowCommand(line)
    if (!parsed) {
      log.append(state, line, masks)
      return
    }
    if (parsed.command === 'add-mask') {
      masks.add(parsed.message)
      return
    }
    if (parsed.command === 'stop-commands') {
      stopToken = parsed.message
      return
    }
    out.onCommand(parsed.command, parsed.properties, parsed.message)
  }
}

/** Calls `handle` for each line of `stream`, the last one even without a newline. */
function readLines(stream: NodeJS.ReadableStream, handle: (line: string) => void): void {
  let buffered = ''
  stream.setEncoding('utf8')
  stream.on('data', (chunk: string) => {
    buffered += chunk
    const lines = buffered.split('\n')
    buffered = lines.pop() ?? ''
    for (const line of lines) handle(line.replace(/\r$/, ''))
  })
  stream.on('end', () => {
    if (buffered) handle(buffered)
    buffered = ''
  })
}
