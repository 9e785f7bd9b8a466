import { mkdtemp, readFile, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { describe, expect, it } from 'vitest'
import { explain, outputsFor, run } from '../../src/worker/run.js'
import { OWNER, REPO, createBeadIssue, createGoal, startWorkerTown } from './action/worker-town.js'

describe('run', () => {
  it('masks the token and key first, names each bad input, and fails the step with exit code 1', async () => {
    const lines: string[] = []
    const exits: number[] = []
    const code = await run({
      env: {
        'INPUT_GITHUB-TOKEN': 'ghp_secretvalue0123456789abcdefghijklmn',
        'INPUT_API-KEY': 'sk-secret-key-0123456789',
        INPUT_BEAD: 'seven',
        INPUT_ATTEMPT: '1',
        GITHUB_REPOSITORY: 'octo/todo',
        GITHUB_RUN_ID: '9',
        GITHUB_WORKSPACE: '/tmp',
      },
      writeLine: (line) => void lines.push(line),
      exit: (value) => void exits.push(value),
    })
    expect(code).toBe(1)
    expect(exits).toEqual([1])
    expect(lines.slice(0, 2)).toEqual([
      '::add-mask::ghp_secretvalue0123456789abcdefghijklmn',
      '::add-mask::sk-secret-key-0123456789',
    ])
    const error = lines.find((line) => line.startsWith('::error::'))!
    expect(error).toContain('input `bead` must be the bead')
    expect(error).toContain('(got "seven")')
    expect(lines.slice(2).join('\n')).not.toContain('ghp_secretvalue')
  })

  it('writes the outputs and exits 0 for a run that finds its attempt claimed by another', async () => {
    const town = await startWorkerTown()
    try {
      const goal = await createGoal(town, 'Goal', 'x')
      const bead = await createBeadIssue(town, {
        goal,
        key: 'a',
        role: 'developer',
        title: 'A bead',
        description: 'x',
        attempt: 2,
      })
      const { data: main } = await town.alice.rest.git.getRef({ owner: OWNER, repo: REPO, ref: 'heads/main' })
      await town.alice.rest.git.createRef({
        owner: OWNER,
        repo: REPO,
        ref: `refs/gastown/claims/${bead}-2`,
        sha: main.object.sha,
      })
      const dir = await mkdtemp(path.join(tmpdir(), 'run-test-'))
      const output = path.join(dir, 'output')
      await writeFile(output, '')
      const exits: number[] = []
      const code = await run({
        env: {
          'INPUT_GITHUB-TOKEN': town.emulator.tokenFor(OWNER),
          INPUT_BEAD: String(bead),
          INPUT_ATTEMPT: '2',
          GITHUB_REPOSITORY: `${OWNER}/${REPO}`,
          GITHUB_RUN_ID: '9',
          GITHUB_ACTOR: OWNER,
          GITHUB_WORKSPACE: dir,
          GITHUB_OUTPUT: output,
          GITHUB_SERVER_URL: town.emulator.url,
          GITHUB_API_URL: town.emulator.apiUrl,
        },
        writeLine: () => {},
        exit: (value) => void exits.push(value),
      })
      expect(code).toBe(0)
      expect(exits).toEqual([0])
      expect(await readFile(output, 'utf8')).toBe(
        'pr-number=\nstatus=claimed-elsewhere\ntokens=0\ncost=0.000000\n',
      )
      expect(
        (await town.alice.rest.issues.listComments({ owner: OWNER, repo: REPO, issue_number: bead })).data,
      ).toEqual([])
    } finally {
      await town.close()
    }
  })

  it('turns outcomes into outputs and errors into one line with their cause', () => {
    expect(outputsFor({ status: 'in_review', message: '', prNumber: 4, tokens: 10, costUsd: 0.5 })).toEqual({
      'pr-number': '4',
      status: 'in_review',
      tokens: '10',
      cost: '0.500000',
    })
    expect(explain(new Error('push failed', { cause: new Error('non-fast-forward') }))).toBe(
      'push failed (non-fast-forward)',
    )
  })
})
