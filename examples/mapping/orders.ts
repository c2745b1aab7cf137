// The handler the mapping feeds: it reports failed records in batchItemFailures, which Lambda reads
// only when the mapping turns on ReportBatchItemFailures.
import * as z from 'zod'
import { kinesisHandler } from 'lambda-stream-handlers'

export const Order = z.object({ orderId: z.string(), total: z.number() })

export const handler = kinesisHandler(Order, async (order) => {
  if (order.total < 0) throw new Error(`order ${order.orderId} has a negative total`)
})
