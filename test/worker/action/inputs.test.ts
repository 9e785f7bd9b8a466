import { describe, expect, it } from 'vitest'
import { InputError, parseInputs } from '../../../src/worker/action/inputs.js'

const runner = {
  GITHUB_REPOSITORY: 'octo/todo',
  GITHUB_RUN_ID: '42',
  GITHUB_WORKSPACE: '/work',
  GITHUB_ACTOR: 'gastown[bot]',
}

function inputs(values: Record<string, string>): Record<string, string> {
  return Object.fromEntries(
    Object.entries(values).map(([name, value]) => [`INPUT_${name.toUpperCase()}`, value]),
  )
}

describe('parseInputs', () => {
  it('reads the inputs and leaves empty budgets to the config', () => {
    const { inputs: parsed, context } = parseInputs({
      ...runner,
      ...inputs({ bead: '12', attempt: '2', 'github-token': 't0ken-value', 'max-cost-usd': '1.5' }),
    })
    expect(parsed).toMatchObject({
      bead: 12,
      attempt: 2,
      'max-cost-usd': 1.5,
      'max-iterations': undefined,
      model: '',
    })
    expect(context).toMatchObject({
      GITHUB_SERVER_URL: 'https://github.com',
      GITHUB_API_URL: 'https://api.github.com',
    })
  })

  it('names every wrong input and what to set, without echoing the token', () => {
    let error: unknown
    try {
      parseInputs({
        ...runner,
        ...inputs({ bead: 'twelve', attempt: '0', 'github-token': '', 'max-minutes': '-3' }),
      })
    } catch (caught) {
      error = caught
    }
    expect(error).toBeInstanceOf(InputError)
    const message = (error as InputError).message
    expect(message).toContain("input `bead` must be the bead's issue number")
    expect(message).toContain('(got "twelve")')
    expect(message).toContain('input `attempt`')
    expect(message).toContain('input `github-token` is empty')
    expect(message).toContain('input `max-minutes`')
    expect(message).toContain('set it under `with:`')
  })

  it('names a missing runner variable', () => {
    expect(() =>
      parseInputs({
        GITHUB_RUN_ID: '1',
        GITHUB_WORKSPACE: '/w',
        ...inputs({ bead: '1', attempt: '1', 'github-token': 'x' }),
      }),
    ).toThrow(/GITHUB_REPOSITORY is missing/)
  })
})
