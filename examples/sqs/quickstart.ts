import * as z from 'zod'
import { sqsHandler } from 'lambda-stream-handlers'

const Order = z.object({ orderId: z.string(), total: z.number() })

export const handler = sqsHandler(Order, async (order, meta) => {
  // order: { orderId: string; total: number }, checked before it gets here
  meta.logger.info(`order ${order.orderId} (${order.total}), delivery ${meta.receiveCount}`)
})
