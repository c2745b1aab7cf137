import { describe, expectTypeOf, it } from 'vitest'
import * as z from 'zod'
import {
  kafkaHandler,
  logContext,
  type BatchReport,
  type KafkaBatchResponse,
  type KafkaEvent,
  type KafkaHeader,
  type KafkaItemIdentifier,
  type KafkaMeta,
} from 'lambda-stream-handlers'
import { kafkaEvent } from 'lambda-stream-handlers/testing'

const Order = z.object({ orderId: z.string(), total: z.number(), placedAt: z.string().transform((s) => new Date(s)) })
type OrderOut = { orderId: string; total: number; placedAt: Date }

describe('kafkaHandler types', () => {
  it('types the payload as the schema output or null (a tombstone), in every form', () => {
    kafkaHandler(Order, (order, meta) => {
      expectTypeOf(order).toEqualTypeOf<OrderOut | null>()
      expectTypeOf(meta).toEqualTypeOf<KafkaMeta>()
      if (order !== null) expectTypeOf(order.placedAt).toEqualTypeOf<Date>()
    })
    kafkaHandler({ schema: Order, concurrency: 4 }, (order) => {
      expectTypeOf(order).toEqualTypeOf<OrderOut | null>()
    })
    kafkaHandler(Order).handle((order) => {
      expectTypeOf(order).toEqualTypeOf<OrderOut | null>()
    })
  })

  it('drops the null when tombstones go to the schema, which then says whether null is allowed', () => {
    kafkaHandler({ schema: Order, tombstones: 'schema' }, (order) => {
      expectTypeOf(order).toEqualTypeOf<OrderOut>()
    })
    kafkaHandler({ schema: Order.nullable(), tombstones: 'schema' }, (order) => {
      expectTypeOf(order).toEqualTypeOf<OrderOut | null>()
    })
  })

  it('types meta: the partition, the offset, a Date, the headers, and the key by the key option', () => {
    kafkaHandler(Order, (_order, meta) => {
      expectTypeOf(meta.topicPartition).toEqualTypeOf<string>()
      expectTypeOf(meta.offset).toEqualTypeOf<number>()
      expectTypeOf(meta.timestamp).toEqualTypeOf<Date>()
      expectTypeOf(meta.headers).toEqualTypeOf<readonly KafkaHeader[]>()
      expectTypeOf(meta.key).toEqualTypeOf<string | undefined>()
      expectTypeOf(meta.schemaId).toEqualTypeOf<number | undefined>()
    })
    kafkaHandler({ schema: Order, key: 'bytes' }, (_order, meta) => {
      expectTypeOf(meta.key).toEqualTypeOf<Uint8Array | undefined>()
    })
    kafkaHandler({ schema: Order, key: (bytes: Uint8Array) => bytes.length }, (_order, meta) => {
      expectTypeOf(meta.key).toEqualTypeOf<number | undefined>()
    })
    kafkaHandler({ schema: Order, key: 'json' }, (_order, meta) => {
      expectTypeOf(meta.key).toEqualTypeOf<unknown>()
    })
  })

  it('carries an object identifier through the response and the report', () => {
    const handler = kafkaHandler(Order, () => {})
    expectTypeOf(handler).parameter(0).toEqualTypeOf<KafkaEvent>()
    expectTypeOf(handler).returns.resolves.toEqualTypeOf<KafkaBatchResponse>()
    expectTypeOf(handler.process).returns.resolves.toEqualTypeOf<BatchReport<KafkaItemIdentifier>>()
    expectTypeOf<KafkaBatchResponse['batchItemFailures'][number]['itemIdentifier']>().toEqualTypeOf<KafkaItemIdentifier>()
  })

  it('keeps meta typed through middleware', () => {
    kafkaHandler(Order)
      .use(logContext())
      .handle((order, meta) => {
        expectTypeOf(order).toEqualTypeOf<OrderOut | null>()
        expectTypeOf(meta.offset).toEqualTypeOf<number>()
      })
  })

  it('types the test kit by the schema input: a tombstone is null, a wrong field is an error', () => {
    kafkaEvent([{ orderId: 'a', total: 1, placedAt: '2026-01-01' }, null], {
      schema: Order,
      key: (o) => (o === null ? undefined : o.orderId),
    })
    // @ts-expect-error total must be a number
    kafkaEvent([{ orderId: 'a', total: '1', placedAt: '2026-01-01' }], { schema: Order })
    // @ts-expect-error an unknown option
    kafkaHandler({ schema: Order, tombstone: 'pass' }, () => {})
  })
})
