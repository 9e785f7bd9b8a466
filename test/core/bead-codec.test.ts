import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import type { Bead } from '../../src/core/bead.js'
import { InvalidBeadError, decodeBead, encodeBead, type BeadIssue } from '../../src/core/bead-codec.js'
import { formatMarker } from '../../src/core/bead-marker.js'
import { arbitraryBead, makeBead } from './bead-fixtures.js'

/** The issue GitHub would hold after creating the encoded bead. */
function asIssue(bead: Bead, doneDeps: Set<number> = new Set()): BeadIssue {
  const encoded = encodeBead(bead, { doneDeps })
  return {
    number: bead.number ?? 1,
    title: encoded.title,
    body: encoded.body,
    labels: encoded.labels.map((name) => ({ name })),
    state: encoded.state,
    state_reason: encoded.stateReason,
  }
}

const bead = makeBead({ dependencies: [3, 4] })

describe('encodeBead', () => {
  it('writes the description, the dependency task list and the marker', () => {
    const encoded = encodeBead(bead, { doneDeps: new Set([4]) })
    expect(encoded.title).toBe('Build the API')
    expect(encoded.body).toBe(
      [
        'Implement the CRUD endpoints.',
        '',
        '### Depends on',
        '',
        '- [ ] #3',
        '- [x] #4',
        '',
        '<!-- gastown:bead {"v":1,"goal":10,"key":"api","role":"developer","status":"ready","deps":[3,4],"attempt":1,"createdAt":1700000000000,"updatedAt":1700000000000} -->',
      ].join('\n'),
    )
    expect(encoded.labels).toEqual(['gastown:bead', 'gastown:role/developer', 'gastown:status/ready'])
    expect(encoded).toMatchObject({ state: 'open', stateReason: null })
  })

  it('says none when a bead has no dependencies', () => {
    expect(encodeBead(makeBead()).body).toContain('### Depends on\n\n_none_\n\n<!-- gastown:bead')
  })

  it('closes completed and cancelled beads with the matching reason', () => {
    expect(encodeBead(makeBead({ status: 'completed' }))).toMatchObject({
      state: 'closed',
      stateReason: 'completed',
    })
    expect(encodeBead(makeBead({ status: 'cancelled' }))).toMatchObject({
      state: 'closed',
      stateReason: 'not_planned',
    })
  })

  it('labels a bead that needs a person', () => {
    expect(encodeBead(makeBead({ status: 'failed', needsHuman: true })).labels).toContain(
      'gastown:needs-human',
    )
  })

  it('cuts an overlong error and says so', () => {
    const decoded = decodeBead(asIssue(makeBead({ status: 'failed', error: 'x'.repeat(10_000) })))
    expect(decoded.ok && decoded.bead.error?.length).toBe(2000)
    expect(decoded.ok && decoded.bead.error).toMatch(/\[truncated 8\d{3} chars\]$/)
  })

  it.each<[Partial<Bead>, RegExp]>([
    [{ id: '10/other' }, /id must be "10\/api"/],
    [{ title: '  ' }, /title is empty/],
    [{ key: 'Bad Key', id: '10/Bad Key' }, /key/],
    [{ role: 'Developer!' }, /role/],
    [{ dependencies: [3, 3] }, /must not repeat/],
    [{ attempt: -1 }, /attempt/],
  ])('refuses a bead no issue could hold: %o', (overrides, reason) => {
    expect(() => encodeBead(makeBead(overrides))).toThrow(InvalidBeadError)
    expect(() => encodeBead(makeBead(overrides))).toThrow(reason)
  })
})

