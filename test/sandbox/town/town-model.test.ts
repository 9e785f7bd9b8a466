/** Which model the town runs: real with a key, scripted with a scenario or without a key, never silently. */
import { describe, expect, it } from 'vitest'
import { chooseTownModel, DEFAULT_REAL_MODEL, scriptedAnnouncement } from '../../../src/sandbox/town-model.js'

describe('chooseTownModel', () => {
  it('replays the default scenario when no key is set, saying why', () => {
    expect(chooseTownModel({}, { defaultScenario: 'todo-api' })).toEqual({
      kind: 'scripted',
      scenario: 'todo-api',
      why: 'OPENAI_API_KEY is not set',
    })
    expect(chooseTownModel({ OPENAI_API_KEY: '  ' }, { defaultScenario: 'todo-api' }).kind).toBe('scripted')
  })

  it('runs the real model when a key is set, named by GASTOWN_MODEL, then OPENAI_MODEL, at OPENAI_BASE_URL', () => {
    expect(chooseTownModel({ OPENAI_API_KEY: 'sk-1' }, { defaultScenario: 'todo-api' })).toEqual({
      kind: 'real',
      name: DEFAULT_REAL_MODEL,
      apiKey: 'sk-1',
      apiKeyEnv: 'OPENAI_API_KEY',
    })
    expect(
      chooseTownModel(
        {
          OPENAI_API_KEY: 'sk-1',
          OPENAI_MODEL: 'b',
          GASTOWN_MODEL: 'a',
          OPENAI_BASE_URL: 'http://127.0.0.1:11434/v1',
        },
        { defaultScenario: 'todo-api' },
      ),
    ).toMatchObject({ kind: 'real', name: 'a', baseUrl: 'http://127.0.0.1:11434/v1' })
  })

  it('replays a scenario that was asked for even when a key is set', () => {
    expect(
      chooseTownModel({ OPENAI_API_KEY: 'sk-1' }, { scenario: 'deep', defaultScenario: 'todo-api' }),
    ).toEqual({ kind: 'scripted', scenario: 'deep', why: 'a scenario was asked for' })
  })

  it('announces the scripted model as a test double', () => {
    expect(scriptedAnnouncement('todo-api', 'OPENAI_API_KEY is not set')).toMatch(
      /^scripted model: replaying scenario todo-api — a test double, not an LLM/,
    )
  })
})
