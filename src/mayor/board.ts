/** Keeps the Projects v2 board in step with beads: each bead an item, its Status column its status. */
import type { BeadStatus } from '../core/bead.js'
import { addBoardItem, findProjectBoard, setBoardStatus } from '../github/projects.js'
import { formatTag } from '../core/bead-marker.js'
import { upsertComment } from '../github/comments.js'
import type { GoalScope } from './goal-scope.js'

/**
 * Column names to try for a status, in order: a board with a column per status gets the exact one; a
 * board made from GitHub's template (Todo, In Progress, Done) gets the nearest.
 */
export function boardColumns(status: BeadStatus): string[] {
  const exact = status.replace('_', ' ')
  switch (status) {
    case 'pending':
    case 'ready':
    case 'blocked':
      return [exact, 'Todo']
    case 'in_progress':
      return [exact, 'In Progress']
    case 'in_review':
      return [exact, 'In Review', 'In Progress']
    case 'completed':
      return [exact, 'Done']
    case 'failed':
      return [exact, 'Blocked', 'Todo']
    case 'cancelled':
      return [exact, 'Done']
  }
}

/** The board of the scope's config, found once per job; null when none is configured. */
export async function boardOf(scope: GoalScope) {
  if (scope.board !== undefined) return scope.board
  const project = scope.config.project
  scope.board = project
    ? await findProjectBoard(scope.api, project.owner, project.number, project.status_field)
    : null
  return scope.board
}

/**
 * Puts an issue (by node id) on the board in the column of `status`; nothing without a board, and nothing
 * when the Mayor already put it there. The board is a mirror: when it cannot be updated, the goal gets one
 * comment saying why and the work goes on.
 */
export async function showOnBoard(scope: GoalScope, nodeId: string, status: BeadStatus): Promise<void> {
  if (!scope.config.project || scope.facts.boardStatus(nodeId) === status) return
  try {
    const board = await boardOf(scope)
    if (!board) return
    const item = await addBoardItem(scope.api, board, nodeId)
    let placed = false
    for (const column of boardColumns(status)) {
      if (await setBoardStatus(scope.api, board, item, column)) {
        placed = true
        break
      }
    }
    if (!placed) scope.log.warn({ board: board.title, status }, 'the board has no column for this status')
    scope.facts.noteBoardStatus(nodeId, status)
  } catch (error) {
    scope.board = null
    scope.log.warn({ err: (error as Error).message }, 'the project board cannot be updated')
    await upsertComment(
      scope.api,
      scope.repo,
      scope.goal,
      formatTag('board-error', { goal: scope.goal }),
      `⚠️ **The project board is not updated**: ${(error as Error).message} The beads go on without it.`,
      scope.bot ? { author: scope.bot } : {},
    )
  }
}
