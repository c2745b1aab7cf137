import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch'
import type { DynamoDBRecord, KinesisStreamRecord, SQSRecord } from 'aws-lambda'
import { describe, expectTypeOf, it } from 'vitest'
import * as z from 'zod'
import { dynamodbParser, kinesisParser, sqsParser, type RecordParser } from 'lambda-stream-handlers'

const Order = z.object({ orderId: z.string(), total: z.number(), at: z.string().transform((s) => new Date(s)) })
type Order = z.output<typeof Order>

describe('single-record parsers are typed by the schema', () => {
  it('a Powertools record handler gets the schema output with no type written for it', async () => {
    const parseOrder = kinesisParser(Order)
    const processor = new BatchProcessor(EventType.KinesisDataStreams)
    await processPartialResponse(
      { Records: [] },
      (record: KinesisStreamRecord) => {
        const order = parseOrder(record)
        expectTypeOf(order).toEqualTypeOf<Order>()
        expectTypeOf(order.at).toEqualTypeOf<Date>()
        expectTypeOf(parseOrder.all(record)).toEqualTypeOf<Order[]>()
      },
      processor,
    )
  })

  it('each parser takes its own record type, in the schema and the options forms', () => {
    expectTypeOf(kinesisParser({ schema: Order, decode: 'json' })).toEqualTypeOf<RecordParser<KinesisStreamRecord, Order>>()
    expectTypeOf(sqsParser(Order)).toEqualTypeOf<RecordParser<SQSRecord, Order>>()
    expectTypeOf(sqsParser({ schema: Order, envelope: 'sns' })).toEqualTypeOf<RecordParser<SQSRecord, Order>>()
    expectTypeOf(sqsParser(Order)).parameter(0).toEqualTypeOf<SQSRecord>()
    // @ts-expect-error: a Kinesis parser takes a Kinesis record
    kinesisParser(Order)({} as SQSRecord)
  })

  it('dynamodbParser gives the change typed by the view', () => {
    const both = dynamodbParser(Order)({} as DynamoDBRecord)
    if (both.eventName === 'MODIFY') {
      expectTypeOf(both.newImage).toEqualTypeOf<Order>()
      expectTypeOf(both.oldImage).toEqualTypeOf<Order>()
    }
    const added = dynamodbParser({ schema: Order, streamViewType: 'NEW_IMAGE' })({} as KinesisStreamRecord)
    if (added.eventName === 'INSERT') expectTypeOf(added.newImage).toEqualTypeOf<Order>()
    // @ts-expect-error: a NEW_IMAGE stream has no old image
    added.oldImage
  })

  it('options that only a handler has are refused by the type', () => {
    // @ts-expect-error: ordering is the handler's, not the parser's
    kinesisParser({ schema: Order, ordering: 'per-key' })
    // @ts-expect-error: a misspelt option
    sqsParser({ schema: Order, envelop: 'sns' })
  })
})
