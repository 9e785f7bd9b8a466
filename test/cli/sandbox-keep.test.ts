/**
 * `gastown sandbox --keep`, as a person runs it: once the town has finished, every address it prints
 * answers, the web board stays up with the town's last state, and the emulator shows the town's issues
 * and pull requests as pages, until Ctrl-C.
 */
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { startCli, type CliProcess } from './cli-process.js'

let cli: CliProcess | undefined
const dirs: string[] = []

afterEach(async () => {
  if (cli && cli.child.exitCode === null) cli.child.kill('SIGKILL')
  for (const dir of dirs) await rm(dir, { recursive: true, force: true })
})

const html = { accept: 'text/html' }

describe('gastown sandbox --keep', () => {
  it('keeps the web board and the pages of the town up after the end, every printed address answering', async () => {
    const temp = await mkdtemp(path.join(tmpdir(), 'gastown-keep-'))
    dirs.push(temp)
    cli = startCli(['sandbox', '--keep', '--report-dir', path.join(temp, 'report')])
    const board = (await cli.line(/ {2}board: +(http:\/\/\S+)/))[1]!
    const web = (await cli.line(/ {2}web: +(http:\/\/\S+)/))[1]!

    const boardPage = await fetch(board)
    expect(boardPage.status).toBe(200)
    expect(await boardPage.text()).toContain('<title>')
    const repoPage = await fetch(web, { headers: html })
    expect(repoPage.status).toBe(200)
    const repoHtml = await repoPage.text()
    // Every pull request the town merged, and the goal, are linked and open as pages.
    const links = [...repoHtml.matchAll(/href="(\/[^"]+\/(?:issues|pull)\/\d+)"/g)].map((match) => match[1]!)
    expect(links.some((link) => link.includes('/pull/'))).toBe(true)
    for (const link of links) {
      const page = await fetch(new URL(link, web), { headers: html })
      expect(page.status, link).toBe(200)
    }
    const printed = cli.stdout()
    for (const api of printed.matchAll(/REST API: +(http:\/\/\S+)/g)) {
      expect((await fetch(`${api[1]}/rate_limit`)).status).not.toBe(404)
    }

    cli.child.kill('SIGINT')
    expect((await cli.exited).code).toBe(130)
  })
})
