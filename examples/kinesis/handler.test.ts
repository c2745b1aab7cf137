import { beforeEach, expect, it } from 'vitest'
import { kinesisEvent, lambdaContext, raw } from 'lambda-stream-handlers/testing'
import { handler, Order, saved } from './handler.js'

beforeEach(() => {
  saved.length = 0
})

it('saves every valid order', async () => {
  const event = kinesisEvent(
    [
      { orderId: 'o-1', total: 20, currency: 'EUR' },
      { orderId: 'o-2', total: 5, currency: 'USD' },
    ],
    { schema: Order },
  )
  expect(await handler(event, lambdaContext())).toEqual({ batchItemFailures: [] })
  expect(saved).toEqual(['o-1 20 EUR (shard shardId-000000000000)', 'o-2 5 USD (shard shardId-000000000000)'])
})

it('reports the first bad order and everything after it, unstarted', async () => {
  const event = kinesisEvent(
    [{ orderId: 'o-1', total: 20, currency: 'EUR' }, raw('{"orderId": "o-2", "total": -1'), { orderId: 'o-3', total: 7, currency: 'EUR' }],
    { schema: Order },
  )
  const response = await handler(event, lambdaContext())
  expect(response.batchItemFailures.map((f) => f.itemIdentifier)).toEqual([
    event.Records[1]!.kinesis.sequenceNumber,
    event.Records[2]!.kinesis.sequenceNumber,
  ])
  expect(saved).toEqual(['o-1 20 EUR (shard shardId-000000000000)'])
})
