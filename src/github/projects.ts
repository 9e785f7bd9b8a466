/** The Projects v2 board: beads are items, their Status field follows the bead's status. */
import type { GitHubApi } from './client.js'
import {
  ADD_PROJECT_ITEM,
  projectQuery,
  SET_PROJECT_ITEM_OPTION,
  type AddProjectItemAnswer,
  type ProjectAnswer,
  type ProjectQueryAnswer,
} from './graphql-operations.js'

/** A project and its single-select Status field. */
export interface ProjectBoard {
  projectId: string
  title: string
  statusFieldId: string
  /** Option ids by option name, compared case-insensitively. */
  options: Record<string, string>
}

/**
 * Finds project `number` of an organisation or a user and its Status field. Throws an error naming the
 * project and what to fix when the project or the field is missing.
 */
export async function findProjectBoard(
  api: GitHubApi,
  owner: string,
  number: number,
  statusField = 'Status',
): Promise<ProjectBoard> {
  let project: ProjectAnswer = null
  for (const kind of ['organization', 'user'] as const) {
    try {
      const answer = await api.graphql<ProjectQueryAnswer<typeof kind>>(projectQuery(kind), {
        owner,
        number,
        field: statusField,
      })
      project = answer[kind]?.projectV2 ?? null
    } catch (error) {
      // GitHub answers NOT_FOUND when the login is a user and we asked for an organisation, or back.
      if (kind === 'user' && hasErrorType(error, 'FORBIDDEN')) {
        throw new Error(
          `Project ${number} belongs to the user ${owner}, and GitHub lets apps use organisation projects only: move the board to an organisation (and give the app "Projects: read and write" there), or remove \`project\` from .github/gastown.yml.`,
        )
      }
      if (!hasErrorType(error, 'NOT_FOUND')) throw error
    }
    if (project) break
  }
  if (!project) {
    throw new Error(
      `Project ${number} of ${owner} was not found: check \`project.owner\` and \`project.number\` in .github/gastown.yml, and that the app can read organisation projects.`,
    )
  }
  if (!project.field?.id || !project.field.options) {
    throw new Error(
      `Project "${project.title}" has no single-select field named "${statusField}": add one or set \`project.status_field\` in .github/gastown.yml.`,
    )
  }
  return {
    projectId: project.id,
    title: project.title,
    statusFieldId: project.field.id,
    options: Object.fromEntries(project.field.options.map((o) => [o.name.toLowerCase(), o.id])),
  }
}

/** Adds an issue or pull request (by node id) to the board; adding twice answers the same item. */
export async function addBoardItem(api: GitHubApi, board: ProjectBoard, contentId: string): Promise<string> {
  const answer = await api.graphql<AddProjectItemAnswer>(ADD_PROJECT_ITEM, {
    project: board.projectId,
    content: contentId,
  })
  return answer.addProjectV2ItemById.item.id
}

/**
 * Sets an item's Status to the option named `status` (e.g. "In progress"); answers false, changing
 * nothing, when the board has no such option, so a board with its own columns still works.
 */
export async function setBoardStatus(
  api: GitHubApi,
  board: ProjectBoard,
  itemId: string,
  status: string,
): Promise<boolean> {
  const optionId = board.options[status.toLowerCase()]
  if (!optionId) return false
  await api.graphql(SET_PROJECT_ITEM_OPTION, {
    project: board.projectId,
    item: itemId,
    field: board.statusFieldId,
    option: optionId,
  })
  return true
}

function hasErrorType(error: unknown, type: string): boolean {
  const errors = (error as { errors?: { type?: string }[] }).errors
  return Array.isArray(errors) && errors.some((e) => e.type === type)
}
