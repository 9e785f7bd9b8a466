/** Composes webhook payloads as GitHub does: the event's fields, then repository, sender and installation. */
import type { Actors } from './actors.js'
import type { RepoEvents } from './routes/route-context.js'
import type { Shapes } from './shapes.js'
import type { EmulatorState } from './state.js'
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
): RepoEvents {
  return {
    emit(repo, event, fields, sender) {
      const installation = state.installationFor(repo.owner.login)
      if (!installation) return
      webhooks.send(
        event,
        {
          ...fields,
          repository: shapes.repository(repo),
          sender: shapes.userByLogin(sender),
          installation: installationRef(installation.id),
        },
        repo.fullName,
      )
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
