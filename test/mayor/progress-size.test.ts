/** The progress comment stays within GitHub's 65,536 characters, whatever the beads' titles. */
import { describe, expect, it } from 'vitest'
import { renderProgress } from '../../src/mayor/goal-comments.js'
import { makeBead } from '../core/bead-fixtures.js'

const beads = (count: number, title: string) =>
  Array.from({ length: count }, (_, i) =>
    makeBead({
      number: 100 + i,
      key: `b${String(i).padStart(3, '0')}-${'k'.repeat(35)}`,
      title,
      dependencies: i === 0 ? [] : [100, 100 + i - 1],
    }),
  )

describe('renderProgress', () => {
  it('keeps 100 beads with 120-character titles that all escape under 65,536 characters, dropping the DAG', () => {
    const body = renderProgress(10, beads(100, '"<>|#&`'.repeat(17).slice(0, 120)), {
      headline: 'Working.',
      now: 0,
    })
    expect([...body].length).toBeLessThanOrEqual(65_536)
    expect(body).not.toContain('```mermaid')
    expect(body).toContain('The DAG is too large for this comment')
  })

  it('draws the DAG of a goal of ordinary size', () => {
    const body = renderProgress(10, beads(5, 'Add the API'), { headline: 'Working.', now: 0 })
    expect(body).toContain('```mermaid')
  })
})
