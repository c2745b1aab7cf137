import type { Context, KinesisStreamBatchResponse, KinesisStreamEvent, KinesisStreamRecord } from 'aws-lambda'
import { describe, expectTypeOf, it } from 'vitest'
import * as z from 'zod'
import { kinesisHandler, type BatchReport, type KinesisMeta, type Middleware, type RecordLogger } from 'lambda-stream-handlers'
import { kinesisEvent } from 'lambda-stream-handlers/testing'

const Order = z.object({ orderId: z.string(), total: z.number(), placedAt: z.string().transform((s) => new Date(s)) })

describe('kinesisHandler types', () => {
  it('types the payload as the schema output, transforms included, in every form', () => {
    kinesisHandler(Order, (order, meta) => {
      expectTypeOf(order).toEqualTypeOf<{ orderId: string; total: number; placedAt: Date }>()
      expectTypeOf(meta).toEqualTypeOf<KinesisMeta>()
    })
    kinesisHandler({ schema: Order, ordering: 'per-key', concurrency: 4 }, (order) => {
      expectTypeOf(order.placedAt).toEqualTypeOf<Date>()
    })
    kinesisHandler(Order).handle((order) => {
      expectTypeOf(order.total).toEqualTypeOf<number>()
    })
    kinesisHandler({ schema: z.number(), decode: (bytes) => bytes.length }, (n) => {
      expectTypeOf(n).toEqualTypeOf<number>()
    })
  })

  it('types meta', () => {
    kinesisHandler(Order, (_order, meta) => {
      expectTypeOf(meta.partitionKey).toEqualTypeOf<string>()
      expectTypeOf(meta.sequenceNumber).toEqualTypeOf<string>()
      expectTypeOf(meta.shardId).toEqualTypeOf<string>()
      expectTypeOf(meta.arrivedAt).toEqualTypeOf<Date>()
      expectTypeOf(meta.record).toEqualTypeOf<KinesisStreamRecord>()
      expectTypeOf(meta.context).toEqualTypeOf<Context | undefined>()
      expectTypeOf(meta.logger).toEqualTypeOf<RecordLogger>()
    })
  })

  it('is a Lambda handler for Kinesis events with a process() that reports outcomes', () => {
    const handler = kinesisHandler(Order, () => {})
    expectTypeOf(handler).parameter(0).toEqualTypeOf<KinesisStreamEvent>()
    expectTypeOf(handler).returns.resolves.toEqualTypeOf<KinesisStreamBatchResponse>()
    expectTypeOf(handler.process).returns.resolves.toEqualTypeOf<BatchReport>()
  })

  it('grows meta with each middleware', () => {
    // A middleware factory generic in payload and meta fits any handler; the types flow from `.use`.
    const withTenant =
      <P, M>(): Middleware<P, M, { tenant: string }> =>
      (next) =>
      (p, meta) =>
        next(p, { ...meta, tenant: 't' })
    kinesisHandler(Order)
      .use(withTenant())
      .use<{ startedAt: number }>((next) => (p, meta) => {
        expectTypeOf(meta.tenant).toEqualTypeOf<string>()
        return next(p, { ...meta, startedAt: 1 })
      })
      .handle((order, meta) => {
        expectTypeOf(order.orderId).toEqualTypeOf<string>()
        expectTypeOf(meta.tenant).toEqualTypeOf<string>()
        expectTypeOf(meta.startedAt).toEqualTypeOf<number>()
        expectTypeOf(meta.shardId).toEqualTypeOf<string>()
      })
  })

  it('rejects what does not fit', () => {
    // @ts-expect-error: the payload has no such field
    kinesisHandler(Order, (order) => order.customer)
    // @ts-expect-error: not an ordering
    kinesisHandler({ schema: Order, ordering: 'sorted' }, () => {})
    // @ts-expect-error: a schema is required
    kinesisHandler({ ordering: 'in-order' }, () => {})
  })

  it('types the event builder payloads by the schema input', () => {
    kinesisEvent([{ orderId: 'a', total: 1, placedAt: '2026-01-01' }], { schema: Order })
    // @ts-expect-error: total must be a number in the schema's input
    kinesisEvent([{ orderId: 'a', total: '1', placedAt: '2026-01-01' }], { schema: Order })
    kinesisEvent([{ anything: true }, 'text', 42])
  })
})
