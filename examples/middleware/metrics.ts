// Per-batch metrics on Powertools Metrics: one EMF line per invocation with the batch's counts,
// the age of its oldest record and its duration, by source and function.
import { Metrics } from '@aws-lambda-powertools/metrics'
import * as z from 'zod'
import { kinesisHandler, metrics } from 'lambda-stream-handlers'

const Order = z.object({ orderId: z.string(), total: z.number() })

export const cloudwatch = new Metrics({ namespace: 'orders', serviceName: 'orders' })

export const handler = kinesisHandler(Order)
  .use(metrics({ metrics: cloudwatch }))
  .handle(async (order) => {
    if (order.total > 10_000) throw new Error('needs a manual review')
  })
