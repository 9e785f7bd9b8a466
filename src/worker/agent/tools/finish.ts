/** The finish tool: ends the run with a summary of what was done. */
import { z } from 'zod'
import { defineTool, ok } from './tool.js'

/** Arguments of finish. */
export const FinishArgsSchema = z.strictObject({
  summary: z
    .string()
    .min(1)
    .describe('What you did and how you checked it, for the pull request or the issue'),
})

/** finish: the last call of a run. */
export const finishTool = defineTool({
  name: 'finish',
  description:
    'Call when the task is done (or cannot be done), with a summary of what you did and how you checked it.',
  schema: FinishArgsSchema,
  async run(args) {
    return ok('finished', 'finished', { kind: 'finish', summary: args.summary })
  },
})
