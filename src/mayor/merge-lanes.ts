/**
 * The merge lanes: one queue per repository, so the Mayor merges one PR at a time there and the next
 * merge sees what the last one changed (DESIGN.md, "Merging (the Refinery)").
 */

/** One lane per repository: merges of every goal of a repository run one after another. */
export class MergeLanes {
  readonly #tails = new Map<string, Promise<unknown>>()

  /** Runs `work` once the lane of `key` is free. */
  run<T>(key: string, work: () => Promise<T>): Promise<T> {
    const previous = this.#tails.get(key) ?? Promise.resolve()
    const next = previous.then(work, work)
    const tail = next.catch(() => undefined)
    this.#tails.set(key, tail)
    void tail.then(() => {
      if (this.#tails.get(key) === tail) this.#tails.delete(key)
    })
    return next
  }
}
