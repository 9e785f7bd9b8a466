/**
 * Test support for the emulator's git parts: an HTTP server that only serves the git host, a token table
 * authorising requests the way the emulator does (HTTP Basic, token as password), and a git client runner.
 */
import { execFile } from 'node:child_process'
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import type { Actor, Authorize, GitHost, Permission } from '../../../src/sandbox/emulator/contracts.js'

/** One token the test server accepts. */
export interface TestToken {
  token: string
  actor: Actor
  permission: Permission
}

/** Authorises `Authorization: Basic base64(any:TOKEN)` (or `token TOKEN`) against a token table. */
export function tokenAuthorize(tokens: TestToken[]): Authorize {
  return (req) => {
    const header = req.headers.authorization ?? ''
    let token: string | undefined
    // The scheme is case-insensitive (RFC 7235); the runner's checkout sends `basic`, as actions/checkout does.
    if (/^basic /i.test(header)) {
      const decoded = Buffer.from(header.slice(6), 'base64').toString('utf8')
      token = decoded.slice(decoded.indexOf(':') + 1)
    } else if (/^(token|bearer) /i.test(header)) {
      token = header.slice(header.indexOf(' ') + 1)
    }
    const found = tokens.find((entry) => entry.token === token)
    if (!found) return null
    return { actor: found.actor, permission: () => found.permission }
  }
}

/** Starts an HTTP server on 127.0.0.1 that answers git requests through the host and 404 otherwise. */
export async function startGitServer(host: GitHost): Promise<{ url: string; close(): Promise<void> }> {
  const server = createServer((req, res) => {
    host.handle(req, res).then(
      (handled) => {
        if (!handled) {
          res.statusCode = 404
          res.end('not a git path')
        }
      },
      (error: unknown) => {
        res.statusCode = 500
        res.end(String(error))
      },
    )
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections()
        server.close(() => resolve())
      }),
  }
}

/** Runs the git client as a user would, without the machine's git configuration; never rejects. */
export function clientGit(
  args: string[],
  cwd: string,
): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      'git',
      args,
      {
        cwd,
        env: {
          PATH: process.env.PATH,
          HOME: cwd,
          GIT_CONFIG_NOSYSTEM: '1',
          GIT_CONFIG_GLOBAL: '/dev/null',
          GIT_TERMINAL_PROMPT: '0',
          GIT_AUTHOR_NAME: 'Test Author',
          GIT_AUTHOR_EMAIL: 'author@example.test',
          GIT_COMMITTER_NAME: 'Test Author',
          GIT_COMMITTER_EMAIL: 'author@example.test',
        },
      },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === 'number' ? error.code : 1) : 0
        resolve({ code, stdout: String(stdout), stderr: String(stderr) })
      },
    )
  })
}

/** An authenticated clone URL, as `actions/checkout` and the worker build it. */
export function authedUrl(base: string, token: string, repo: string): string {
  const url = new URL(`${base}/${repo}.git`)
  url.username = 'x-access-token'
  url.password = token
  return url.toString()
}
