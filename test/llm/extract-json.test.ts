import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { extractJson } from '../../src/llm/extract-json.js'

const jsonValue = fc.jsonValue().map((v) => JSON.parse(JSON.stringify(v)) as unknown)
const container = fc.oneof(fc.array(jsonValue), fc.dictionary(fc.string(), jsonValue))
// Prose without brackets, quotes or backticks cannot be mistaken for JSON.
const prose = fc.stringMatching(/^[A-Za-z ,.:!?\n-]*$/)

describe('extractJson', () => {
  it('reads an answer that is only JSON', () => {
    expect(extractJson(' {"a": 1} ')).toEqual({ ok: true, value: { a: 1 } })
    expect(extractJson('42')).toEqual({ ok: true, value: 42 })
  })

  it('prefers a fenced json block over brackets in the prose around it', () => {
    const text = 'Plan [draft]:\n```json\n[{"key": "api"}]\n```\nDone {ok}.'
    expect(extractJson(text)).toEqual({ ok: true, value: [{ key: 'api' }] })
  })

  it('skips fenced blocks in other languages', () => {
    const text = '```ts\nconst x = {a: 1}\n```\nand the answer {"b": 2}'
    expect(extractJson(text)).toEqual({ ok: true, value: { b: 2 } })
  })

  it('finds the first balanced object, ignoring brackets inside strings', () => {
    const text = 'Sure! {"title": "use } and ] freely", "deps": ["a"]} trailing {"x": 1}'
    expect(extractJson(text)).toEqual({ ok: true, value: { title: 'use } and ] freely', deps: ['a'] } })
  })

  it('says why when there is no JSON', () => {
    expect(extractJson('')).toEqual({ ok: false, reason: 'the answer was empty' })
    expect(extractJson('I cannot do that {sorry}')).toEqual({
      ok: false,
      reason: 'the answer contained no JSON object or array',
    })
  })

  it('recovers any object or array embedded in prose, bare or fenced', () => {
    fc.assert(
      fc.property(prose, container, prose, fc.boolean(), (before, value, after, fenced) => {
        const json = JSON.stringify(value, null, fenced ? 2 : undefined)
        const text = fenced
          ? `${before}\n\`\`\`json\n${json}\n\`\`\`\n${after}`
          : `${before} ${json} ${after}`
        expect(extractJson(text)).toEqual({ ok: true, value })
      }),
    )
  })
})
