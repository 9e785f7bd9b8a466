import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import {
  ExpressionError,
  evaluateCondition,
  evaluateExpression,
  interpolate,
  type ExpressionScope,
} from '../../../src/sandbox/emulator/workflow-expressions.js'

const scope: ExpressionScope = {
  contexts: {
    inputs: { bead: 12, who: 'Ada', empty: '', 'dry-run': false },
    github: {
      repository: 'acme/widgets',
      run_id: '9000001',
      token: 'ghs_x',
      event: { inputs: { bead: '12' } },
    },
    secrets: { API_KEY: 'k' },
    vars: {},
    env: { LEVEL: 'job' },
    steps: { 'my-step': { outputs: { value: 'out' }, outcome: 'success' } },
  },
}

const literal = (text: string) => `'${text.replace(/'/g, "''")}'`

describe('evaluateExpression', () => {
  it('reads contexts with dots, brackets, hyphens and any case of property names', () => {
    expect(evaluateExpression('inputs.who', scope)).toBe('Ada')
    expect(evaluateExpression("github.event.inputs['bead']", scope)).toBe('12')
    expect(evaluateExpression('steps.my-step.outputs.value', scope)).toBe('out')
    expect(evaluateExpression('secrets.api_key', scope)).toBe('k')
    expect(evaluateExpression('vars.ANYTHING', scope)).toBeNull()
    expect(evaluateExpression('steps.missing.outputs.value', scope)).toBeNull()
  })

  it('falls back with || and short-circuits with &&, returning operands as GitHub does', () => {
    expect(evaluateExpression("inputs.empty || 'fallback'", scope)).toBe('fallback')
    expect(evaluateExpression("inputs.who || 'fallback'", scope)).toBe('Ada')
    expect(evaluateExpression('inputs.empty && nosuch.thing', scope)).toBe('')
  })

  it('compares with coercion and case-insensitive strings', () => {
    expect(evaluateExpression("inputs.who == 'ADA'", scope)).toBe(true)
    expect(evaluateExpression("inputs.bead == '12'", scope)).toBe(true)
    expect(evaluateExpression('inputs.bead > 3 && !inputs.dry-run', scope)).toBe(true)
    expect(evaluateExpression('null == 0', scope)).toBe(true)
    expect(evaluateExpression("format('{0}-{1}{{}}', inputs.who, -1.5)", scope)).toBe('Ada--1.5{}')
    expect(evaluateExpression("contains(github.repository, 'WIDGET')", scope)).toBe(true)
    expect(evaluateExpression("startsWith(github.repository, 'acme/')", scope)).toBe(true)
    expect(evaluateExpression("fromJSON('[1,2]')[1]", scope)).toBe(2)
  })

  it('refuses unknown named values and functions with GitHub wording', () => {
    expect(() => evaluateExpression('nosuch.x', scope)).toThrow("Unrecognized named-value: 'nosuch'")
    expect(() => evaluateExpression('hashFiles(1)', scope)).toThrow("Unrecognized function: 'hashFiles'")
    expect(() => evaluateExpression('inputs.who ==', scope)).toThrow(ExpressionError)
  })

  it('reads back any string written as a literal', () => {
    fc.assert(fc.property(fc.string(), (text) => evaluateExpression(literal(text), scope) === text))
  })

  it('gives a || b the first truthy operand', () => {
    fc.assert(
      fc.property(fc.string(), fc.string(), (a, b) => {
        expect(evaluateExpression(`${literal(a)} || ${literal(b)}`, scope)).toBe(a === '' ? b : a)
      }),
    )
  })
})

describe('interpolate', () => {
  it('replaces each expression with its text and leaves the rest alone', () => {
    expect(interpolate('bead-${{ inputs.bead }} by ${{ inputs.who }}: ${{ inputs.dry-run }}', scope)).toBe(
      'bead-12 by Ada: false',
    )
    expect(interpolate("${{ '}}' }}", scope)).toBe('}}')
  })

  it('returns text without expressions unchanged', () => {
    fc.assert(
      fc.property(
        fc.string().filter((text) => !text.includes('${{')),
        (text) => interpolate(text, scope) === text,
      ),
    )
  })
})

describe('evaluateCondition', () => {
  const failed: ExpressionScope = { ...scope, status: { failed: true, cancelled: false } }

  it('treats a missing condition as success() and adds success() to one without a status function', () => {
    expect(evaluateCondition(undefined, scope)).toBe(true)
    expect(evaluateCondition(undefined, failed)).toBe(false)
    expect(evaluateCondition("inputs.who == 'Ada'", failed)).toBe(false)
    expect(evaluateCondition("${{ inputs.who == 'Ada' }}", scope)).toBe(true)
  })

  it('runs always() and failure() steps after a failure', () => {
    expect(evaluateCondition('always()', failed)).toBe(true)
    expect(evaluateCondition('${{ failure() }}', failed)).toBe(true)
    expect(evaluateCondition('failure()', scope)).toBe(false)
    expect(evaluateCondition('success()', failed)).toBe(false)
    expect(evaluateCondition('cancelled()', { ...scope, status: { failed: false, cancelled: true } })).toBe(
      true,
    )
  })
})

describe('object filters', () => {
  it("reads a property of every element with `.*.`, as the Mayor template's `if:` reads label names", () => {
    const labelled: ExpressionScope = {
      contexts: {
        github: {
          event: { issue: { labels: [{ name: 'bug' }, { name: 'gastown:goal' }] } },
          matrix: { a: { n: 1 }, b: { n: 2 } },
        },
      },
    }
    expect(evaluateExpression('github.event.issue.labels.*.name', labelled)).toEqual(['bug', 'gastown:goal'])
    expect(evaluateExpression("contains(github.event.issue.labels.*.name, 'gastown:goal')", labelled)).toBe(
      true,
    )
    expect(evaluateExpression("contains(github.event.issue.labels.*.name, 'gastown:bead')", labelled)).toBe(
      false,
    )
    expect(evaluateExpression('github.matrix.*.n', labelled)).toEqual([1, 2])
    expect(evaluateExpression('github.event.nothing.*.name', labelled)).toEqual([])
  })
})
