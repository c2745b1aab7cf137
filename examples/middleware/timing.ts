// Your own middleware: a function from the record function to a record function. This one times
// each record and hands the start time to the record function as a typed `meta.startedAt`.
import * as z from 'zod'
import { kinesisHandler, type BaseMeta, type Middleware } from 'lambda-stream-handlers'

export const timed =
  <P, M extends BaseMeta>(): Middleware<P, M, { startedAt: number }> =>
  (next) =>
  async (payload, meta) => {
    const startedAt = performance.now()
    try {
      // What `next` throws fails the record; returning its result lets outer middleware see it.
      return await next(payload, { ...meta, startedAt })
    } finally {
      meta.logger.info('record timed', { ms: performance.now() - startedAt })
    }
  }

const Order = z.object({ orderId: z.string(), total: z.number() })

export const handler = kinesisHandler(Order)
  .use(timed())
  .handle(async (order, meta) => {
    if (order.total < 0) throw new Error(`order ${order.orderId} has a negative total`)
    meta.logger.info(`order ${order.orderId} started at ${meta.startedAt.toFixed(1)} ms`)
  })
