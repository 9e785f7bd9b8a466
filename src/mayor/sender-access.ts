/**
 * Who may start goals and run `/gastown` commands: people with write access, never a bot. Anyone else
 * gets one polite refusal per issue and person, edited in place when they try again.
 */
import { formatTag } from '../core/bead-marker.js'
import type { GitHubApi, RepoRef } from '../github/client.js'
import { upsertComment } from '../github/comments.js'
import { canWrite, getPermission } from '../github/repository.js'

/** The account that sent a webhook, as its payload says. */
export type Sender = { login: string; type?: string } | undefined

/** Whether a sender may start goals and run commands: write access, and not a bot. */
export async function mayAct(api: GitHubApi, repo: RepoRef, sender: Sender): Promise<boolean> {
  if (!sender || sender.type === 'Bot' || sender.login.endsWith('[bot]')) return false
  return canWrite(await getPermission(api, repo, sender.login))
}

/** Tells the sender on the issue that only writers can do `what`, so the Mayor did nothing. */
export async function refuse(
  api: GitHubApi,
  repo: RepoRef,
  number: number,
  sender: Sender,
  what: string,
  bot: string | undefined,
): Promise<void> {
  const who = sender?.login ?? 'someone'
  await upsertComment(
    api,
    repo,
    number,
    formatTag('refusal', { issue: number, user: who }),
    `👋 Thanks, @${who}. Only people with write access to this repository can ${what}, so the Mayor did nothing. A maintainer can do it for you.`,
    { author: bot },
  )
}
