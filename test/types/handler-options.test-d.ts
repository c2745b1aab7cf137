import type { SQSRecord } from 'aws-lambda'
import { describe, expectTypeOf, it } from 'vitest'
import * as z from 'zod'
import {
  dynamodbHandler,
  kinesisHandler,
  sqsHandler,
  type ChangeKeys,
  type KinesisMeta,
  type SnsEnvelopeMeta,
  type SqsMeta,
} from 'lambda-stream-handlers'

const Order = z.object({ orderId: z.string(), total: z.number() })
type OrderOut = { orderId: string; total: number }

describe('handler options are exact', () => {
  it('a misspelt option does not compile, in the function form and the builder form', () => {
    // @ts-expect-error: `orderng` is not an option (did you mean `ordering`?)
    kinesisHandler({ schema: Order, orderng: 'per-key' }, () => {})
    // @ts-expect-error: `concurency` is not an option (did you mean `concurrency`?)
    sqsHandler({ schema: Order, concurency: 3 }, () => {})
    // @ts-expect-error: `streamViewTyp` is not an option (did you mean `streamViewType`?)
    dynamodbHandler({ schema: Order, streamViewTyp: 'NEW_IMAGE' }, () => {})
    // @ts-expect-error: `decod` is not an option
    kinesisHandler({ schema: Order, decod: 'text' })
    // @ts-expect-error: `envelop` is not an option
    sqsHandler({ schema: Order, envelop: 'sns' })
  })

  it('eagerMeta is a Kinesis and SQS option (their meta is made lazily without it); meta keeps its type either way', () => {
    sqsHandler({ schema: Order, eagerMeta: true }, (_order, meta) => {
      expectTypeOf(meta).toEqualTypeOf<SqsMeta>()
      expectTypeOf(meta.sentAt).toEqualTypeOf<Date>()
    })
    kinesisHandler({ schema: Order, eagerMeta: true }, (_order, meta) => {
      expectTypeOf(meta).toEqualTypeOf<KinesisMeta>()
      expectTypeOf(meta.arrivedAt).toEqualTypeOf<Date>()
    })
    // @ts-expect-error: a boolean
    sqsHandler({ schema: Order, eagerMeta: 'yes' }, () => {})
    // @ts-expect-error: DynamoDB meta is built with the record; there is no eagerMeta
    dynamodbHandler({ schema: Order, eagerMeta: true }, () => {})
  })

  it('the payload is still inferred from `schema`, and options callbacks are typed', () => {
    kinesisHandler({ schema: Order, ordering: 'per-key', concurrency: 4 }, (order) => {
      expectTypeOf(order).toEqualTypeOf<OrderOut>()
    })
    kinesisHandler({ schema: z.number(), decode: (bytes) => bytes.length }, (n) => {
      expectTypeOf(n).toEqualTypeOf<number>()
    })
    sqsHandler({ schema: Order, onInvalid: (invalid) => expectTypeOf(invalid.record).toEqualTypeOf<SQSRecord>() }, (order, meta) => {
      expectTypeOf(order).toEqualTypeOf<OrderOut>()
      expectTypeOf(meta).toEqualTypeOf<SqsMeta>()
    })
    sqsHandler({ schema: Order, envelope: 'sns' }, (_order, meta) => {
      expectTypeOf(meta.sns).toEqualTypeOf<SnsEnvelopeMeta>()
    })
    dynamodbHandler({ schema: Order, streamViewType: 'NEW_IMAGE' }, (change) => {
      if (change.eventName === 'REMOVE') expectTypeOf(change).toEqualTypeOf<ChangeKeys<'REMOVE'>>()
      else expectTypeOf(change.newImage).toEqualTypeOf<OrderOut>()
    })
    kinesisHandler({ schema: Order, logger: console })
      .use<{ tenant: string }>((next) => (order, meta) => next(order, { ...meta, tenant: 't' }))
      .handle((order, meta) => {
        expectTypeOf(order).toEqualTypeOf<OrderOut>()
        expectTypeOf(meta.tenant).toEqualTypeOf<string>()
      })
  })

  it('options held in a variable are checked by assignability, as TypeScript does', () => {
    const options = { schema: Order, ordering: 'per-key' as const, concurrency: 2 }
    kinesisHandler(options, (order) => expectTypeOf(order).toEqualTypeOf<OrderOut>())
  })

  it('a bad value is one error on the option, and the record function keeps its payload type', () => {
    // The one error is on the call's first line; an `unknown` payload would be a second one below.
    // @ts-expect-error: 'sorted' is not an ordering
    kinesisHandler({ schema: Order, ordering: 'sorted' }, (order) => expectTypeOf(order).toEqualTypeOf<OrderOut>())
    // @ts-expect-error: 'sns-raw' is not an envelope
    sqsHandler({ schema: Order, envelope: 'sns-raw' }, (order) => expectTypeOf(order).toEqualTypeOf<OrderOut>())
  })
})
