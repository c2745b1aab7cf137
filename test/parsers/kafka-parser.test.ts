// kafkaParser (issue 26): kafkaHandler's decoding and schema for one Kafka record, for code that
// walks the batch itself. Powertools' BatchProcessor has no Kafka event type (2.35.0 knows SQS,
// KinesisDataStreams and DynamoDBStreams), so it is used as a Powertools user would: in a loop.
import { BatchProcessor, EventType, processPartialResponse, UnexpectedBatchTypeError } from '@aws-lambda-powertools/batch'
import { beforeEach, describe, expect, it } from 'vitest'
import {
  ConfigurationError,
  InvalidRecordError,
  kafkaHandler,
  kafkaParser,
  type KafkaRecord,
  type RecordOutcome,
} from 'lambda-stream-handlers'
import { kafkaEvent, lambdaContext, raw } from 'lambda-stream-handlers/testing'
import { handler as loop } from '../../examples/powertools/kafka-loop.js'
import { charged, Order } from '../../examples/powertools/orders.js'

const recordsOf = (event: { records: Readonly<Record<string, readonly KafkaRecord[]>> }): KafkaRecord[] =>
  Object.values(event.records).flat()

function thrown(f: () => unknown): unknown {
  try {
    f()
  } catch (e) {
    return e
  }
  throw new Error('expected a throw')
}

beforeEach(() => {
  charged.length = 0
})

describe('kafkaParser', () => {
  it('returns the value typed by the schema, and null for a tombstone', () => {
    const event = kafkaEvent([{ orderId: 'o-1', total: 5 }, null], { topic: 'orders', key: 'o-1', schema: Order })
    const parseOrder = kafkaParser(Order)
    expect(recordsOf(event).map((r) => parseOrder(r))).toEqual([{ orderId: 'o-1', total: 5 }, null])
    expect(recordsOf(event).flatMap((r) => parseOrder.all(r))).toEqual([{ orderId: 'o-1', total: 5 }, null])
  })

  it("with tombstones: 'schema', null goes to the schema: a nullable schema takes it, another makes it invalid", () => {
    const [tombstone] = recordsOf(kafkaEvent([null], { topic: 'orders', firstOffset: 7 }))
    expect(kafkaParser({ schema: Order.nullable(), tombstones: 'schema' })(tombstone!)).toBeNull()
    const error = thrown(() => kafkaParser({ schema: Order, tombstones: 'schema' })(tombstone!))
    expect(error).toBeInstanceOf(InvalidRecordError)
    expect((error as InvalidRecordError).recordId).toBe('orders-0:7')
    expect((error as InvalidRecordError).reason.kind).toBe('validation')
  })

  it('a bad record throws InvalidRecordError with the reason and the identifier the handler gives', async () => {
    const event = kafkaEvent([{ orderId: 'o-1', total: 5 }, { orderId: 'o-2', total: -1 }, raw('oops')], {
      topic: 'orders',
      partition: (_p, i) => i, // one partition each: a failure stops the rest of its own partition
      firstOffset: 40,
    })
    const report = await kafkaHandler({ schema: Order, allFailed: 'report' }, () => {}).process(event)
    const parseOrder = kafkaParser(Order)
    const records = recordsOf(event)
    for (const i of [1, 2]) {
      const error = thrown(() => parseOrder(records[i]!)) as InvalidRecordError
      const outcome = report.outcomes[i] as RecordOutcome & { status: 'invalid' }
      expect(outcome.status).toBe('invalid')
      expect(error).toBeInstanceOf(InvalidRecordError)
      expect(error.reason).toEqual(outcome.reason)
      expect(error.recordId).toBe(`orders-${i}:40`)
    }
    expect((thrown(() => parseOrder(records[2]!)) as InvalidRecordError).reason.kind).toBe('decode')
  })

  it("takes the handler's decoding options: the Confluent wire format, gzip, the key decoder", () => {
    const event = kafkaEvent([{ orderId: 'o-1', total: 5 }], { schemaId: 42, gzip: true, key: 'not json' })
    const [record] = recordsOf(event)
    expect(kafkaParser(Order)(record!)).toEqual({ orderId: 'o-1', total: 5 })
    expect((thrown(() => kafkaParser({ schema: Order, key: 'json' })(record!)) as InvalidRecordError).reason.kind).toBe('decode')
    expect((thrown(() => kafkaParser({ schema: Order, wireFormat: 'plain' })(record!)) as InvalidRecordError).reason.kind).toBe('decode')
  })

  it('a record that is not a Kafka record fails as a decode error that says what is wrong, never a TypeError', () => {
    const parseOrder = kafkaParser(Order) as (record: unknown) => unknown
    const [good] = recordsOf(kafkaEvent([{ orderId: 'o-1', total: 5 }]))
    const hostile = Object.defineProperty({ ...good }, 'topic', {
      get() {
        throw new Error('boom')
      },
    })
    const cases: [unknown, string][] = [
      [null, 'Received null instead of a record.'],
      ['a string', 'Received a string instead of a record.'],
      [{ ...good, topic: undefined }, 'Received a record without a topic.'],
      [
        { ...good, offset: 2 ** 53 },
        'Received a record whose offset is not a whole number from 0 to 2^53 − 1 (it cannot be reported exactly).',
      ],
      [hostile, 'Could not read the record: reading its fields threw.'],
    ]
    for (const [record, message] of cases) {
      const error = thrown(() => parseOrder(record)) as InvalidRecordError
      expect(error).toBeInstanceOf(InvalidRecordError)
      expect(error.recordId).toBeUndefined()
      expect(error.reason).toEqual({ kind: 'decode', message })
    }
  })

  it('options are checked when the parser is built', () => {
    expect(() => kafkaParser({ schema: Order, tombstones: 'drop' as 'pass' })).toThrow(ConfigurationError)
    expect(() => kafkaParser({ schema: Order, tombstones: 'drop' as 'pass' })).toThrow(
      "kafkaParser: `tombstones` must be 'pass' or 'schema'",
    )
    // @ts-expect-error ordering is the handler's, not the parser's
    expect(() => kafkaParser({ schema: Order, ordering: 'per-key' })).toThrow(ConfigurationError)
  })
})

