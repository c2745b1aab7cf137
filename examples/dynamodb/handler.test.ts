import { beforeEach, expect, it } from 'vitest'
import { attributeValues, dynamodbEvent, insert, lambdaContext, modify, remove, ttlDelete } from 'lambda-stream-handlers/testing'
import { handler, index, log, Order } from './handler.js'

const o1 = { orderId: 'o-1', status: 'NEW', total: 20, items: [{ sku: 'a', qty: 1 }], updatedAt: '2026-11-22T01:00:00Z' } as const
const o2 = { orderId: 'o-2', status: 'PAID', total: 5, items: [], updatedAt: '2026-11-22T01:00:00Z' } as const

beforeEach(() => {
  index.clear()
  log.length = 0
})

it('indexes inserts, changes that matter, and removals; notes TTL expiries', async () => {
  const event = dynamodbEvent(
    [
      insert(o1),
      insert(o2),
      modify(o1, { ...o1, status: 'PAID' }),
      modify(o2, { ...o2, updatedAt: '2026-11-22T02:00:00Z' }),
      remove(o1),
      ttlDelete(o2),
    ],
    { schema: Order, keys: ['orderId'] },
  )
  expect(await handler(event, lambdaContext())).toEqual({ batchItemFailures: [] })
  expect(index.size).toBe(0)
  expect(log).toEqual(['order o-2 expired'])
})

it('reports a malformed change of one order and keeps indexing the others', async () => {
  const event = dynamodbEvent(
    [insert(o1), modify(o1, attributeValues({ orderId: { S: 'o-1' }, status: { S: 'PAID' }, total: { N: '1e' } })), insert(o2)],
    { schema: Order, keys: ['orderId'] },
  )
  const response = await handler(event, lambdaContext())
  expect(response).toEqual({ batchItemFailures: [{ itemIdentifier: event.Records[1]!.dynamodb!.SequenceNumber }] })
  expect([...index.keys()]).toEqual(['o-1', 'o-2'])
})
