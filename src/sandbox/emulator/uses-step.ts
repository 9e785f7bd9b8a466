/**
 * A `uses:` step: the built-in `actions/checkout`, or a JavaScript action the runner can resolve, run as a
 * real node process with its inputs as `INPUT_*` variables; its `post` runs at the end of the job.
 * https://docs.github.com/en/actions/reference/workflows-and-actions/metadata-syntax#runs-for-javascript-actions
 */
import { readFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { inputVariable } from '../../worker/action/runner-io.js'
import { readAction, resolveAction, type ActionManifest } from './action-resolution.js'
import { checkout } from './checkout.js'
import type { RunnerContext } from './runner-context.js'
import { spawnLogged, type StepOutput } from './step-process.js'
import { evaluateCondition, interpolate, type ExpressionScope } from './workflow-expressions.js'
import type { WorkflowStep } from './workflow-file.js'

/** What a `uses:` step runs with. */
export interface UsesStep {
  scope: ExpressionScope
  processEnv: Record<string, string>
  workspace: string
  out: StepOutput
  token: string
  /** The step's saved state, handed to its post step as `STATE_*`. */
  stateValues: Record<string, string>
  posts: (() => Promise<void>)[]
  /** The step's label, masked, for the post step's group. */
  label: string
}

/** Runs a `uses:` step (and queues its post); answers its exit code. */
export async function runUsesStep(context: RunnerContext, step: WorkflowStep, at: UsesStep): Promise<number> {
  const { out } = at
  const { state } = out
  const uses = step.uses ?? ''
  const withValues: Record<string, string> = {}
  for (const [key, value] of Object.entries(step.with ?? {})) withValues[key] = interpolate(value, at.scope)
  const dir = resolveAction(context.actions, uses, at.workspace)
  if (!dir && /^actions\/checkout@/.test(uses)) {
    for (const [name, value] of Object.entries(withValues))
      context.log.append(state, `  ${name}: ${value}`, out.masks)
    context.log.append(state, '##[endgroup]')
    return checkout(out, withValues, { workspace: at.workspace, token: at.token, gitUrl: context.gitUrl })
  }
  if (!dir) {
    throw new Error(
      `Unable to resolve action \`${uses}\`: the emulator runs only actions/checkout and the actions it maps (${Object.keys(context.actions).join(', ') || 'none'}); add it to the runner's "actions" option`,
    )
  }
  const manifest = await readAction(dir)
  if (!/^node\d+$/.test(manifest.runs.using) || !manifest.runs.main) {
    throw new Error(
      `${uses} uses "${manifest.runs.using}"; the emulator runs only JavaScript actions (runs.using: node20 or node24)`,
    )
  }
  const env = actionEnv(context, at, { uses, dir, manifest, withValues })
  context.log.append(state, `with:`)
  for (const [name, value] of Object.entries(withValues))
    context.log.append(state, `  ${name}: ${value}`, out.masks)
  context.log.append(state, '##[endgroup]')
  const code = await spawnLogged(out, context.nodePath, [join(dir, manifest.runs.main)], {
    cwd: at.workspace,
    env,
  })
  if (manifest.runs.post) {
    const postIf = manifest.runs['post-if'] ?? 'always()'
    queuePost(context, at, { uses, dir, post: manifest.runs.post, postIf, env })
  }
  return code
}

/** The action's environment: the step's, its path and name, and its inputs (defaults, then `with:`). */
function actionEnv(
  context: RunnerContext,
  at: UsesStep,
  action: { uses: string; dir: string; manifest: ActionManifest; withValues: Record<string, string> },
): Record<string, string> {
  const { manifest } = action
  const env: Record<string, string> = {
    ...at.processEnv,
    GITHUB_ACTION_PATH: action.dir,
    GITHUB_ACTION_REPOSITORY: action.uses.split('@')[0] ?? '',
  }
  for (const [name, input] of Object.entries(manifest.inputs)) {
    if (input.default !== undefined) env[inputVariable(name)] = interpolate(input.default, at.scope)
  }
  for (const [name, value] of Object.entries(action.withValues)) env[inputVariable(name)] = value
  for (const [name, input] of Object.entries(manifest.inputs)) {
    if (input.required && (env[inputVariable(name)] ?? '') === '') {
      context.log.append(at.out.state, `##[warning]Input required and not supplied: ${name}`)
    }
  }
  return env
}

/** Queues the action's post step, which runs when its `post-if` holds, with the state the step saved. */
function queuePost(
  context: RunnerContext,
  at: UsesStep,
  action: { uses: string; dir: string; post: string; postIf: string; env: Record<string, string> },
): void {
  const { out, stateValues, scope } = at
  const { state } = out
  const { env, postIf } = action
  at.posts.push(async () => {
    if (!evaluateCondition(postIf, scope)) return
    context.log.append(state, `##[group]Post ${at.label}`)
    context.log.append(state, '##[endgroup]')
    const summaryFile = `${env.GITHUB_STEP_SUMMARY ?? join(state.dir, 'summary')}_post`
    await writeFile(summaryFile, '')
    const postEnv: Record<string, string> = { ...env, GITHUB_STEP_SUMMARY: summaryFile }
    for (const [name, value] of Object.entries(stateValues)) postEnv[`STATE_${name}`] = value
    const postCode = await spawnLogged(out, context.nodePath, [join(action.dir, action.post)], {
      cwd: at.workspace,
      env: postEnv,
    })
    if (postCode !== 0)
      context.log.append(state, `##[warning]Post step of ${action.uses} exited with code ${postCode}`)
    state.run.summary += context.log.mask(await readFile(summaryFile, 'utf8'), out.masks)
  })
}
