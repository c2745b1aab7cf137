// The payload every source carries: ~300 bytes of JSON, 8 fields, a nested object and an array,
// and the zod schema every contender validates it with (imported as `* as z`, built once).
import * as z from 'zod'
import { raw, type RawData } from 'lambda-stream-handlers/testing'

export const Payload = z.object({
  id: z.string(),
  customer: z.object({ name: z.string(), email: z.string() }),
  amount: z.number(),
  currency: z.enum(['EUR', 'USD', 'GBP']),
  items: z.array(z.object({ sku: z.string(), qty: z.number().int() })),
  createdAt: z.string(),
  tags: z.array(z.string()),
  priority: z.number().int(),
})
export type Payload = z.infer<typeof Payload>

/** `n` payloads; unless `valid`, every 100th is invalid: alternately truncated JSON and a schema mismatch. */
export function payloads(n: number, { valid = false } = {}): (Payload | RawData | Record<string, unknown>)[] {
  return Array.from({ length: n }, (_, i) => {
    if (i % 100 === 99 && !valid) return i % 200 === 99 ? raw('{"id": "truncated') : { id: `p-${i}`, amount: 'oops' }
    return {
      id: `p-${i}`,
      customer: { name: 'Alice Example', email: 'alice@example.com' },
      amount: 123 + i,
      currency: 'EUR',
      items: [
        { sku: 'sku-1', qty: 2 },
        { sku: 'sku-2', qty: 1 },
      ],
      createdAt: '2026-11-22T02:00:00.000Z',
      tags: ['a', 'b', 'c'],
      priority: i % 5,
    }
  })
}
