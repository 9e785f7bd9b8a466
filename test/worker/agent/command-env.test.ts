import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { buildCommandEnv, isDeniedEnvName } from '../../../src/worker/agent/command-env.js'

const hostile = {
  PATH: '/usr/bin:/bin',
  HOME: '/home/runner',
  LANG: 'C.UTF-8',
  LC_ALL: 'C.UTF-8',
  CI: 'true',
  NODE_ENV: 'test',
  NODE_OPTIONS: '--require /tmp/evil.js',
  NODE_AUTH_TOKEN: 'npm-secret',
  GITHUB_TOKEN: 'ghs_secret',
  GH_TOKEN: 'ghs_secret2',
  'INPUT_GITHUB-TOKEN': 'ghs_secret3',
  INPUT_MODEL: 'gpt',
  ACTIONS_RUNTIME_TOKEN: 'runtime',
  ACTIONS_ID_TOKEN_REQUEST_URL: 'https://example.invalid',
  OPENAI_API_KEY: 'sk-secret',
  OPENAI_BASE_URL: 'https://example.invalid',
  AWS_SECRET_ACCESS_KEY: 'aws',
  GITHUB_REPOSITORY: 'o/r',
  RUNNER_TEMP: '/tmp/runner',
}

describe('buildCommandEnv', () => {
  it('keeps only allow-listed variables and drops every secret', () => {
    expect(buildCommandEnv(hostile)).toEqual({
      PATH: '/usr/bin:/bin',
      HOME: '/home/runner',
      LANG: 'C.UTF-8',
      LC_ALL: 'C.UTF-8',
      CI: 'true',
      NODE_ENV: 'test',
    })
  })

  it('adds explicit extras', () => {
    expect(buildCommandEnv({ PATH: '/bin' }, { GASTOWN_BEAD: '12' })).toEqual({
      PATH: '/bin',
      GASTOWN_BEAD: '12',
    })
  })

  it('refuses an extra whose name looks like a secret, naming it', () => {
    expect(() => buildCommandEnv({}, { DEPLOY_TOKEN: 'x' })).toThrow(/DEPLOY_TOKEN/)
    expect(() => buildCommandEnv({}, { OPENAI_API_KEY: 'x' })).toThrow(/OPENAI_API_KEY/)
    expect(() => buildCommandEnv({}, { INPUT_X: 'x' })).toThrow(/INPUT_X/)
  })

  it('never lets a denied name through, whatever the base holds', () => {
    const name = fc.oneof(
      fc.constantFrom('PATH', 'HOME', 'NODE_ENV', 'NODE_OPTIONS', 'LC_X', 'CI', 'TERM'),
      fc.stringMatching(/^(NODE_|LC_|INPUT_|ACTIONS_|OPENAI_)?[A-Z_]{0,6}(_TOKEN|_KEY|_SECRET|PASSWORD)?$/),
    )
    fc.assert(
      fc.property(fc.dictionary(name, fc.string()), (base) => {
        for (const key of Object.keys(buildCommandEnv(base))) expect(isDeniedEnvName(key)).toBe(false)
      }),
    )
  })
})
