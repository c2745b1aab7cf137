// A complete Kinesis handler: typed orders, checked by zod, failures reported per record.
import * as z from 'zod'
import { kinesisHandler } from 'lambda-stream-handlers'

export const Order = z.object({
  orderId: z.string(),
  total: z.number().nonnegative(),
  currency: z.enum(['EUR', 'USD']),
})

export const saved: string[] = []

export const handler = kinesisHandler(Order, async (order, meta) => {
  if (order.total > 10_000) throw new Error(`order ${order.orderId} needs a manual review`)
  saved.push(`${order.orderId} ${order.total} ${order.currency} (shard ${meta.shardId})`)
})
