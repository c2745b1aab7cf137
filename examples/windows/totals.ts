// Per-partition-key totals over a Kinesis stream, one tumbling window at a time
// (set TumblingWindowInSeconds on the event source mapping).
import * as z from 'zod'
import { kinesisWindowHandler } from 'lambda-stream-handlers'

export const Sale = z.object({ cents: z.number().int().nonnegative() })
// The state Lambda carries from one invocation of a window to the next, validated on the way in.
// Totals by partition key in a Map, so that any key, `__proto__` or `constructor` too, is just a
// key; as JSON the Map is a list of [key, cents] entries.
export const Totals = z.codec(z.object({ totals: z.array(z.tuple([z.string(), z.number().int()])) }), z.map(z.string(), z.number().int()), {
  decode: (json) => new Map(json.totals),
  encode: (totals) => ({ totals: [...totals] }),
})

// Stands in for your table or topic: one entry per window and shard.
export const published: { key: string; totals: Map<string, number>; early: boolean }[] = []
async function publish(shardId: string, start: Date, totals: Map<string, number>, early: boolean): Promise<void> {
  const key = `${shardId}/${start.toISOString()}` // the same key on a retry: write it idempotently
  published.push({ key, totals, early })
}

export const handler = kinesisWindowHandler({
  schema: Sale,
  state: Totals,
  initial: () => new Map(),
  reduce: (totals, sale, meta) => totals.set(meta.partitionKey, (totals.get(meta.partitionKey) ?? 0) + sale.cents),
  onWindowEnd: async (totals, window) => {
    await publish(window.shardId, window.start, totals, window.terminatedEarly)
  },
})
