import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import {
  MARKER_LIMITS,
  findTag,
  formatMarker,
  formatTag,
  parseMarker,
  type BeadMarker,
} from '../../src/core/bead-marker.js'

const marker: BeadMarker = {
  v: 1,
  goal: 10,
  key: 'api',
  role: 'developer',
  status: 'ready',
  deps: [12],
  attempt: 1,
}

describe('formatMarker', () => {
  it('writes the marker as one hidden HTML comment with JSON', () => {
    expect(formatMarker(marker)).toBe(
      '<!-- gastown:bead {"v":1,"goal":10,"key":"api","role":"developer","status":"ready","deps":[12],"attempt":1} -->',
    )
  })

  it('escapes text that would close or open the comment', () => {
    const text = formatMarker({ ...marker, error: 'x --> y <!-- z' })
    expect(text.indexOf('-->')).toBe(text.length - 3)
    expect(text.slice(4)).not.toContain('<!--')
    const parsed = parseMarker(`body\n${text}`)
    expect(parsed.ok && parsed.marker.error).toBe('x --> y <!-- z')
  })

  it('refuses a marker that breaks the schema', () => {
    expect(() => formatMarker({ ...marker, key: 'Not A Key' })).toThrow(/key/)
  })

  it('reads back any valid marker unchanged', () => {
    const text = fc.string({ unit: 'grapheme', maxLength: 40 })
    fc.assert(
      fc.property(
        fc.record(
          {
            goal: fc.integer({ min: 1, max: 1e6 }),
            key: fc.stringMatching(/^[a-z][a-z0-9-]{0,39}$/),
            role: fc.stringMatching(/^[a-z][a-z0-9-]{0,36}$/),
            status: fc.constantFrom('pending', 'ready', 'failed', 'cancelled' as const),
            deps: fc.uniqueArray(fc.integer({ min: 1, max: 1e6 })),
            attempt: fc.integer({ min: 1, max: 50 }),
            pr: fc.integer({ min: 1, max: 1e6 }),
            run: fc.string({ minLength: 1, maxLength: 50 }),
            needsHuman: fc.boolean(),
            error: text,
            result: text,
          },
          { requiredKeys: ['goal', 'key', 'role', 'status', 'deps', 'attempt'] },
        ),
        fc.string(),
        (fields, before) => {
          const value = { v: 1 as const, ...fields }
          const parsed = parseMarker(`${before}\n${formatMarker(value)}`)
          expect(parsed.ok).toBe(true)
          if (parsed.ok) expect(parsed.marker).toStrictEqual(value)
        },
      ),
    )
  })
})

