import { expect, it } from 'vitest'
import * as z from 'zod'
import { kafkaHandler } from 'lambda-stream-handlers'
import { kafkaEvent, lambdaContext } from 'lambda-stream-handlers/testing'

const Order = z.object({ orderId: z.string(), total: z.number() })

it('builds MSK or self-managed events with keys, headers and partitions; a failure holds back only its partition', async () => {
  const handler = kafkaHandler(Order, async (order, meta) => {
    if (order?.orderId === 'o-1') throw new Error(`cannot ship ${order.orderId} (trace ${meta.headers[0]?.value})`)
  })
  const orders = [0, 1, 2, 3].map((i) => ({ orderId: `o-${i}`, total: i }))
  const event = kafkaEvent(orders, {
    schema: Order,
    source: 'self-managed',
    topic: 'orders',
    partition: (_order, i) => i % 2,
    key: (order) => (order === null ? undefined : order.orderId),
    headers: { trace: 'abc' },
    firstOffset: 0, // fixed offsets to compare with; without it each event's offsets are new
  })
  const response = await handler(event, lambdaContext())
  // o-1 and o-3 are partition 1: the failed offset and the unstarted one after it. Partition 0 completed.
  expect(response.batchItemFailures).toEqual([
    { itemIdentifier: { partition: 'orders-1', offset: 0 } },
    { itemIdentifier: { partition: 'orders-1', offset: 1 } },
  ])
})
