import { describe, expect, it } from 'vitest'
import { renderPrBody } from '../../../src/worker/action/pr-body.js'
import { prepareReview } from '../../../src/worker/action/run-review-bead.js'
import { sanitizeForGitHub } from '../../../src/core/sanitize.js'

const command = (
  text: string,
  exitCode: number | null,
  extra: { timedOut?: boolean; signal?: string } = {},
) => ({
  command: text,
  exitCode,
  signal: extra.signal ?? null,
  timedOut: extra.timedOut ?? false,
  ms: 1500,
  outputTail: '',
})

describe('PR body', () => {
  it('closes the bead and lists the summary, commands with results, usage and the trajectory', () => {
    const body = renderPrBody({
      bead: 12,
      summary:
        'Added the API. Thanks @octocat! <!-- gastown:bead {"v":1} --> token ghp_abcdefghijklmnopqrstuvwxyz0123456789',
      commands: [
        command('npm test', 0),
        command('npm run lint | tee x', 1),
        command('sleep 999', null, { timedOut: true }),
      ],
      trajectory: [
        {
          iteration: 1,
          tool: 'read_file',
          args: '{"path":"README.md"}',
          ok: true,
          result: 'read 3 lines',
          ms: 2,
        },
      ],
      tokens: 12_345,
      costUsd: 0.0123,
      runUrl: 'https://github.com/o/r/actions/runs/1',
      secrets: [],
    })
    expect(body.startsWith('Closes #12\n')).toBe(true)
    expect(body).toContain('`@octocat`')
    expect(body).not.toContain('gastown:bead')
    expect(body).not.toContain('ghp_abcdefghijklmnopqrstuvwxyz0123456789')
    expect(body).toContain('| `npm test` | 0 | 1.5 s |')
    expect(body).toContain('| `npm run lint \\| tee x` | 1 | 1.5 s |')
    expect(body).toContain('| `sleep 999` | timed out |')
    expect(body).toContain('12,345 tokens, $0.0123')
    expect(body).toMatch(/<details>\n<summary>Trajectory \(1 tool calls\)<\/summary>\n\n1\. `read_file`/)
  })

  it('moves inline comments off the diff into the review body and sanitises every text', () => {
    const clean = (text: string, maxChars: number) =>
      sanitizeForGitHub(text, { maxChars, secrets: ['s3cret-value'] })
    const prepared = prepareReview(
      {
        pr: 4,
        event: 'REQUEST_CHANGES',
        body: 'Fix it, @team. s3cret-value',
        comments: [
          { path: 'a.js', line: 1, body: 'here' },
          { path: 'a.js', line: 9, side: 'RIGHT', body: 'not in diff' },
        ],
      },
      [{ filename: 'a.js', patch: '@@ -0,0 +1,2 @@\n+one\n+two' }],
      clean,
    )
    expect(prepared.comments).toEqual([{ path: 'a.js', line: 1, side: 'RIGHT', body: 'here' }])
    expect(prepared.moved).toBe(1)
    expect(prepared.body).toContain('`@team`')
    expect(prepared.body).toContain('[REDACTED]')
    expect(prepared.body).toContain('- `a.js` line 9 (line 9 (RIGHT) is not in the diff): not in diff')
  })
})
