/**
 * Prices per model, in US dollars per million tokens, and the cost of one call. Prices come from
 * configuration: a built-in table would go stale, and a stale price is a wrong price.
 */
import { z } from 'zod'
import type { Usage } from './chat-model.js'

/** The price of one model: dollars per million prompt (input) and completion (output) tokens. */
export const modelPriceSchema = z
  .object({
    input_per_mtok: z.number().nonnegative().describe('US dollars per million prompt tokens'),
    output_per_mtok: z.number().nonnegative().describe('US dollars per million completion tokens'),
  })
  .strict()

/** Prices keyed by model name exactly as sent to (or reported by) the endpoint. */
export const priceTableSchema = z.record(z.string().min(1), modelPriceSchema)

/** The price of one model. */
export type ModelPrice = z.infer<typeof modelPriceSchema>

/** Prices keyed by model name. */
export type PriceTable = z.infer<typeof priceTableSchema>

/** The first price found under any of `names` (e.g. the configured name, then the one the endpoint reported). */
export function findPrice(table: PriceTable, ...names: (string | undefined)[]): ModelPrice | undefined {
  for (const name of names) {
    if (name !== undefined && Object.hasOwn(table, name)) return table[name]
  }
  return undefined
}

/** Dollars spent on `usage` at `price`; 0 when the model has no price. */
export function costOf(usage: Usage, price: ModelPrice | undefined): number {
  if (price === undefined) return 0
  return (
    (usage.promptTokens * price.input_per_mtok + usage.completionTokens * price.output_per_mtok) / 1_000_000
  )
}

/** A rough token count for text whose real count is unknown: about four characters per token. */
export function estimateTokens(text: string): number {
  return Math.ceil(text.length / 4)
}
