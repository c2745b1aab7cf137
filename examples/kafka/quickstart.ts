import * as z from 'zod'
import { kafkaHandler } from 'lambda-stream-handlers'

const Order = z.object({ orderId: z.string(), total: z.number() })

export const handler = kafkaHandler(Order, async (order, meta) => {
  if (order === null) return // a tombstone: the key was deleted
  meta.logger.info(`order ${order.orderId} (${order.total}) at ${meta.topicPartition}:${meta.offset}`)
})
