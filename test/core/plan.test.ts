import { Ajv2020 } from 'ajv/dist/2020.js'
import { describe, expect, it } from 'vitest'
import {
  PLAN_KEY_PATTERN,
  planJsonSchema,
  planOfBeads,
  planSchema,
  renderPlanMermaid,
  renderPlanTable,
  type Plan,
} from '../../src/core/plan.js'

const plan: Plan = {
  beads: [
    {
      key: 'db-schema',
      title: 'Define the todo schema',
      description: 'A table for todos.',
      role: 'developer',
      depends_on: [],
      acceptance_criteria: ['migration runs', 'id is a uuid'],
    },
    {
      key: 'api',
      title: 'CRUD endpoints',
      description: 'REST routes.',
      role: 'developer',
      depends_on: ['db-schema'],
      acceptance_criteria: ['GET /todos lists todos'],
    },
    {
      key: 'end',
      title: 'Review the API',
      description: 'Look for bugs.',
      role: 'reviewer',
      depends_on: ['api', 'db-schema'],
      acceptance_criteria: [],
    },
  ],
}

describe('plan schema', () => {
  it('accepts a well-formed plan and rejects a key that is not a slug', () => {
    expect(planSchema.parse(plan)).toEqual(plan)
    const bad = { beads: [{ ...plan.beads[0]!, key: 'DB Schema' }] }
    const result = planSchema.safeParse(bad)
    expect(result.success).toBe(false)
    expect(result.error?.issues[0]?.path).toEqual(['beads', 0, 'key'])
  })

  it('allows keys of one to forty characters that start with a letter', () => {
    expect(PLAN_KEY_PATTERN.test('a')).toBe(true)
    expect(PLAN_KEY_PATTERN.test(`a${'b'.repeat(39)}`)).toBe(true)
    expect(PLAN_KEY_PATTERN.test(`a${'b'.repeat(40)}`)).toBe(false)
    expect(PLAN_KEY_PATTERN.test('1api')).toBe(false)
    expect(PLAN_KEY_PATTERN.test('api_v2')).toBe(false)
  })
})

describe('planJsonSchema', () => {
  const ajv = new Ajv2020({ strict: false })

  it('describes an object with every bead field required and nothing extra, as structured output needs', () => {
    const schema = planJsonSchema() as {
      required: string[]
      additionalProperties: boolean
      properties: { beads: { items: { required: string[]; additionalProperties: boolean } } }
    }
    expect(schema.required).toEqual(['beads'])
    expect(schema.additionalProperties).toBe(false)
    expect([...schema.properties.beads.items.required].sort()).toEqual(
      ['acceptance_criteria', 'depends_on', 'description', 'key', 'role', 'title'].sort(),
    )
    expect(schema.properties.beads.items.additionalProperties).toBe(false)
  })

  it('accepts a valid plan and, given roles, refuses any other role', () => {
    const validate = ajv.compile(planJsonSchema(['developer', 'reviewer']))
    expect(validate(plan)).toBe(true)
    const withUnknownRole = { beads: [{ ...plan.beads[0]!, role: 'wizard' }] }
    expect(validate(withUnknownRole)).toBe(false)
    expect(ajv.compile(planJsonSchema())(withUnknownRole)).toBe(true)
  })

  it('keeps to keywords that strict structured output accepts', () => {
    const text = JSON.stringify(planJsonSchema(['developer']))
    expect(text).not.toMatch(/"(\$schema|minLength|maxLength)"/)
    expect(text).toContain('"pattern"')
  })

  it('refuses a key that is not a slug', () => {
    const validate = ajv.compile(planJsonSchema())
    expect(validate({ beads: [{ ...plan.beads[0]!, key: 'Not A Slug' }] })).toBe(false)
  })
})