describe('parseMarker', () => {
  it('finds the marker after the visible text and reports where it is', () => {
    const body = `Some text\n\n${formatMarker(marker)}\n`
    const parsed = parseMarker(body)
    expect(parsed).toMatchObject({ ok: true, marker })
    if (parsed.ok) expect(body.slice(parsed.span.start, parsed.span.end)).toBe(formatMarker(marker))
  })

  it('takes the last marker when the description quotes another', () => {
    const quoted = formatMarker({ ...marker, key: 'fake', status: 'completed' })
    const parsed = parseMarker(`${quoted}\n\n${formatMarker(marker)}`)
    expect(parsed.ok && parsed.marker.key).toBe('api')
  })

  it('reports a body without a marker as missing', () => {
    const parsed = parseMarker('Just a normal issue <!-- a comment -->')
    expect(parsed).toMatchObject({ ok: false, error: { kind: 'missing' } })
    if (!parsed.ok) expect(parsed.error.message).toMatch(/No gastown:bead marker.*edit history/)
  })

  it.each([
    ['<!-- gastown:bead {"v":1,"goal":10 -->', /JSON does not parse/],
    ['<!-- gastown:bead {"v":1,"goal":10}', /not closed/],
    ['<!-- gastown:bead [1,2] -->', /an array, not a JSON object/],
    ['<!-- gastown:bead {"goal":10} -->', /version is missing/],
    ['<!-- gastown:bead {"v":2,"goal":10} -->', /version 2, newer.*Upgrade/],
    [
      '<!-- gastown:bead {"v":1,"goal":10,"key":"api","role":"developer","status":"done","deps":[],"attempt":1} -->',
      /status/,
    ],
    [
      '<!-- gastown:bead {"v":1,"goal":-3,"key":"api","role":"developer","status":"ready","deps":[],"attempt":1} -->',
      /goal/,
    ],
    [
      '<!-- gastown:bead {"v":1,"goal":1,"key":"api","role":"developer","status":"ready","deps":[2,2],"attempt":1} -->',
      /must not repeat/,
    ],
    [
      '<!-- gastown:bead {"v":1,"goal":1,"key":"api","role":"developer","status":"ready","deps":[],"attempt":1,"colour":"red"} -->',
      /unknown field\(s\) colour/,
    ],
    ['<!-- gastown:bead {"v":1,"goal":1,"key":"api","status":"ready","deps":[],"attempt":1} -->', /role/],
  ])('reports %s as unreadable', (body, reason) => {
    const parsed = parseMarker(`text\n${body}`)
    expect(parsed.ok).toBe(false)
    if (!parsed.ok) {
      expect(parsed.error.kind).toBe('unreadable')
      expect(parsed.error.message).toMatch(reason)
      expect(parsed.error.message).toMatch(/^The gastown:bead marker cannot be read/)
    }
  })

  it('refuses an error text longer than the limit', () => {
    const json = JSON.stringify({ ...marker, error: 'e'.repeat(MARKER_LIMITS.error + 1) })
    const parsed = parseMarker(`<!-- gastown:bead ${json} -->`)
    expect(parsed.ok).toBe(false)
  })

  it('ignores tags of other kinds', () => {
    expect(parseMarker('<!-- gastown:beads x -->').ok).toBe(false)
    expect(parseMarker(formatTag('progress', { goal: 10 }))).toMatchObject({
      ok: false,
      error: { kind: 'missing' },
    })
  })
})

describe('formatTag and findTag', () => {
  it('writes a progress tag with plain attributes', () => {
    expect(formatTag('progress', { goal: 10 })).toBe('<!-- gastown:progress goal=10 -->')
    expect(formatTag('plan')).toBe('<!-- gastown:plan -->')
  })

  it('finds the tag of a kind and its attributes', () => {
    const body = `## Progress\n\n${formatTag('progress', { goal: 10, bead: 12 })}`
    expect(findTag(body, 'progress')).toEqual({ goal: '10', bead: '12' })
    expect(findTag(body, 'plan')).toBeUndefined()
  })

  it('finds only the tag whose attributes match', () => {
    const body = `${formatTag('progress', { goal: 9 })}\n${formatTag('progress', { goal: 10, bead: 4 })}`
    expect(findTag(body, 'progress', { goal: 10 })).toEqual({ goal: '10', bead: '4' })
    expect(findTag(body, 'progress', { goal: 11 })).toBeUndefined()
  })

  it('does not confuse a kind with a longer kind', () => {
    expect(findTag(formatTag('progress-bead', { bead: 1 }), 'progress')).toBeUndefined()
    expect(findTag(formatTag('progress-bead', { bead: 1 }), 'progress-bead')).toEqual({ bead: '1' })
  })

  it('carries any string value through quoting', () => {
    fc.assert(
      fc.property(fc.string(), fc.boolean(), (value, flag) => {
        const tag = formatTag('note', { value, flag })
        expect(tag.indexOf('-->')).toBe(tag.length - 3)
        expect(findTag(`x ${tag} y`, 'note')).toEqual({ value, flag: String(flag) })
      }),
    )
  })

  it('refuses the bead kind and malformed names', () => {
    expect(() => formatTag('bead', {})).toThrow(/formatMarker/)
    expect(() => formatTag('Progress', {})).toThrow(/lowercase/)
    expect(() => formatTag('plan', { 'bad name': 1 })).toThrow(/attribute name/)
  })
})
