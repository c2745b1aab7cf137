import { beforeEach, expect, it } from 'vitest'
import { dynamodbEvent, dynamodbWindowEvent, insert, modify, remove, runWindow } from 'lambda-stream-handlers/testing'
import { handler, Order, reports } from './orders.js'

beforeEach(() => {
  reports.length = 0
})

const o1 = { orderId: 'o-1', status: 'NEW', totalCents: 1200 } as const
const o2 = { orderId: 'o-2', status: 'NEW', totalCents: 900 } as const

it('tallies the changes of one window over two invocations and reports once', async () => {
  const run = await runWindow(
    handler,
    [
      dynamodbEvent([insert(o1), insert(o2), modify(o1, { ...o1, status: 'PAID' })], { schema: Order, keys: ['orderId'] }),
      dynamodbEvent([modify({ ...o1, status: 'PAID' }, { ...o1, status: 'SHIPPED' }), remove(o2)], { schema: Order, keys: ['orderId'] }),
    ],
    { start: '2026-06-01T12:00:00Z', end: '2026-06-01T12:15:00Z', shardId: 'shardId-00000001700000000000-0a1b2c3d' },
  )
  expect(run.state).toEqual({ created: 2, paid: 1, paidCents: 1200, removed: 1 })
  expect(reports).toEqual(['2026-06-01T12:00:00.000Z shardId-00000001700000000000-0a1b2c3d: 2 new, 1 paid (1200 cents), 1 removed'])
})

it('fails the invocation on an image the schema refuses, so the tally stays as it was', async () => {
  const state = { created: 5, paid: 0, paidCents: 0, removed: 0 }
  const event = dynamodbWindowEvent([insert({ orderId: 'o-3', status: 'LOST', totalCents: 1 } as never)], { keys: ['orderId'], state })
  await expect(handler(event)).rejects.toThrow(/invalid \(validation at NewImage\.status\)/)
  const good = dynamodbWindowEvent([remove({ orderId: 'o-1', status: 'PAID', totalCents: 900 })], {
    schema: Order,
    keys: ['orderId'],
    final: true,
  })
  expect(await handler(good)).toEqual({ state: { created: 0, paid: 0, paidCents: 0, removed: 1 }, batchItemFailures: [] })
})
