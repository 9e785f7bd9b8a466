import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { globToRegExp, matchesAnyGlob } from '../../../src/worker/agent/path-glob.js'

describe('globToRegExp', () => {
  it('keeps * and ? within one path segment', () => {
    expect(globToRegExp('src/*.ts').test('src/a.ts')).toBe(true)
    expect(globToRegExp('src/*.ts').test('src/lib/a.ts')).toBe(false)
    expect(globToRegExp('a?.md').test('ab.md')).toBe(true)
    expect(globToRegExp('a?.md').test('a/.md')).toBe(false)
  })

  it('lets ** span any number of directories, including none', () => {
    const pattern = globToRegExp('src/**/test.ts')
    expect(pattern.test('src/test.ts')).toBe(true)
    expect(pattern.test('src/a/b/test.ts')).toBe(true)
    expect(pattern.test('lib/test.ts')).toBe(false)
  })

  it('makes a trailing /** cover the directory itself and everything below', () => {
    const pattern = globToRegExp('.github/workflows/**')
    expect(pattern.test('.github/workflows')).toBe(true)
    expect(pattern.test('.github/workflows/ci.yml')).toBe(true)
    expect(pattern.test('.github/workflows-old/ci.yml')).toBe(false)
  })

  it('expands {a,b} alternatives and escapes regex characters', () => {
    const pattern = globToRegExp('*.{yml,yaml}')
    expect(pattern.test('ci.yml')).toBe(true)
    expect(pattern.test('ci.yaml')).toBe(true)
    expect(pattern.test('ci.json')).toBe(false)
    expect(globToRegExp('a+b.(x)').test('a+b.(x)')).toBe(true)
    expect(globToRegExp('a.b').test('axb')).toBe(false)
  })
})

describe('matchesAnyGlob', () => {
  it('ignores case, so .GitHub/Workflows is as protected as .github/workflows', () => {
    expect(matchesAnyGlob('.GitHub/Workflows/ci.yml', ['.github/workflows/**'])).toBe('.github/workflows/**')
  })

  it('protects everything under a directory named without a glob', () => {
    expect(matchesAnyGlob('secrets/deep/key.pem', ['secrets'])).toBe('secrets')
    expect(matchesAnyGlob('secretsfile', ['secrets'])).toBeUndefined()
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
