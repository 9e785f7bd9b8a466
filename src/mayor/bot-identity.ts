/**
 * The app's own bot login, asked of GitHub once and remembered: the Mayor trusts only the bead issues,
 * plan and comments that bot wrote, and ignores issue events it caused itself.
 */
import type { GitHubApi } from '../github/client.js'
import { getAppBotLogin } from '../github/installations.js'
import type { MayorLog } from './mayor-deps.js'

/** The bot login, read on first use; a failed read is tried again on the next use. */
export class BotIdentity {
  #login: Promise<string | undefined> | undefined

  constructor(
    private readonly appApi: () => Promise<GitHubApi>,
    private readonly log: MayorLog,
  ) {}

  /** `slug[bot]`, or undefined while GitHub cannot say (the work that needs it waits). */
  login(): Promise<string | undefined> {
    this.#login ??= this.#read()
    return this.#login
  }

  async #read(): Promise<string | undefined> {
    try {
      return await getAppBotLogin(await this.appApi())
    } catch (error) {
      this.log.warn({ err: (error as Error).message }, 'could not read the app slug')
      this.#login = undefined
      return undefined
    }
  }
}
