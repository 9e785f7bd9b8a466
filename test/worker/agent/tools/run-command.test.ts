import { afterAll, describe, expect, it } from 'vitest'
import { compileCommandPolicy } from '../../../../src/worker/agent/command-policy.js'
import { runCommandTool } from '../../../../src/worker/agent/tools/run-command.js'
import { makeRepo, makeToolContext, removeTempDirs } from '../support.js'

afterAll(removeTempDirs)

describe('run_command', () => {
  it('runs in the workspace and answers with the exit code and output, recording the command', async () => {
    const repo = makeRepo({ 'a.txt': 'hello\n' })
    const result = await runCommandTool.run({ command: 'cat a.txt; exit 2' }, makeToolContext(repo))
    expect(result).toMatchObject({ ok: false, output: 'exit code 2\nhello\n', summary: 'exit code 2' })
    expect(result.effect).toMatchObject({
      kind: 'command',
      record: {
        command: 'cat a.txt; exit 2',
        exitCode: 2,
        signal: null,
        timedOut: false,
        outputTail: 'hello\n',
      },
    })
  })

  it('refuses a command the policy denies, without running it', async () => {
    const repo = makeRepo()
    const context = makeToolContext(repo, { commandDeny: compileCommandPolicy({ deny: ['\\btouch\\b'] }) })
    const result = await runCommandTool.run({ command: 'touch planted' }, context)
    expect(result.output).toBe(
      'Error: the command policy refuses this command (it matches /\\btouch\\b/); do it another way or leave it to a person',
    )
    const listing = await runCommandTool.run({ command: 'ls' }, makeToolContext(repo))
    expect(listing.output).not.toContain('planted')
  })

  it('stops a command at the smaller of its own timeout and the run timeout', async () => {
    const repo = makeRepo()
    const result = await runCommandTool.run(
      { command: 'sleep 1000' },
      makeToolContext(repo, { commandTimeoutMs: () => 300 }),
    )
    expect(result.ok).toBe(false)
    expect(result.summary).toMatch(/^timed out after 0 s and was stopped \(SIGTERM\)$/)
    expect(result.effect).toMatchObject({ record: { timedOut: true } })
  })

  it('says so when the command prints nothing', async () => {
    const result = await runCommandTool.run({ command: 'true' }, makeToolContext(makeRepo()))
    expect(result).toMatchObject({ ok: true, output: 'exit code 0\n(no output)' })
  })
})
