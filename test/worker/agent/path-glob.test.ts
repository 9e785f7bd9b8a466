import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { compileGlob, globProblem, matchesAnyGlob } from '../../../src/worker/agent/path-glob.js'

describe('compileGlob', () => {
  it('keeps * and ? within one path segment', () => {
    expect(compileGlob('src/*.ts')('src/a.ts')).toBe(true)
    expect(compileGlob('src/*.ts')('src/lib/a.ts')).toBe(false)
    expect(compileGlob('a?.md')('ab.md')).toBe(true)
    expect(compileGlob('a?.md')('a/.md')).toBe(false)
  })

  it('lets ** span any number of directories, including none', () => {
    const matches = compileGlob('src/**/test.ts')
    expect(matches('src/test.ts')).toBe(true)
    expect(matches('src/a/b/test.ts')).toBe(true)
    expect(matches('lib/test.ts')).toBe(false)
  })

  it('makes a trailing /** cover the directory itself and everything below', () => {
    const matches = compileGlob('.github/workflows/**')
    expect(matches('.github/workflows')).toBe(true)
    expect(matches('.github/workflows/ci.yml')).toBe(true)
    expect(matches('.github/workflows/.hidden.yml')).toBe(true)
    expect(matches('.github/workflows-old/ci.yml')).toBe(false)
  })

  it('expands {a,b} alternatives and keeps regex characters literal', () => {
    const matches = compileGlob('*.{yml,yaml}')
    expect(matches('ci.yml')).toBe(true)
    expect(matches('ci.yaml')).toBe(true)
    expect(matches('ci.json')).toBe(false)
    expect(compileGlob('a.b')('axb')).toBe(false)
    expect(compileGlob('a+b.txt')('a+b.txt')).toBe(true)
  })

  it('understands the bracket classes and extglobs people write, ignoring case', () => {
    const docker = compileGlob('[Dd]ockerfile')
    expect(docker('Dockerfile')).toBe(true)
    expect(docker('dockerfile')).toBe(true)
    expect(docker('DOCKERFILE')).toBe(true)
    expect(docker('Makefile')).toBe(false)
    const notReadme = compileGlob('docs/!(README).md')
    expect(notReadme('docs/guide.md')).toBe(true)
    expect(notReadme('docs/README.md')).toBe(false)
    expect(compileGlob('scripts/{ci,release}/**')('scripts/ci/deploy.sh')).toBe(true)
    expect(compileGlob('scripts/{ci,release}/**')('scripts/dev/run.sh')).toBe(false)
  })

  it('refuses globs whose regular expression could backtrack for minutes', () => {
    expect(() => compileGlob('*a*a*a*a*a*a*a*a*b')).toThrow(/has 9 "\*" \(at most 3\)/)
    expect(() => compileGlob('**/**/**/**/**/**/x')).toThrow(/"\*\*" segments/)
    expect(() => compileGlob('@(a*)b')).toThrow(/extglob/)
    expect(() => compileGlob('*(a|aa)*(a|aa)b')).toThrow(/repeating extglob/)
    expect(() => compileGlob('+(a|aa)b')).toThrow(/repeating extglob/)
    expect(globProblem('src/**/*.{ts,tsx}')).toBeUndefined()
  })

  it('refuses a leading ! that would negate a whole protected path', () => {
    expect(() => compileGlob('!src/**')).toThrow(/negates the whole glob/)
    expect(globProblem('!(x)')).toBeUndefined()
  })

  it('answers every path quickly enough to finish for every glob it accepts (no catastrophic backtracking)', () => {
    // Three stars in a segment against a long name of near-misses: the worst case the limits allow.
    const matches = compileGlob('*a*a*b')
    expect(matches('a'.repeat(200))).toBe(false)
  })
})

describe('matchesAnyGlob', () => {
  it('ignores case, so .GitHub/Workflows is as protected as .github/workflows', () => {
    expect(matchesAnyGlob('.GitHub/Workflows/ci.yml', ['.github/workflows/**'])).toBe('.github/workflows/**')
  })

  it('protects everything under a directory named without a glob', () => {
    expect(matchesAnyGlob('secrets/deep/key.pem', ['secrets'])).toBe('secrets')
    expect(matchesAnyGlob('secretsfile', ['secrets'])).toBeUndefined()
    expect(matchesAnyGlob('deploy/Dockerfile', ['[Dd]ockerfile', 'deploy'])).toBe('deploy')
    expect(matchesAnyGlob('Dockerfile', ['[Dd]ockerfile'])).toBe('[Dd]ockerfile')
  })

  it('accepts globs written with a leading ./ or /', () => {
    expect(matchesAnyGlob('infra/main.tf', ['./infra/**'])).toBe('./infra/**')
    expect(matchesAnyGlob('infra/main.tf', ['/infra/**'])).toBe('/infra/**')
  })

  it('matches every path below a protected directory, whatever its name', () => {
    const segment = fc.stringMatching(/^[a-zA-Z0-9_.-]{1,8}$/).filter((s) => s !== '.' && s !== '..')
    fc.assert(
      fc.property(fc.array(segment, { minLength: 1, maxLength: 5 }), (segments) => {
        expect(
          matchesAnyGlob(`.github/workflows/${segments.join('/')}`, ['.github/workflows/**']),
        ).toBeDefined()
        expect(matchesAnyGlob(`src/${segments.join('/')}`, ['.github/workflows/**'])).toBeUndefined()
      }),
    )
  })
})
