import { beforeEach, expect, it } from 'vitest'
import { InMemoryPersistenceStore } from 'lambda-stream-handlers/idempotency'
import { kinesisEvent, lambdaContext } from 'lambda-stream-handlers/testing'
import { charged, Order, ordersHandler } from './idempotent.js'

beforeEach(() => {
  charged.length = 0
})

it('charges each order once, even when it is delivered again', async () => {
  const persistenceStore = new InMemoryPersistenceStore()
  const handler = ordersHandler(persistenceStore)
  const event = kinesisEvent(
    [
      { orderId: 'o-1', total: 20 },
      { orderId: 'o-1', total: 20 },
      { orderId: 'o-2', total: 5 },
    ],
    { schema: Order },
  )
  expect(await handler(event, lambdaContext())).toEqual({ batchItemFailures: [] })
  expect(await handler(event, lambdaContext())).toEqual({ batchItemFailures: [] })
  expect(charged).toEqual(['o-1', 'o-2'])
  expect(persistenceStore.entries().map((e) => e.responseData)).toEqual([{ receipt: 'o-1:20' }, { receipt: 'o-2:5' }])
})