describe('decodeBead', () => {
  it('reads back every valid bead exactly', () => {
    fc.assert(
      fc.property(arbitraryBead, fc.boolean(), (original, tickAll) => {
        const done = new Set(tickAll ? original.dependencies : [])
        const decoded = decodeBead(asIssue(original, done))
        expect(decoded.ok).toBe(true)
        if (!decoded.ok) return
        expect(decoded.bead).toStrictEqual(original)
        expect(decoded.labelDrift).toBeUndefined()
        expect(decoded.stateDrift).toBeUndefined()
        expect(decoded.taskListDrift).toBeUndefined()
      }),
      { numRuns: 500 },
    )
  })

  it('takes the description as a person edited it', () => {
    const issue = asIssue(bead)
    issue.body = issue.body!.replace('Implement the CRUD endpoints.', 'Implement CRUD.\n\nAlso add paging.')
    const decoded = decodeBead(issue)
    expect(decoded.ok && decoded.bead.description).toBe('Implement CRUD.\n\nAlso add paging.')
  })

  it('tolerates ticked boxes, extra lines and reordered labels', () => {
    const issue = asIssue(bead)
    issue.body = issue
      .body!.replace('- [ ] #3', '- [x] #3\n\nwaiting on the API team')
      .replace('### Depends on\n', '### Depends on\n\n\n')
    issue.labels = [...issue.labels].reverse().concat([{ name: 'help wanted' }])
    const decoded = decodeBead(issue)
    expect(decoded).toMatchObject({ ok: true, bead: { dependencies: [3, 4], description: bead.description } })
    expect(decoded.ok && decoded.labelDrift).toBeUndefined()
    expect(decoded.ok && decoded.taskListDrift).toBeUndefined()
  })

  it('reads a body that GitHub saved with CRLF line ends', () => {
    const issue = asIssue(makeBead({ description: 'line one\nline two' }))
    issue.body = issue.body!.replace(/\n/g, '\r\n')
    const decoded = decodeBead(issue)
    expect(decoded.ok && decoded.bead.description).toBe('line one\r\nline two')
  })

  it('keeps text a person appended after the hidden marker as part of the description', () => {
    const issue = asIssue(bead)
    issue.body = `${issue.body}\n\nPlease use Express.\n`
    const decoded = decodeBead(issue)
    expect(decoded.ok && decoded.bead.description).toBe(
      'Implement the CRUD endpoints.\n\nPlease use Express.',
    )
  })

  it('reads the description when a person deleted the dependency section', () => {
    const body = `Just do it.\n\n\n${formatMarker({ v: 1, goal: 10, key: 'api', role: 'developer', status: 'ready', deps: [3], attempt: 1 })}`
    const decoded = decodeBead({ number: 12, title: 't', body, labels: [], state: 'open' })
    expect(decoded).toMatchObject({ ok: true, bead: { description: 'Just do it.', dependencies: [3] } })
    expect(decoded.ok && decoded.taskListDrift).toEqual({ expected: [3], actual: [] })
  })

  it('keeps a description that holds its own Depends on heading', () => {
    const description = 'Notes\n### Depends on\n\n- [ ] #99\n'
    const decoded = decodeBead(asIssue(makeBead({ description, dependencies: [3] })))
    expect(decoded).toMatchObject({ ok: true, bead: { description, dependencies: [3] } })
    expect(decoded.ok && decoded.taskListDrift).toBeUndefined()
  })

  it('reports labels that drifted from the marker, with the repair', () => {
    const issue = asIssue(makeBead({ status: 'in_progress' }))
    issue.labels = ['gastown:bead', 'gastown:status/ready', 'gastown:role/developer', 'bug']
    const decoded = decodeBead(issue)
    expect(decoded.ok && decoded.bead.status).toBe('in_progress')
    expect(decoded.ok && decoded.labelDrift).toEqual({
      expected: ['gastown:bead', 'gastown:role/developer', 'gastown:status/in_progress'],
      actual: ['gastown:bead', 'gastown:status/ready', 'gastown:role/developer'],
      add: ['gastown:status/in_progress'],
      remove: ['gastown:status/ready'],
    })
  })

  it('reports an issue closed while its marker says the bead is open', () => {
    const issue = {
      ...asIssue(makeBead({ status: 'in_review' })),
      state: 'closed',
      state_reason: 'completed',
    }
    const decoded = decodeBead(issue)
    expect(decoded.ok && decoded.stateDrift).toEqual({ expected: 'open', actual: 'closed' })
  })

  it('reports a task list that names other dependencies', () => {
    const issue = asIssue(bead)
    issue.body = issue.body!.replace('- [ ] #3', '- [ ] #5')
    const decoded = decodeBead(issue)
    expect(decoded).toMatchObject({ ok: true, bead: { dependencies: [3, 4] } })
    expect(decoded.ok && decoded.taskListDrift).toEqual({ expected: [3, 4], actual: [5, 4] })
  })

  it('reports a missing marker instead of guessing', () => {
    const decoded = decodeBead({
      number: 7,
      title: 'x',
      body: 'A bead\n\n### Depends on\n\n_none_',
      labels: ['gastown:bead'],
      state: 'open',
    })
    expect(decoded).toMatchObject({ ok: false, error: { kind: 'missing', issue: 7 } })
    expect(!decoded.ok && decoded.error.message).toMatch(/^Issue #7: No gastown:bead marker/)
  })

  it('reports an empty body as a missing marker', () => {
    expect(decodeBead({ number: 7, title: 'x', body: null, labels: [], state: 'open' })).toMatchObject({
      ok: false,
      error: { kind: 'missing' },
    })
  })

  it('reports a marker a person broke as unreadable', () => {
    const issue = asIssue(bead)
    issue.body = issue.body!.replace('"status":"ready"', '"status":"almost"')
    expect(decodeBead(issue)).toMatchObject({ ok: false, error: { kind: 'unreadable', issue: 12 } })
  })

  it('takes timestamps from the issue when a restored marker lacks them', () => {
    const body = formatMarker({
      v: 1,
      goal: 10,
      key: 'api',
      role: 'developer',
      status: 'ready',
      deps: [],
      attempt: 1,
    })
    const decoded = decodeBead({
      number: 12,
      title: 't',
      body,
      labels: [],
      state: 'open',
      created_at: '2024-01-02T03:04:05Z',
      updated_at: '2024-01-03T03:04:05Z',
    })
    expect(decoded.ok && decoded.bead.createdAt).toBe(Date.parse('2024-01-02T03:04:05Z'))
    expect(decoded.ok && decoded.bead.updatedAt).toBe(Date.parse('2024-01-03T03:04:05Z'))
  })
})
