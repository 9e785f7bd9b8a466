/**
 * Isolation of the agent's commands from the worker's own processes. Scrubbing a command's environment
 * is not enough: a command can read `/proc/<worker pid>/environ`, where the runner put the token and the
 * key. In a PID namespace with its own /proc, the worker's processes do not exist for the command.
 */
import { execFile } from 'node:child_process'

/** A prefix for the command line that runs it isolated, or null when this machine cannot isolate. */
export type CommandIsolation = readonly string[] | null

const ROOT_PREFIX = ['unshare', '--pid', '--fork', '--mount-proc', '--kill-child']
// Without root, a user namespace grants the rights to make the PID and mount namespaces.
const USER_PREFIX = [
  'unshare',
  '--user',
  '--map-root-user',
  '--pid',
  '--fork',
  '--mount-proc',
  '--kill-child',
]

function works(prefix: readonly string[]): Promise<boolean> {
  return new Promise((resolve) => {
    // The probe must see the namespace's own /proc: only its own processes, pid 1 among them.
    execFile(
      prefix[0]!,
      [...prefix.slice(1), 'sh', '-c', 'test -r /proc/1/environ && test ! -e /proc/2/environ -o -e /proc/2'],
      { timeout: 10_000 },
      (error) => resolve(error === null),
    )
  })
}

/**
 * Finds how this machine can isolate commands: `unshare` as root, else with a user namespace; null when
 * neither works (the caller says so loudly, since commands can then read the worker's environment).
 */
export async function probeCommandIsolation(
  isRoot: boolean = process.getuid?.() === 0,
): Promise<CommandIsolation> {
  for (const prefix of isRoot ? [ROOT_PREFIX, USER_PREFIX] : [USER_PREFIX]) {
    if (await works(prefix)) return prefix
  }
  return null
}
