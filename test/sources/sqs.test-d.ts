import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda'
import { describe, expectTypeOf, it } from 'vitest'
import * as z from 'zod'
import {
  sqsHandler,
  type BatchReport,
  type EventBridgeEnvelopeMeta,
  type Middleware,
  type RecordLogger,
  type SnsEnvelopeMeta,
  type SqsAttribute,
  type SqsMeta,
} from 'lambda-stream-handlers'
import { sqsEvent } from 'lambda-stream-handlers/testing'

const Order = z.object({ orderId: z.string(), total: z.number(), placedAt: z.string().transform((s) => new Date(s)) })
type OrderOut = { orderId: string; total: number; placedAt: Date }

describe('sqsHandler types', () => {
  it('types the body as the schema output, transforms included, in every form', () => {
    sqsHandler(Order, (order, meta) => {
      expectTypeOf(order).toEqualTypeOf<OrderOut>()
      expectTypeOf(meta).toEqualTypeOf<SqsMeta>()
    })
    sqsHandler({ schema: Order, concurrency: 4 }, (order) => {
      expectTypeOf(order.placedAt).toEqualTypeOf<Date>()
    })
    sqsHandler(Order).handle((order) => {
      expectTypeOf(order.total).toEqualTypeOf<number>()
    })
    sqsHandler({ schema: z.array(z.string()), decode: (text) => text.split(',') }, (parts) => {
      expectTypeOf(parts).toEqualTypeOf<string[]>()
    })
    sqsHandler({ schema: z.string(), decode: 'text' }, (text) => {
      expectTypeOf(text).toEqualTypeOf<string>()
    })
  })

  it('types meta', () => {
    sqsHandler(Order, (_order, meta) => {
      expectTypeOf(meta.record).toEqualTypeOf<SQSRecord>()
      expectTypeOf(meta.messageId).toEqualTypeOf<string>()
      expectTypeOf(meta.receiveCount).toEqualTypeOf<number>()
      expectTypeOf(meta.sentAt).toEqualTypeOf<Date>()
      expectTypeOf(meta.messageGroupId).toEqualTypeOf<string | undefined>()
      expectTypeOf(meta.deduplicationId).toEqualTypeOf<string | undefined>()
      expectTypeOf(meta.attributes).toEqualTypeOf<Readonly<Record<string, SqsAttribute>>>()
      expectTypeOf(meta.context).toEqualTypeOf<Context | undefined>()
      expectTypeOf(meta.logger).toEqualTypeOf<RecordLogger>()
      // @ts-expect-error: no envelope, no envelope metadata
      meta.sns
    })
  })

  it('narrows an attribute by its type', () => {
    sqsHandler(Order, (_order, meta) => {
      const a = meta.attributes.count
      expectTypeOf(a).toEqualTypeOf<SqsAttribute | undefined>()
      if (a?.type === 'Number') expectTypeOf(a.value).toEqualTypeOf<number | bigint | string>()
      if (a?.type === 'Binary') expectTypeOf(a.value).toEqualTypeOf<Uint8Array>()
      if (a?.type === 'String') expectTypeOf(a.value).toEqualTypeOf<string>()
    })
  })

  it('grows meta with the envelope the options name', () => {
    sqsHandler({ schema: Order, envelope: 'sns' }, (order, meta) => {
      expectTypeOf(order).toEqualTypeOf<OrderOut>()
      expectTypeOf(meta.sns).toEqualTypeOf<SnsEnvelopeMeta>()
      expectTypeOf(meta.sns.topicArn).toEqualTypeOf<string>()
      expectTypeOf(meta.receiveCount).toEqualTypeOf<number>()
    })
    sqsHandler({ schema: Order, envelope: 'eventbridge' }, (_order, meta) => {
      expectTypeOf(meta.eventBridge).toEqualTypeOf<EventBridgeEnvelopeMeta>()
      expectTypeOf(meta.eventBridge.detailType).toEqualTypeOf<string>()
      // @ts-expect-error: not an SNS envelope
      meta.sns
    })
    sqsHandler({ schema: Order, envelope: 'sns' })
      .use<{ tenant: string }>((next) => (o, meta) => next(o, { ...meta, tenant: meta.sns.topicArn }))
      .handle((_o, meta) => {
        expectTypeOf(meta.tenant).toEqualTypeOf<string>()
        expectTypeOf(meta.sns.subject).toEqualTypeOf<string | undefined>()
      })
  })

  it('is a Lambda handler for SQS events with a process() that reports outcomes', () => {
    const handler = sqsHandler(Order, () => {})
    expectTypeOf(handler).parameter(0).toEqualTypeOf<SQSEvent>()
    expectTypeOf(handler).returns.resolves.toEqualTypeOf<SQSBatchResponse>()
    expectTypeOf(handler.process).returns.resolves.toEqualTypeOf<BatchReport>()
  })

  it('takes a generic middleware', () => {
    const withTenant =
      <P, M>(): Middleware<P, M, { tenant: string }> =>
      (next) =>
      (p, meta) =>
        next(p, { ...meta, tenant: 't' })
    sqsHandler(Order)
      .use(withTenant())
      .handle((order, meta) => {
        expectTypeOf(order.orderId).toEqualTypeOf<string>()
        expectTypeOf(meta.tenant).toEqualTypeOf<string>()
        expectTypeOf(meta.messageId).toEqualTypeOf<string>()
      })
  })

  it('rejects what does not fit', () => {
    // @ts-expect-error: the body has no such field
    sqsHandler(Order, (order) => order.customer)
    // @ts-expect-error: SQS bodies are text, there is no 'bytes' mode
    sqsHandler({ schema: Order, decode: 'bytes' }, () => {})
    // @ts-expect-error: not an envelope
    sqsHandler({ schema: Order, envelope: 'sqs' }, () => {})
    // @ts-expect-error: the decode function takes the body text
    sqsHandler({ schema: z.number(), decode: (bytes: Uint8Array) => bytes.length }, () => {})
  })

  it('types the event builder bodies by the schema input', () => {
    sqsEvent([{ orderId: 'a', total: 1, placedAt: '2026-01-01' }], { schema: Order, messageGroupId: 'g' })
    // @ts-expect-error: total must be a number in the schema's input
    sqsEvent([{ orderId: 'a', total: '1', placedAt: '2026-01-01' }], { schema: Order })
    sqsEvent([{ anything: true }, 'text', 42], {
      messageAttributes: { n: 1n, s: 's', b: new Uint8Array(1), f: { dataType: 'Number.float', value: '1.5' } },
    })
    // @ts-expect-error: an attribute is a string, number, bigint, bytes or { dataType, value }
    sqsEvent([{}], { messageAttributes: { bad: true } })
  })
})
