import { mulberry32 } from '../../core/random.js'

/** A seeded source of randomness, so an emulator run (ids, tokens, faults) can be replayed. */
export interface RandomSource {
  /** A float in [0, 1). */
  next(): number
  /** `length` characters from [A-Za-z0-9]. */
  alphanumeric(length: number): string
  /** A version-4-shaped UUID. */
  uuid(): string
}

/** The core's mulberry32 generator: good enough for ids and fault decisions (not for secrets that guard anything real). */
export function createRandomSource(seed: number): RandomSource {
  const next = mulberry32(seed)
  const chars = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789'
  const alphanumeric = (length: number): string =>
    Array.from({ length }, () => chars[Math.floor(next() * chars.length)]).join('')
  const hex = (length: number): string =>
    Array.from({ length }, () => Math.floor(next() * 16).toString(16)).join('')
  const uuid = (): string =>
    `${hex(8)}-${hex(4)}-4${hex(3)}-${(8 + Math.floor(next() * 4)).toString(16)}${hex(3)}-${hex(12)}`
  return { next, alphanumeric, uuid }
}
