import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { paginate } from '../../../src/sandbox/emulator/pagination.js'

const url = (query: string) => new URL(`http://127.0.0.1:1/api/v3/repos/o/r/issues?state=all&${query}`)

describe('pagination', () => {
  it('cuts every list into pages that together are the list, in order, with next links until the last page', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 250 }), fc.integer({ min: 1, max: 100 }), (length, perPage) => {
        const items = Array.from({ length }, (_, i) => i)
        const seen: number[] = []
        let page = 1
        for (;;) {
          const result = paginate(items, url(`per_page=${perPage}&page=${page}`))
          seen.push(...result.items)
          if (!result.link?.includes('rel="next"')) break
          page += 1
        }
        expect(seen).toEqual(items)
        expect(page).toBe(Math.max(1, Math.ceil(length / perPage)))
      }),
    )
  })

  it("writes GitHub's Link header with prev, next, last and first, keeping the other query parameters", () => {
    const { link } = paginate(
      Array.from({ length: 10 }, (_, i) => i),
      url('per_page=3&page=2'),
    )
    expect(link).toBe(
      [
        '<http://127.0.0.1:1/api/v3/repos/o/r/issues?state=all&per_page=3&page=1>; rel="prev"',
        '<http://127.0.0.1:1/api/v3/repos/o/r/issues?state=all&per_page=3&page=3>; rel="next"',
        '<http://127.0.0.1:1/api/v3/repos/o/r/issues?state=all&per_page=3&page=4>; rel="last"',
        '<http://127.0.0.1:1/api/v3/repos/o/r/issues?state=all&per_page=3&page=1>; rel="first"',
      ].join(', '),
    )
    expect(paginate([1, 2], url('')).link).toBeUndefined()
    expect(
      paginate(
        Array.from({ length: 500 }, (_, i) => i),
        url('per_page=1000'),
      ).items,
    ).toHaveLength(100)
  })
})
