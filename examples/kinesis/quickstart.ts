import * as z from 'zod'
import { kinesisHandler } from 'lambda-stream-handlers'

const Order = z.object({ orderId: z.string(), total: z.number() })

export const handler = kinesisHandler(Order, async (order, meta) => {
  // order: { orderId: string; total: number }, checked before it gets here
  meta.logger.info(`order ${order.orderId} (${order.total}) from ${meta.shardId}`)
})
