import { describe, expectTypeOf, it } from 'vitest'
import * as z from 'zod'
import { kinesisHandler } from 'lambda-stream-handlers'
import { kplAggregate, raw } from 'lambda-stream-handlers/testing'

const Order = z.object({ orderId: z.string(), total: z.number() })

describe('KPL types', () => {
  it('gives meta the sub-sequence number', () => {
    kinesisHandler(Order, (_order, meta) => {
      expectTypeOf(meta.subSequenceNumber).toEqualTypeOf<number | undefined>()
    })
  })

  it('types the aggregate builder payloads by the schema input', () => {
    kplAggregate([{ orderId: 'a', total: 1 }, raw('x')], { schema: Order, partitionKey: (_p, i) => `k${i}` })
    // @ts-expect-error: total must be a number in the schema's input
    kplAggregate([{ orderId: 'a', total: '1' }], { schema: Order })
  })
})
