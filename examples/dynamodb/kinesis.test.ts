// The same handler, wired to a Kinesis data stream the Orders table streams its changes into.
import { expect, it } from 'vitest'
import { dynamodbEvent, insert, kinesisEventFromDynamoDB } from 'lambda-stream-handlers/testing'
import { handler, index, Order } from './handler.js'

it('indexes an order whose change came through Kinesis', async () => {
  const order = { orderId: 'o-9', status: 'NEW', total: 10, items: [{ sku: 's-1', qty: 1 }], updatedAt: '2026-01-01' } as const
  const event = kinesisEventFromDynamoDB(dynamodbEvent([insert(order)], { schema: Order, keys: ['orderId'] }))
  expect(await handler(event)).toEqual({ batchItemFailures: [] })
  expect(index.get('o-9')).toEqual({ status: 'NEW', total: 10, skus: ['s-1'] })
})
