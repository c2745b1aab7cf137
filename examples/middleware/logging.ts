// Logging with Powertools: every line a record function logs carries the record's identifiers
// (shard, sequence number, partition key) and its order id; the handler adds one summary line per batch.
import { Logger } from '@aws-lambda-powertools/logger'
import * as z from 'zod'
import { kinesisHandler, logContext } from 'lambda-stream-handlers'

const Order = z.object({ orderId: z.string(), total: z.number() })

export const logger = new Logger({ serviceName: 'orders' })

export const handler = kinesisHandler({ schema: Order, logger })
  .use(logContext({ keys: (order) => ({ orderId: order.orderId }) }))
  .handle(async (order, meta) => {
    if (order.total > 10_000) throw new Error('needs a manual review')
    meta.logger.info('order received', { total: order.total })
  })
