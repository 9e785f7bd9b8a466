import fc from 'fast-check'
import { expect, it } from 'vitest'
import { MinHeap } from '../../src/core/min-heap.js'

it('pops every pushed item in order, ties in push order when the relation says so', () => {
  fc.assert(
    fc.property(fc.array(fc.tuple(fc.integer({ min: 0, max: 20 }), fc.nat())), (items) => {
      const tagged = items.map(([key], seq) => ({ key, seq }))
      const heap = new MinHeap<{ key: number; seq: number }>(
        (a, b) => a.key < b.key || (a.key === b.key && a.seq < b.seq),
      )
      for (const item of tagged) heap.push(item)
      expect(heap.size).toBe(tagged.length)
      const popped = tagged.map(() => heap.pop())
      expect(popped).toEqual([...tagged].sort((a, b) => a.key - b.key || a.seq - b.seq))
      expect(heap.peek()).toBeUndefined()
    }),
  )
})
