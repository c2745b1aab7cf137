// Records aggregated by the Kinesis Producer Library reach the handler one user record at a time.
import { expect, it } from 'vitest'
import { kinesisHandler } from 'lambda-stream-handlers'
import { kinesisEvent, kplAggregate } from 'lambda-stream-handlers/testing'
import { Order } from './handler.js'

it('splits a KPL aggregate into its orders; a failure reports the aggregate', async () => {
  const seen: string[] = []
  const handler = kinesisHandler(Order, (order, meta) => {
    if (order.total > 10_000) throw new Error('needs a manual review')
    seen.push(`${order.orderId} #${meta.subSequenceNumber} key ${meta.partitionKey}`)
  })
  const event = kinesisEvent([
    kplAggregate(
      [
        { orderId: 'a', total: 1, currency: 'EUR' },
        { orderId: 'b', total: 2, currency: 'USD' },
      ],
      { schema: Order },
    ),
  ])
  expect(await handler(event)).toEqual({ batchItemFailures: [] })
  expect(seen).toEqual(['a #0 key pk-0', 'b #1 key pk-0'])

  const big = kinesisEvent([
    kplAggregate(
      [
        { orderId: 'c', total: 3, currency: 'EUR' },
        { orderId: 'd', total: 20_000, currency: 'EUR' },
      ],
      { schema: Order },
    ),
  ])
  expect(await handler(big)).toEqual({ batchItemFailures: [{ itemIdentifier: big.Records[0]!.kinesis.sequenceNumber }] })
})
