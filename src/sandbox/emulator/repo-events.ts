/**
 * Composes webhook payloads as GitHub does: the event's fields, then repository, sender and installation;
 * and hands each event to the Actions runner, whose workflows may run on it whether or not the app is
 * installed (workflow-triggers.ts).
 */
import type { Actors } from './actors.js'
import type { Actor, PushEvent, RepositoryEvent } from './contracts.js'
import type { RepoEvents } from './routes/route-context.js'
import type { Shapes } from './shapes.js'
import type { EmulatorState, RepoRecord } from './state.js'
import type { WebhookSender } from './webhooks.js'

/** The installation reference GitHub puts in payloads (its node id is the legacy base64 form). */
function installationRef(id: number): { id: number; node_id: string } {
  return { id, node_id: Buffer.from(`023:IntegrationInstallation${id}`).toString('base64') }
}

/** Creates the emitter; events of repositories where the app is not installed are not delivered. */
export function createRepoEvents(
  state: EmulatorState,
  shapes: Shapes,
  actors: Actors,
  webhooks: WebhookSender,
  startRuns: (event: RepositoryEvent) => void = () => undefined,
): RepoEvents {
  return {
    emit(repo, event, fields, sender) {
      const payload = {
        ...fields,
        repository: shapes.repository(repo),
        sender: shapes.userByLogin(sender),
      }
      startRuns({
        repo: repo.fullName,
        event,
        // A workflow run's event file is the webhook payload without `installation`.
        payload: structuredClone(payload),
        actor: actorOf(state, sender),
        ...atCommit(event, fields),
      })
      const installation = state.installationFor(repo.owner.login)
      if (!installation) return
      webhooks.send(event, { ...payload, installation: installationRef(installation.id) }, repo.fullName)
    },
    pushed(repo, push, pusher) {
      const event = pushEvent(state, shapes, repo, {
        ...push,
        repo: repo.fullName,
        pusher: actorOf(state, pusher),
      })
      if (event) startRuns(event)
    },
    installationCreated(installationId, sender) {
      const installation = state.installations.get(installationId)
      if (!installation) return
      const repos = [...state.repos.values()].filter((r) => r.owner.id === installation.account.id)
      webhooks.send(
        'installation',
        {
          action: 'created',
          installation: shapes.installation(installation, actors.app),
          repositories: repos.map((r) => ({
            id: r.id,
            node_id: r.nodeId,
            name: r.name,
            full_name: r.fullName,
            private: r.private,
          })),
          requester: null,
          sender: shapes.userByLogin(sender),
        },
        `installation:${installation.id}`,
      )
    },
  }
}

/**
 * The commit whose workflow files a pull request's events run: its head (GitHub runs the merge commit's,
 * which holds the head's changes). Other webhook events run the default branch's.
 * https://docs.github.com/en/actions/writing-workflows/choosing-when-your-workflow-runs/events-that-trigger-workflows#pull_request
 */
function atCommit(event: string, fields: Record<string, unknown>): { at?: { sha: string; branch: string } } {
  if (event !== 'pull_request' && event !== 'pull_request_review') return {}
  const head = (fields['pull_request'] as { head?: { sha?: unknown; ref?: unknown } } | undefined)?.head
  return typeof head?.sha === 'string' && typeof head.ref === 'string'
    ? { at: { sha: head.sha, branch: head.ref } }
    : {}
}

const ZERO_SHA = '0000000000000000000000000000000000000000'

/** The actor of an account, as run records hold it. */
function actorOf(state: EmulatorState, login: string): Actor {
  const account = state.account(login)
  return { login: account.login, id: account.id, type: account.type === 'Bot' ? 'Bot' : 'User' }
}

/**
 * A git push to a branch as the event workflows see (the emulator sends no `push` webhook: the app does
 * not subscribe to it). A GITHUB_TOKEN's push starts nothing, as workflow-triggers.ts says.
 * https://docs.github.com/en/actions/writing-workflows/choosing-when-your-workflow-runs/events-that-trigger-workflows#push
 */
export function pushEvent(
  state: EmulatorState,
  shapes: Shapes,
  repo: RepoRecord,
  push: PushEvent,
): RepositoryEvent | null {
  if (push.after === ZERO_SHA || !push.ref.startsWith('refs/heads/')) return null
  const pusher = actorOf(state, push.pusher.login)
  return {
    repo: repo.fullName,
    event: 'push',
    payload: {
      ref: push.ref,
      before: push.before,
      after: push.after,
      created: push.before === ZERO_SHA,
      deleted: false,
      forced: false,
      pusher: { name: pusher.login, email: null },
      repository: shapes.repository(repo),
      sender: shapes.userByLogin(pusher.login),
    },
    actor: pusher,
    at: { sha: push.after, branch: push.ref.slice('refs/heads/'.length) },
  }
}

/**
 * A `schedule` event of a repository: its runs are the default branch's, and their actor is the one who
 * last changed the cron (here the repository's owner).
 * https://docs.github.com/en/actions/writing-workflows/choosing-when-your-workflow-runs/events-that-trigger-workflows#schedule
 */
export function scheduleEvent(state: EmulatorState, shapes: Shapes, repo: RepoRecord): RepositoryEvent {
  return {
    repo: repo.fullName,
    event: 'schedule',
    payload: { repository: shapes.repository(repo) },
    actor: actorOf(state, repo.owner.login),
  }
}
