import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import type { Plan, PlanBead } from '../../src/core/plan.js'
import {
  closestMatch,
  formatPath,
  repairMessage,
  validatePlan,
  type Problem,
  type ValidatePlanOptions,
} from '../../src/core/validate-plan.js'

const options: ValidatePlanOptions = { roles: ['developer', 'tester', 'reviewer'], maxBeads: 10 }

const bead = (key: string, depends_on: string[] = [], extra: Partial<PlanBead> = {}): PlanBead => ({
  key,
  title: `Do ${key}`,
  description: `Work for ${key}.`,
  role: 'developer',
  depends_on,
  acceptance_criteria: [`${key} works`],
  ...extra,
})

const problemsOf = (raw: unknown, opts: ValidatePlanOptions = options): Problem[] => {
  const result = validatePlan(raw, opts)
  return result.ok ? [] : result.problems
}

const codes = (raw: unknown, opts?: ValidatePlanOptions) => problemsOf(raw, opts).map((p) => p.code)

describe('validatePlan accepts', () => {
  it('a valid plan, with repeated dependencies merged', () => {
    const result = validatePlan({ beads: [bead('schema'), bead('api', ['schema', 'schema'])] }, options)
    expect(result).toEqual({ ok: true, plan: { beads: [bead('schema'), bead('api', ['schema'])] } })
  })

  it('the raw JSON text of an answer, even inside a code fence', () => {
    const text = JSON.stringify({ beads: [bead('schema')] })
    expect(validatePlan(text, options).ok).toBe(true)
    expect(validatePlan('```json\n' + text + '\n```', options).ok).toBe(true)
  })

  it('dependencies on beads listed later in the plan', () => {
    expect(validatePlan({ beads: [bead('api', ['schema']), bead('schema')] }, options).ok).toBe(true)
  })
})

