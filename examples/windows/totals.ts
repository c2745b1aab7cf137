// Per-partition-key totals over a Kinesis stream, one tumbling window at a time
// (set TumblingWindowInSeconds on the event source mapping).
import * as z from 'zod'
import { kinesisWindowHandler } from 'lambda-stream-handlers'

export const Sale = z.object({ cents: z.number().int().nonnegative() })
// The state Lambda carries from one invocation of a window to the next, validated on the way in.
export const Totals = z.record(z.string(), z.number().int())

// Stands in for your table or topic: one entry per window and shard.
export const published: { key: string; totals: Record<string, number>; early: boolean }[] = []
async function publish(shardId: string, start: Date, totals: Record<string, number>, early: boolean): Promise<void> {
  const key = `${shardId}/${start.toISOString()}` // the same key on a retry: write it idempotently
  published.push({ key, totals, early })
}

export const handler = kinesisWindowHandler({
  schema: Sale,
  state: Totals,
  initial: () => ({}),
  reduce: (totals, sale, meta) => {
    totals[meta.partitionKey] = (totals[meta.partitionKey] ?? 0) + sale.cents
    return totals
  },
  onWindowEnd: async (totals, window) => {
    await publish(window.shardId, window.start, totals, window.terminatedEarly)
  },
})
