import { expect, it } from 'vitest'
import { kafkaEvent, lambdaContext, raw } from 'lambda-stream-handlers/testing'
import { handler } from './quickstart.js'

it('accepts orders and tombstones, and reports the record that is not an order by partition and offset', async () => {
  const event = kafkaEvent([{ orderId: 'o-1', total: 12.5 }, null, raw('oops')], { topic: 'orders', key: 'o-1' })
  const response = await handler(event, lambdaContext())
  const oops = event.records['orders-0']![2]!
  expect(response).toEqual({ batchItemFailures: [{ itemIdentifier: { partition: 'orders-0', offset: oops.offset } }] })
})