describe('validatePlan reports', () => {
  it('text that is not JSON', () => {
    const [problem] = problemsOf('Sure! Here is the plan: {beads: []')
    expect(problem?.code).toBe('invalid_json')
    expect(problem?.message).toMatch(/not valid JSON/)
  })

  it('an answer that is not an object, with a hint for a bare array', () => {
    expect(codes(42)).toEqual(['not_object'])
    expect(codes(null)).toEqual(['not_object'])
    const [problem] = problemsOf([bead('a')])
    expect(problem).toMatchObject({ code: 'not_object', path: [] })
    expect(problem?.message).toContain('wrap it as {"beads": [...]}')
  })

  it('a missing or non-array beads field', () => {
    expect(problemsOf({ tasks: [] })).toEqual([
      expect.objectContaining({
        code: 'invalid_shape',
        path: ['beads'],
        message: expect.stringMatching(/missing/),
      }),
    ])
    expect(codes({ beads: 'lots' })).toEqual(['invalid_shape'])
  })

  it('a bead of the wrong shape, with the path of each bad field', () => {
    const problems = problemsOf({
      beads: [bead('ok'), { key: 'Bad Key', title: '', role: 'developer', depends_on: 'ok' }, 7],
    })
    const paths = problems.map((p) => formatPath(p.path))
    expect(problems.every((p) => p.code === 'invalid_shape')).toBe(true)
    expect(paths).toEqual(
      expect.arrayContaining([
        'beads[1].key',
        'beads[1].title',
        'beads[1].description',
        'beads[1].depends_on',
        'beads[1].acceptance_criteria',
        'beads[2]',
      ]),
    )
    expect(problems.find((p) => formatPath(p.path) === 'beads[1].key')?.message).toMatch(/^beads\[1\]\.key: /)
  })

  it('an empty plan', () => {
    expect(problemsOf({ beads: [] })).toEqual([
      expect.objectContaining({ code: 'empty_plan', path: ['beads'] }),
    ])
  })

  it('an unknown role, naming the known ones and the likely one', () => {
    const [problem] = problemsOf({ beads: [bead('api', [], { role: 'Developr' })] })
    expect(problem).toMatchObject({ code: 'unknown_role', path: ['beads', 0, 'role'] })
    expect(problem?.message).toContain('use one of developer, tester, reviewer')
    expect(problem?.message).toContain('did you mean "developer"?')
    expect(problemsOf({ beads: [bead('api', [], { role: 'astronaut' })] })[0]?.message).not.toContain(
      'did you mean',
    )
  })

  it('a duplicate key, naming where it was first used', () => {
    const [problem] = problemsOf({ beads: [bead('api'), bead('ui'), bead('api')] })
    expect(problem).toMatchObject({ code: 'duplicate_key', path: ['beads', 2, 'key'] })
    expect(problem?.message).toContain('already the key of beads[0]')
  })

  it('a dependency on a missing key, suggesting the closest key', () => {
    const [problem] = problemsOf({ beads: [bead('schema'), bead('api', ['shema'])] })
    expect(problem).toMatchObject({ code: 'missing_dependency', path: ['beads', 1, 'depends_on', 0] })
    expect(problem?.message).toBe(
      'beads[1].depends_on[0]: "shema" is not the key of any bead in the plan; did you mean "schema"?',
    )
  })

  it('a self-dependency', () => {
    expect(problemsOf({ beads: [bead('api', ['api'])] })).toEqual([
      expect.objectContaining({ code: 'self_dependency', path: ['beads', 0, 'depends_on', 0] }),
    ])
  })

  it('a cycle with its path', () => {
    const [problem] = problemsOf({
      beads: [
        bead('schema', ['api']),
        bead('api', ['tests']),
        bead('tests', ['schema']),
        bead('docs', ['api']),
      ],
    })
    expect(problem).toMatchObject({
      code: 'cycle',
      path: ['beads', 0, 'depends_on'],
      cycle: ['schema', 'api', 'tests', 'schema'],
    })
    expect(problem?.message).toContain('schema -> api -> tests -> schema')
  })

  it('more beads than max_beads', () => {
    const beads = Array.from({ length: 4 }, (_, i) => bead(`b${i}`))
    expect(problemsOf({ beads }, { ...options, maxBeads: 3 })).toEqual([
      expect.objectContaining({
        code: 'too_many_beads',
        message: expect.stringContaining('4 beads; at most 3'),
      }),
    ])
    expect(validatePlan({ beads }, { ...options, maxBeads: 4 }).ok).toBe(true)
  })

  it('over-long titles and descriptions, at the default and configured limits', () => {
    const long = { beads: [bead('a', [], { title: 'x'.repeat(121), description: 'y'.repeat(8001) })] }
    expect(codes(long)).toEqual(['title_too_long', 'description_too_long'])
    const atLimit = { beads: [bead('a', [], { title: 'x'.repeat(120), description: 'y'.repeat(8000) })] }
    expect(codes(atLimit)).toEqual([])
    expect(codes(atLimit, { ...options, maxTitle: 50, maxDescription: 100 })).toEqual([
      'title_too_long',
      'description_too_long',
    ])
  })

  it('every problem of a plan at once, including on beads of the wrong shape', () => {
    const problems = problemsOf(
      {
        beads: [
          bead('schema', ['tests']),
          bead('api', ['schema', 'api', 'ghost'], { role: 'wizard' }),
          bead('tests', ['api']),
          bead('tests'),
          { key: 'docs', role: 'poet', title: 'x'.repeat(200), depends_on: ['nowhere'] },
        ],
      },
      { ...options, maxBeads: 4 },
    )
    expect(new Set(problems.map((p) => p.code))).toEqual(
      new Set([
        'too_many_beads',
        'invalid_shape',
        'duplicate_key',
        'unknown_role',
        'title_too_long',
        'self_dependency',
        'missing_dependency',
        'cycle',
      ]),
    )
    expect(problems.filter((p) => p.code === 'unknown_role').map((p) => p.path)).toEqual([
      ['beads', 1, 'role'],
      ['beads', 4, 'role'],
    ])
    expect(problems.filter((p) => p.code === 'missing_dependency').map((p) => formatPath(p.path))).toEqual([
      'beads[1].depends_on[2]',
      'beads[4].depends_on[0]',
    ])
  })
})

