import { mkdirSync, symlinkSync } from 'node:fs'
import path from 'node:path'
import fc from 'fast-check'
import { afterAll, describe, expect, it } from 'vitest'
import { DEFAULT_PROTECTED_PATHS, JailError, resolveJailedPath } from '../../../src/worker/agent/jail.js'
import { makeRepo, makeTempDir, removeTempDirs, writeRepoFile } from './support.js'

afterAll(removeTempDirs)

function jailOf(workspace: string) {
  return { workspace, protectedPaths: DEFAULT_PROTECTED_PATHS }
}

describe('resolveJailedPath', () => {
  it('resolves a relative path inside the workspace', async () => {
    const repo = makeRepo({ 'src/a.ts': 'x' })
    const resolved = await resolveJailedPath('src/./a.ts', 'read', jailOf(repo))
    expect(resolved).toEqual({ absolute: path.join(repo, 'src/a.ts'), relative: 'src/a.ts' })
  })

  it('accepts an absolute path that lies inside the workspace', async () => {
    const repo = makeRepo()
    const resolved = await resolveJailedPath(path.join(repo, 'new/file.txt'), 'write', jailOf(repo))
    expect(resolved.relative).toBe('new/file.txt')
  })

  it('refuses a ../ escape', async () => {
    const repo = makeRepo()
    await expect(resolveJailedPath('../outside.txt', 'read', jailOf(repo))).rejects.toThrow(
      /outside the workspace/,
    )
    await expect(resolveJailedPath('src/../../x', 'write', jailOf(repo))).rejects.toThrow(JailError)
  })

  it('refuses an absolute path outside the workspace', async () => {
    const repo = makeRepo()
    await expect(resolveJailedPath('/etc/passwd', 'read', jailOf(repo))).rejects.toThrow(
      /outside the workspace/,
    )
  })

  it('refuses a NUL byte', async () => {
    const repo = makeRepo()
    await expect(resolveJailedPath('a.txt\0.png', 'read', jailOf(repo))).rejects.toThrow(/NUL byte/)
  })

  it('refuses a symlinked file that points outside the workspace', async () => {
    const repo = makeRepo()
    const outside = makeTempDir()
    writeRepoFile(outside, 'secret.txt', 'secret')
    symlinkSync(path.join(outside, 'secret.txt'), path.join(repo, 'link.txt'))
    await expect(resolveJailedPath('link.txt', 'read', jailOf(repo))).rejects.toThrow(
      /symlink.*outside the workspace/,
    )
  })

  it('refuses a path under a symlinked parent directory that points outside', async () => {
    const repo = makeRepo()
    const outside = makeTempDir()
    symlinkSync(outside, path.join(repo, 'vendor'))
    await expect(resolveJailedPath('vendor/new/file.txt', 'write', jailOf(repo))).rejects.toThrow(
      /outside the workspace/,
    )
  })

  it('refuses a dangling symlink whose target, once written, would be outside', async () => {
    const repo = makeRepo()
    const outside = makeTempDir()
    symlinkSync(path.join(outside, 'not-yet.txt'), path.join(repo, 'dangling.txt'))
    await expect(resolveJailedPath('dangling.txt', 'write', jailOf(repo))).rejects.toThrow(
      /outside the workspace/,
    )
  })

  it('refuses a relative symlink that climbs out with ..', async () => {
    const repo = makeRepo()
    mkdirSync(path.join(repo, 'a'))
    symlinkSync('../../..', path.join(repo, 'a/up'))
    await expect(resolveJailedPath('a/up/etc/passwd', 'read', jailOf(repo))).rejects.toThrow(
      /outside the workspace/,
    )
  })

  it('follows a symlink that stays inside and reports the real path', async () => {
    const repo = makeRepo({ 'real/file.txt': 'x' })
    symlinkSync('real', path.join(repo, 'alias'))
    const resolved = await resolveJailedPath('alias/file.txt', 'write', jailOf(repo))
    expect(resolved).toEqual({ absolute: path.join(repo, 'real/file.txt'), relative: 'real/file.txt' })
  })

  it('refuses .git in any case and at any depth', async () => {
    const repo = makeRepo()
    await expect(resolveJailedPath('.git/config', 'read', jailOf(repo))).rejects.toThrow(/inside \.git/)
    await expect(resolveJailedPath('.GIT/config', 'write', jailOf(repo))).rejects.toThrow(/inside \.git/)
    await expect(
      resolveJailedPath('vendor/lib/.git/hooks/pre-commit', 'write', jailOf(repo)),
    ).rejects.toThrow(/inside \.git/)
    await expect(resolveJailedPath('.git', 'read', jailOf(repo))).rejects.toThrow(/inside \.git/)
  })

  it('refuses a symlink that leads into .git', async () => {
    const repo = makeRepo()
    symlinkSync('.git', path.join(repo, 'meta'))
    await expect(resolveJailedPath('meta/config', 'write', jailOf(repo))).rejects.toThrow(/inside \.git/)
  })

  it('refuses writing a protected path, in any case, but lets it be read', async () => {
    const repo = makeRepo({ '.github/workflows/ci.yml': 'on: push\n' })
    await expect(resolveJailedPath('.github/workflows/x.yml', 'write', jailOf(repo))).rejects.toThrow(
      /protected path \(\.github\/\*\*\)/,
    )
    await expect(resolveJailedPath('.GitHub/Workflows/x.yml', 'write', jailOf(repo))).rejects.toThrow(
      /protected path/,
    )
    // By default everything that steers CI or review, not only the workflows, and .gitattributes.
    for (const file of ['.github/actions/setup/action.yml', '.github/CODEOWNERS', '.gitattributes']) {
      await expect(resolveJailedPath(file, 'write', jailOf(repo))).rejects.toThrow(/protected path/)
    }
    await expect(resolveJailedPath('.github/workflows/ci.yml', 'read', jailOf(repo))).resolves.toMatchObject({
      relative: '.github/workflows/ci.yml',
    })
  })

  it('refuses writing through a symlink whose real path is protected', async () => {
    const repo = makeRepo({ '.github/workflows/ci.yml': 'on: push\n' })
    symlinkSync('.github/workflows', path.join(repo, 'flows'))
    await expect(resolveJailedPath('flows/ci.yml', 'write', jailOf(repo))).rejects.toThrow(/protected path/)
  })

  it('takes the protected globs as a parameter', async () => {
    const repo = makeRepo()
    const options = { workspace: repo, protectedPaths: ['infra/**', '*.pem'] }
    await expect(resolveJailedPath('infra/main.tf', 'write', options)).rejects.toThrow(/infra\/\*\*/)
    await expect(resolveJailedPath('key.pem', 'write', options)).rejects.toThrow(/\*\.pem/)
    await expect(resolveJailedPath('.github/workflows/x.yml', 'write', options)).resolves.toBeDefined()
  })

  it('never resolves any mix of segments to a path outside the workspace or inside .git', async () => {
    const repo = makeRepo({ 'a/b/c.txt': 'x' })
    const outside = makeTempDir()
    symlinkSync(outside, path.join(repo, 'a/out'))
    symlinkSync('../..', path.join(repo, 'a/b/up'))
    symlinkSync('.git', path.join(repo, 'g'))
    const segment = fc.constantFrom('a', 'b', 'c.txt', '..', '.', 'out', 'up', 'g', '.git', '.GIT', 'new', '')
    await fc.assert(
      fc.asyncProperty(
        fc.array(segment, { minLength: 1, maxLength: 6 }),
        fc.boolean(),
        async (segments, absolute) => {
          const requested = (absolute ? `${repo}/` : '') + segments.join('/')
          try {
            const resolved = await resolveJailedPath(requested, 'write', jailOf(repo))
            expect(resolved.absolute === repo || resolved.absolute.startsWith(`${repo}/`)).toBe(true)
            expect(resolved.absolute.startsWith(outside)).toBe(false)
            expect(resolved.relative.toLowerCase().split('/')).not.toContain('.git')
          } catch (error) {
            expect(error).toBeInstanceOf(JailError)
          }
        },
      ),
      { numRuns: 300 },
    )
  })
})