describe('kafkaParser where a Powertools user walks the batch', () => {
  it("Powertools' processPartialResponse refuses a Kafka event: its BatchProcessor has no Kafka event type", async () => {
    const event = kafkaEvent([{ orderId: 'o-1', total: 5 }])
    expect(Object.values(EventType)).toEqual(['SQS', 'KinesisDataStreams', 'DynamoDBStreams'])
    const processor = new BatchProcessor(EventType.KinesisDataStreams)
    await expect(processPartialResponse(event as never, () => {}, processor)).rejects.toBeInstanceOf(UnexpectedBatchTypeError)
  })

  it('the loop of the README charges every order, skips tombstones, and reports each bad record by partition and offset', async () => {
    const event = kafkaEvent(
      [{ orderId: 'o-1', total: 5 }, null, { orderId: 'o-3', total: -1 }, { orderId: 'o-4', total: 7 }, { orderId: 'declined', total: 1 }],
      { topic: 'orders', partition: (_p, i) => i % 2, firstOffset: 10 },
    )
    expect(await loop(event)).toEqual({
      batchItemFailures: [
        { itemIdentifier: { partition: 'orders-0', offset: 11 } }, // o-3: not an order (a negative total)
        { itemIdentifier: { partition: 'orders-0', offset: 12 } }, // declined: the charge threw
      ],
    })
    expect(charged).toEqual(['o-1', 'o-4'])
    // kafkaHandler stops partition 0 at o-3 and reports it with the record after it, unstarted.
    const report = await kafkaHandler(Order, async () => {}).process(event, lambdaContext())
    expect(report.outcomes.map((o) => `${o.id} ${o.status}`)).toContain('orders-0:12 skipped')
    expect(report.batchItemFailures).toEqual((await loop(event)).batchItemFailures)
  })
})