describe('closestMatch', () => {
  it('suggests a near miss and nothing for an unrelated word', () => {
    expect(closestMatch('Testr', ['developer', 'tester'])).toBe('tester')
    expect(closestMatch('db-shema', ['db-schema', 'api'])).toBe('db-schema')
    expect(closestMatch('frontend', ['db-schema', 'api'])).toBeUndefined()
    expect(closestMatch('x', [])).toBeUndefined()
  })
})

describe('repairMessage', () => {
  it('lists every problem and the rules, and asks for the whole corrected plan', () => {
    const problems = problemsOf({ beads: [bead('api', ['api'], { role: 'wizard' })] })
    const message = repairMessage(problems, options)
    expect(message).toMatch(/^Your plan was not accepted: 2 problems must be fixed\./)
    expect(message).toContain(`1. ${problems[0]!.message}`)
    expect(message).toContain(`2. ${problems[1]!.message}`)
    expect(message).toContain('- role: one of developer, tester, reviewer.')
    expect(message).toContain('- At most 10 beads.')
    expect(message).toContain('never form a cycle')
    expect(message).toContain('whole corrected plan')
  })

  it('states the general rules when no options are given', () => {
    const message = repairMessage([
      { code: 'empty_plan', path: ['beads'], message: 'beads: the plan is empty.' },
    ])
    expect(message).toContain('1 problem must be fixed')
    expect(message).toContain('title: at most 120 characters; description: at most 8000 characters.')
    expect(message).not.toContain('role: one of')
  })
})

/** Plans that satisfy every rule: unique slug keys, known roles, acyclic dependencies, any bead order. */
const validPlanArbitrary = fc
  .uniqueArray(fc.stringMatching(/^[a-z][a-z0-9-]{0,39}$/), { minLength: 1, maxLength: 10 })
  .chain((keys) =>
    fc.record({
      keys: fc.constant(keys),
      deps: fc.tuple(...keys.map((_, i) => fc.subarray(keys.slice(0, i)))),
      roles: fc.tuple(...keys.map(() => fc.constantFrom(...options.roles))),
      titles: fc.tuple(...keys.map(() => fc.string({ minLength: 1, maxLength: 120 }))),
      descriptions: fc.tuple(...keys.map(() => fc.string({ maxLength: 300 }))),
      order: fc.shuffledSubarray(
        keys.map((_, i) => i),
        { minLength: keys.length, maxLength: keys.length },
      ),
    }),
  )
  .map(({ keys, deps, roles, titles, descriptions, order }): Plan => ({
    beads: order.map((i) => ({
      key: keys[i]!,
      title: titles[i]!,
      description: descriptions[i]!,
      role: roles[i]!,
      depends_on: deps[i]!,
      acceptance_criteria: [],
    })),
  }))

describe('validatePlan properties', () => {
  it('accepts every valid plan unchanged', () => {
    fc.assert(
      fc.property(validPlanArbitrary, (plan) => {
        expect(validatePlan(plan, options)).toEqual({ ok: true, plan })
        expect(validatePlan(JSON.stringify(plan), options)).toEqual({ ok: true, plan })
      }),
    )
  })

  it('always reports an injected cycle, with a path that is a real cycle of the plan', () => {
    fc.assert(
      fc.property(validPlanArbitrary, fc.nat(), fc.nat(), (plan, a, b) => {
        fc.pre(plan.beads.length >= 2)
        const i = a % plan.beads.length
        const j = (i + 1 + (b % (plan.beads.length - 1))) % plan.beads.length
        const beads = plan.beads.map((x) => ({ ...x, depends_on: [...x.depends_on] }))
        // i depends on j and j on i: a cycle whatever the plan already held.
        beads[i]!.depends_on.push(beads[j]!.key)
        beads[j]!.depends_on.push(beads[i]!.key)
        const problems = problemsOf({ beads })
        expect(problems.length).toBeGreaterThan(0)
        expect(problems.every((p) => p.code === 'cycle')).toBe(true)
        const depsOf = new Map(beads.map((x) => [x.key, x.depends_on]))
        for (const { cycle } of problems) {
          expect(cycle![0]).toBe(cycle![cycle!.length - 1])
          cycle!.slice(0, -1).forEach((key, k) => expect(depsOf.get(key)).toContain(cycle![k + 1]))
        }
      }),
    )
  })
})
