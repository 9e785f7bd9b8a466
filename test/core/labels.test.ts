import { describe, expect, it } from 'vitest'
import { BEAD_STATUSES } from '../../src/core/bead.js'
import {
  isBeadLabel,
  labelChanges,
  labelName,
  labelSpecs,
  labelsFor,
  roleFromLabel,
  statusFromLabel,
} from '../../src/core/labels.js'

describe('labelsFor', () => {
  it('gives the bead, role and status labels', () => {
    expect(labelsFor('ready', 'developer')).toEqual([
      'gastown:bead',
      'gastown:role/developer',
      'gastown:status/ready',
    ])
  })

  it('adds needs-human when the flag is set', () => {
    expect(labelsFor('failed', 'tester', true)).toContain('gastown:needs-human')
    expect(labelsFor('failed', 'tester', false)).not.toContain('gastown:needs-human')
  })
})

describe('labelChanges', () => {
  it('adds what is missing and removes stale bead labels', () => {
    const current = ['gastown:bead', 'gastown:status/ready', 'gastown:role/developer', 'bug']
    expect(labelChanges(current, labelsFor('in_progress', 'developer'))).toEqual({
      add: ['gastown:status/in_progress'],
      remove: ['gastown:status/ready'],
    })
  })

  it('never removes labels that are not bead labels', () => {
    const current = [{ name: 'bug' }, { name: 'gastown:goal' }, { name: 'priority/high' }]
    expect(labelChanges(current, []).remove).toEqual([])
  })

  it('removes a stale needs-human label', () => {
    expect(labelChanges(['gastown:needs-human'], labelsFor('ready', 'developer')).remove).toEqual([
      'gastown:needs-human',
    ])
  })

  it('compares names without case, as GitHub does, and ignores order', () => {
    const current = ['GASTOWN:Status/Ready', 'gastown:role/developer', 'gastown:bead']
    expect(labelChanges(current, labelsFor('ready', 'developer'))).toEqual({ add: [], remove: [] })
  })

  it('asks for each wanted label once', () => {
    expect(labelChanges([], ['a', 'A', 'a']).add).toEqual(['a'])
  })
})

describe('label names', () => {
  it('reads strings and API objects', () => {
    expect(labelName('x')).toBe('x')
    expect(labelName({ name: 'y' })).toBe('y')
    expect(labelName({})).toBe('')
  })

  it('knows which labels are bead labels', () => {
    expect(isBeadLabel('gastown:bead')).toBe(true)
    expect(isBeadLabel({ name: 'gastown:role/tester' })).toBe(true)
    expect(isBeadLabel('gastown:goal')).toBe(false)
    expect(isBeadLabel('gastown:beads')).toBe(false)
  })

  it('reads status and role back from labels', () => {
    expect(statusFromLabel('gastown:status/in_review')).toBe('in_review')
    expect(statusFromLabel('gastown:status/nonsense')).toBeUndefined()
    expect(statusFromLabel('bug')).toBeUndefined()
    expect(roleFromLabel('gastown:role/devops')).toBe('devops')
    expect(roleFromLabel('gastown:role/')).toBeUndefined()
  })
})

describe('labelSpecs', () => {
  it('lists every label the town uses, each within GitHub limits', () => {
    const specs = labelSpecs(['developer', 'a-very-long-custom-role-name-of-36ch'])
    const names = specs.map((spec) => spec.name)
    expect(names).toContain('gastown:goal')
    expect(names).toContain('gastown:needs-human')
    for (const status of BEAD_STATUSES) expect(names).toContain(`gastown:status/${status}`)
    expect(new Set(names).size).toBe(names.length)
    for (const spec of specs) {
      expect(spec.name.length).toBeLessThanOrEqual(50)
      expect(spec.color).toMatch(/^[0-9a-f]{6}$/)
      expect(spec.description.length).toBeLessThanOrEqual(100)
    }
  })
})
