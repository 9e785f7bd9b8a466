/**
 * The emulator's built-in `actions/checkout`: a real clone over the emulator's git URL, at the run's commit
 * for the run's own ref, with the token kept as an extra header unless `persist-credentials: false`.
 * https://github.com/actions/checkout#usage
 */
import { mkdir } from 'node:fs/promises'
import { isAbsolute, resolve as resolvePath } from 'node:path'
import type { WorkflowRun } from './contracts.js'
import { isolatedGitEnv } from './git-exec.js'
import { spawnLogged, type StepOutput } from './step-process.js'

const BOT: { name: string; email: string } = {
  name: 'github-actions[bot]',
  email: '41898282+github-actions[bot]@users.noreply.github.com',
}

/**
 * What `actions/checkout` checks out for a `ref` input: a local branch at a start point, or a detached
 * commit; null when it cannot tell (another repository without a ref).
 */
function checkoutPlan(
  ref: string,
  ownRun: WorkflowRun | null,
): { branch: string | null; start: string; fetch?: string } | null {
  if (ownRun && (ref === '' || ref === ownRun.head_branch || ref === `refs/heads/${ownRun.head_branch}`)) {
    // The run's own ref checks out the run's commit, even if the branch has moved since.
    return {
      branch: ownRun.head_branch,
      start: ref === '' ? ownRun.head_sha : `refs/remotes/origin/${ownRun.head_branch}`,
    }
  }
  if (ref === '') return null
  if (/^[0-9a-f]{40}$/.test(ref)) return { branch: null, start: ref }
  if (ref.startsWith('refs/heads/')) {
    const branch = ref.slice('refs/heads/'.length)
    return { branch, start: `refs/remotes/origin/${branch}` }
  }
  if (ref.startsWith('refs/')) return { branch: null, start: ref, fetch: ref }
  return { branch: ref, start: `refs/remotes/origin/${ref}` }
}

/** The step's workspace, its token, and the git URL of the emulator. */
interface CheckoutContext {
  workspace: string
  token: string
  gitUrl: string
}

/** Runs `actions/checkout` with its `with:` values; answers the exit code of the first git command that failed. */
export async function checkout(
  out: StepOutput,
  withValues: Record<string, string>,
  context: CheckoutContext,
): Promise<number> {
  const { run } = out.state
  const repo = withValues.repository || run.repo
  const target = withValues.path ? resolvePath(context.workspace, withValues.path) : context.workspace
  if (!isAbsolute(target) || !target.startsWith(context.workspace)) {
    throw new Error(`checkout path "${withValues.path}" leaves the workspace`)
  }
  const gitEnv = isolatedGitEnv()
  const git = (args: string[], cwd = target) => spawnLogged(out, 'git', args, { cwd, env: gitEnv })
  const code = await cloneInto(out, git, {
    ...context,
    target,
    repo,
    token: withValues.token || context.token,
  })
  if (code !== 0) return code
  const plan = checkoutPlan(withValues.ref ?? '', repo === run.repo ? run : null)
  if (!plan) throw new Error(`checkout of ${repo} needs a "ref" input in the emulator`)
  if (plan.fetch) {
    const fetched = await git(['fetch', '--quiet', '--no-tags', 'origin', `+${plan.fetch}:${plan.fetch}`])
    if (fetched !== 0) return fetched
  }
  const branch = plan.branch
  const checkoutArgs = branch
    ? ['checkout', '--quiet', '--force', '-B', branch, plan.start]
    : ['checkout', '--quiet', '--force', '--detach', plan.start]
  let result = await git(checkoutArgs)
  if (result === 0 && branch)
    result = await git(['branch', '--quiet', `--set-upstream-to=origin/${branch}`, branch])
  if (result === 0 && withValues['persist-credentials'] === 'false') {
    result = await git(['config', '--local', '--unset-all', `http.${context.gitUrl}/.extraheader`])
  }
  return result
}

/** Makes `target` a repository that fetched every branch of `repo`, with the token as its extra header. */
async function cloneInto(
  out: StepOutput,
  git: (args: string[], cwd?: string) => Promise<number>,
  clone: CheckoutContext & { target: string; repo: string },
): Promise<number> {
  const { gitUrl, target } = clone
  const credentials = Buffer.from(`x-access-token:${clone.token}`).toString('base64')
  out.masks.add(credentials)
  await mkdir(target, { recursive: true })
  const steps: [string[], string][] = [
    [['init', '--quiet', target], clone.workspace],
    [['remote', 'add', 'origin', `${gitUrl}/${clone.repo}.git`], target],
    [['config', '--local', `http.${gitUrl}/.extraheader`, `AUTHORIZATION: basic ${credentials}`], target],
    [['config', '--local', 'user.name', BOT.name], target],
    [['config', '--local', 'user.email', BOT.email], target],
    [['fetch', '--quiet', '--no-tags', 'origin', '+refs/heads/*:refs/remotes/origin/*'], target],
  ]
  for (const [args, cwd] of steps) {
    const code = await git(args, cwd)
    if (code !== 0) return code
  }
  return 0
}
