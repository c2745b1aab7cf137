import type { DynamoDBRecord, KinesisStreamRecord, MSKEvent, SQSRecord } from 'aws-lambda'
import { describe, expectTypeOf, it } from 'vitest'
import * as z from 'zod'
import {
  dynamodbParser,
  kafkaParser,
  kinesisParser,
  sqsParser,
  type DynamoDBChange,
  type KafkaRecord,
  type RecordParser,
} from 'lambda-stream-handlers'

const Order = z.object({ orderId: z.string(), total: z.number(), at: z.string().transform((s) => new Date(s)) })
type Order = z.output<typeof Order>

describe('kafkaParser is typed as kafkaHandler types the payload', () => {
  it('the schema output or null: a tombstone passes as null', () => {
    expectTypeOf(kafkaParser(Order)).toEqualTypeOf<RecordParser<KafkaRecord, Order | null>>()
    expectTypeOf(kafkaParser({ schema: Order })).toEqualTypeOf<RecordParser<KafkaRecord, Order | null>>()
    expectTypeOf(kafkaParser({ schema: Order, tombstones: 'pass', decode: 'json' })).toEqualTypeOf<
      RecordParser<KafkaRecord, Order | null>
    >()
    expectTypeOf(kafkaParser(Order).all).returns.toEqualTypeOf<(Order | null)[]>()
  })

  it('no null when tombstones go to the schema, unless the schema allows it', () => {
    expectTypeOf(kafkaParser({ schema: Order, tombstones: 'schema' })).toEqualTypeOf<RecordParser<KafkaRecord, Order>>()
    expectTypeOf(kafkaParser({ schema: Order.nullable(), tombstones: 'schema' })).toEqualTypeOf<RecordParser<KafkaRecord, Order | null>>()
  })

  it("takes a record of aws-lambda's MSKEvent as it is, and refuses another source's record", () => {
    const parse = kafkaParser(Order)
    for (const record of Object.values({} as MSKEvent['records']).flat()) expectTypeOf(parse(record)).toEqualTypeOf<Order | null>()
    // @ts-expect-error a Kinesis record is not a Kafka record
    parse({} as KinesisStreamRecord)
  })

  it('refuses the options only a handler has, and misspelt ones', () => {
    // @ts-expect-error ordering is the handler's, not the parser's
    kafkaParser({ schema: Order, ordering: 'per-key' })
    // @ts-expect-error a misspelt option
    kafkaParser({ schema: Order, tombstone: 'schema' })
  })
})

it("the other parsers' types are unchanged: no null", () => {
  expectTypeOf(kinesisParser(Order)).toEqualTypeOf<RecordParser<KinesisStreamRecord, Order>>()
  expectTypeOf(sqsParser({ schema: Order })).toEqualTypeOf<RecordParser<SQSRecord, Order>>()
  expectTypeOf(dynamodbParser(Order)).toEqualTypeOf<
    RecordParser<DynamoDBRecord | KinesisStreamRecord, DynamoDBChange<Order, 'NEW_AND_OLD_IMAGES'>>
  >()
})
