/** A binary min-heap ordered by a `before` relation: the stable topological order and the simulation's event queue both use it. */
export class MinHeap<T> {
  private readonly items: T[] = []

  constructor(private readonly before: (a: T, b: T) => boolean) {}

  get size(): number {
    return this.items.length
  }

  /** The least item, without taking it; undefined when empty. */
  peek(): T | undefined {
    return this.items[0]
  }

  push(value: T): void {
    const items = this.items
    items.push(value)
    let i = items.length - 1
    while (i > 0) {
      const parent = (i - 1) >> 1
      if (!this.before(value, items[parent]!)) break
      items[i] = items[parent]!
      i = parent
    }
    items[i] = value
  }

  /** Takes the least item; the heap must not be empty. */
  pop(): T {
    const items = this.items
    const top = items[0]!
    const last = items.pop()!
    if (items.length > 0) {
      let i = 0
      for (;;) {
        const left = 2 * i + 1
        if (left >= items.length) break
        const right = left + 1
        const child = right < items.length && this.before(items[right]!, items[left]!) ? right : left
        if (!this.before(items[child]!, last)) break
        items[i] = items[child]!
        i = child
      }
      items[i] = last
    }
    return top
  }
}
