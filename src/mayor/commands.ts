/**
 * Slash commands on a goal or a bead: `/gastown status | retry [#n] | cancel | replan | approve | help`.
 * Parsing is pure; carrying a command out goes through the same paths as events.
 */

/** A parsed command. */
export type SlashCommand =
  | { name: 'status' }
  | { name: 'retry'; bead?: number }
  | { name: 'cancel' }
  | { name: 'replan' }
  | { name: 'approve' }
  | { name: 'help'; unknown?: string }

/**
 * The first `/gastown ...` line of a comment, or undefined when there is none. Lines inside fenced code
 * blocks and quotes are not commands, so quoting the help does not run anything.
 */
export function parseCommand(body: string): SlashCommand | undefined {
  let fenced = false
  for (const raw of body.split(/\r?\n/)) {
    const line = raw.trim()
    if (line.startsWith('```') || line.startsWith('~~~')) {
      fenced = !fenced
      continue
    }
    if (fenced || line.startsWith('>')) continue
    const match = /^\/gastown(?:\s+(\S+))?(?:\s+(.*))?$/i.exec(line)
    if (!match) continue
    const word = (match[1] ?? 'help').toLowerCase()
    const rest = (match[2] ?? '').trim()
    switch (word) {
      case 'status':
      case 'cancel':
      case 'replan':
      case 'approve':
        return { name: word }
      case 'retry': {
        const number = /^#?(\d+)$/.exec(rest)
        return number ? { name: 'retry', bead: Number(number[1]) } : { name: 'retry' }
      }
      case 'help':
        return { name: 'help' }
      default:
        return { name: 'help', unknown: word }
    }
  }
  return undefined
}

/** The help text, posted for `/gastown help` and for any command the Mayor does not know. */
export function helpText(unknown?: string): string {
  return [
    unknown
      ? `🤷 I don't know \`/gastown ${unknown}\`. Here is what I understand:`
      : '🏛️ **Gas Town commands**',
    '',
    '| Command | Where | What it does |',
    '| --- | --- | --- |',
    '| `/gastown status` | goal or bead | Refreshes the progress comment and links to it. |',
    '| `/gastown retry [#n]` | goal or bead | Tries a failed bead again (on a goal: bead `#n`, or every bead that needs a person). |',
    '| `/gastown cancel` | goal or bead | Cancels the bead, or every open bead of the goal and the goal itself. |',
    '| `/gastown replan` | goal | Cancels the open beads and plans the goal again. |',
    '| `/gastown approve` | goal | Creates the beads of a plan that waits for approval (`plan_approval: true`). |',
    '| `/gastown help` | anywhere | This table. |',
    '',
    'Only people with write access can use them.',
  ].join('\n')
}