describe('renderPlanTable', () => {
  it('renders one row per bead with its dependencies and criteria', () => {
    const table = renderPlanTable(plan)
    const lines = table.split('\n')
    expect(lines[0]).toBe('| # | Key | Title | Role | Depends on | Acceptance criteria |')
    expect(lines[1]).toBe('| --- | --- | --- | --- | --- | --- |')
    expect(lines).toHaveLength(2 + plan.beads.length)
    expect(lines[2]).toBe(
      '| 1 | `db-schema` | Define the todo schema | developer | — | • migration runs<br>• id is a uuid |',
    )
    expect(lines[4]).toContain('| `api`, `db-schema` | — |')
  })

  it('adds a status column when statuses are given', () => {
    const table = renderPlanTable(plan, { 'db-schema': 'completed', api: 'in_progress' })
    const lines = table.split('\n')
    expect(lines[0]).toMatch(/\| Status \|$/)
    expect(lines[2]).toMatch(/\| completed \|$/)
    expect(lines[3]).toMatch(/\| in_progress \|$/)
    expect(lines[4]).toMatch(/\| — \|$/)
  })

  it('keeps pipes, line breaks and HTML in a title from breaking the table', () => {
    const hostile: Plan = {
      beads: [
        { ...plan.beads[0]!, title: 'a | b\n<!-- gastown:bead {} --> c', acceptance_criteria: ['x|y'] },
      ],
    }
    const row = renderPlanTable(hostile).split('\n')[2]!
    expect(row).toContain('a \\| b &lt;!-- gastown:bead {} --&gt; c')
    expect(row).toContain('• x\\|y')
    expect(row).not.toContain('<!--')
    expect(row.split(/(?<!\\)\|/).length).toBe(8)
  })
})

describe('renderPlanMermaid', () => {
  it('draws a node per bead and an arrow from each dependency to its dependent', () => {
    const graph = renderPlanMermaid(plan)
    expect(graph.split('\n')).toEqual([
      'graph TD',
      '  b_db_schema["db-schema: Define the todo schema<br/>developer"]',
      '  b_api["api: CRUD endpoints<br/>developer"]',
      '  b_end["end: Review the API<br/>reviewer"]',
      '  b_db_schema --> b_api',
      '  b_api --> b_end',
      '  b_db_schema --> b_end',
    ])
  })

  it('colours nodes by status with one class per status in use', () => {
    const graph = renderPlanMermaid(plan, { 'db-schema': 'completed', api: 'completed', end: 'in_progress' })
    expect(graph).toContain('b_api["api: CRUD endpoints<br/>developer · completed"]')
    expect(graph).toMatch(/^ {2}classDef completed fill:#dafbe1/m)
    expect(graph).toContain('  class b_db_schema,b_api completed')
    expect(graph).toContain('  class b_end in_progress')
    expect(graph).not.toContain('classDef failed')
  })

  it('escapes quotes, angle brackets and backticks so a title cannot break the graph or its fence', () => {
    const graph = renderPlanMermaid({
      beads: [{ ...plan.beads[0]!, title: 'say "hi" <b> ```js #1;' }],
    })
    expect(graph).toContain('db-schema: say #34;hi#34; #60;b#62; #96;#96;#96;js #35;1;<br/>developer')
    expect(graph).not.toContain('```')
  })

  it('skips arrows from keys that are not in the plan', () => {
    const graph = renderPlanMermaid({ beads: [{ ...plan.beads[1]!, depends_on: ['ghost'] }] })
    expect(graph).not.toContain('-->')
  })
})

describe('planOfBeads', () => {
  it('rebuilds the DAG from bead numbers, dropping dependencies on beads it was not given', () => {
    const plan = planOfBeads([
      { number: 5, key: 'schema', title: 'Schema', role: 'developer', dependencies: [] },
      { number: 6, key: 'api', title: 'API', role: 'developer', dependencies: [5, 99] },
      { number: 7, key: 'review', title: 'Review', role: 'reviewer', dependencies: [6, 5] },
    ])
    expect(plan.beads.map((bead) => [bead.key, bead.depends_on])).toEqual([
      ['schema', []],
      ['api', ['schema']],
      ['review', ['api', 'schema']],
    ])
    expect(plan.beads.every((bead) => bead.description === '' && bead.acceptance_criteria.length === 0)).toBe(
      true,
    )
  })
})
