import { describe, expect, it } from 'vitest'
import * as z from 'zod'
import {
  ConfigurationError,
  dynamodbHandler,
  dynamodbParser,
  InvalidRecordError,
  kinesisHandler,
  kinesisParser,
  sqsHandler,
  sqsParser,
} from 'lambda-stream-handlers'
import {
  dynamodbEvent,
  insert,
  kinesisEvent,
  kinesisEventFromDynamoDB,
  modify,
  raw,
  remove,
  sqsEvent,
} from 'lambda-stream-handlers/testing'

const Order = z.object({ orderId: z.string(), total: z.number() })
const o1 = { orderId: 'o-1', total: 5 }

/** What the parser throws for a record, or undefined. */
function thrown(fn: () => unknown): unknown {
  try {
    fn()
  } catch (e) {
    return e
  }
  return undefined
}

describe('every parser fails a bad record with the reason its handler gives', () => {
  it('Kinesis: bad JSON, a schema failure, gzip', async () => {
    const event = kinesisEvent([raw('{not json'), { orderId: 'o-2' }, o1])
    const report = await kinesisHandler({ schema: Order, ordering: 'unordered', allFailed: 'report' }, () => {}).process(event)
    const parse = kinesisParser(Order)
    for (const i of [0, 1]) {
      const e = thrown(() => parse(event.Records[i]!)) as InvalidRecordError
      expect(e).toBeInstanceOf(InvalidRecordError)
      expect(e.name).toBe('InvalidRecordError')
      const outcome = report.outcomes[i]!
      expect(outcome.status).toBe('invalid')
      expect(e.reason).toEqual(outcome.status === 'invalid' ? outcome.reason : undefined)
    }
    expect(parse(event.Records[2]!)).toEqual(o1)
    expect(kinesisParser({ schema: Order })(kinesisEvent([o1], { gzip: true }).Records[0]!)).toEqual(o1)
    expect(kinesisParser({ schema: z.string(), decode: 'text' })(kinesisEvent([raw('hi')]).Records[0]!)).toBe('hi')
  })

  it('SQS: the body, and an SNS envelope', async () => {
    const event = sqsEvent([o1, { orderId: 1 }], { envelope: 'sns' })
    const parse = sqsParser({ schema: Order, envelope: 'sns' })
    expect(parse(event.Records[0]!)).toEqual(o1)
    const report = await sqsHandler({ schema: Order, envelope: 'sns', allFailed: 'report' }, () => {}).process(event)
    const e = thrown(() => parse(event.Records[1]!)) as InvalidRecordError
    expect(e.recordId).toBe(event.Records[1]!.messageId)
    expect(e.reason).toEqual((report.outcomes[1] as { reason: unknown }).reason)
    expect(e.reason.message).toMatch(/^The SNS message does not match the schema at orderId/)
  })

  it('DynamoDB Streams: the typed change, from a stream record and from a Kinesis record of the same change', () => {
    const event = dynamodbEvent([insert(o1), modify(o1, { ...o1, total: 6 }), remove(o1)], { schema: Order, keys: ['orderId'] })
    const changes = event.Records.map(dynamodbParser(Order))
    expect(changes.map((c) => c.eventName)).toEqual(['INSERT', 'MODIFY', 'REMOVE'])
    const modified = changes[1]!
    expect(modified.eventName === 'MODIFY' && modified.diff().changed).toEqual(['total'])
    expect(modified.keys).toEqual({ orderId: 'o-1' })
    const viaKinesis = kinesisEventFromDynamoDB(event)
    expect(dynamodbParser(Order)(viaKinesis.Records[0]!)).toMatchObject({ eventName: 'INSERT', newImage: o1 })
  })

  it('DynamoDB Streams: an image that fails the schema', async () => {
    const event = dynamodbEvent([insert({ orderId: 'o-1', total: 'five' })], { keys: ['orderId'] })
    const report = await dynamodbHandler({ schema: Order, allFailed: 'report' }, () => {}).process(event)
    const e = thrown(() => dynamodbParser(Order)(event.Records[0]!)) as InvalidRecordError
    expect(e.reason).toEqual((report.outcomes[0] as { reason: unknown }).reason)
    expect(e.recordId).toBe(event.Records[0]!.dynamodb!.SequenceNumber)
  })
})

describe('records and options a parser cannot use', () => {
  it('a record of another source, or no record at all, fails as a decode error that names what came', () => {
    const sqsRecord = sqsEvent([o1]).Records[0]!
    const e = thrown(() => kinesisParser(Order)(sqsRecord as never)) as InvalidRecordError
    expect(e).toBeInstanceOf(InvalidRecordError)
    expect(e.reason.kind).toBe('decode')
    expect(e.message).toMatch(
      /^Invalid record: Received a record that is not from Kinesis \(.*\); is the handler wired to the right event source\?$/,
    )
    for (const bad of [null, undefined, 42, { eventSource: 'aws:kinesis' }])
      expect(thrown(() => sqsParser(Order)(bad as never))).toBeInstanceOf(InvalidRecordError)
  })

  it('a record whose fields throw when read fails as a record, not as a crash', () => {
    const hostile = new Proxy(
      {},
      {
        get() {
          throw new Error('boom')
        },
      },
    )
    expect(thrown(() => kinesisParser(Order)(hostile as never))).toBeInstanceOf(InvalidRecordError)
    expect(thrown(() => dynamodbParser(Order)(hostile as never))).toBeInstanceOf(InvalidRecordError)
  })

  it('options are checked when the parser is built: a handler-only option, a misspelling, a bad value, no schema', () => {
    expect(() => kinesisParser({ schema: Order, ordering: 'per-key' } as never)).toThrow(ConfigurationError)
    expect(() => kinesisParser({ schema: Order, ordering: 'per-key' } as never)).toThrow(
      'kinesisParser: unknown option `ordering`; the options are schema, decode, maxInflatedBytes, maxUserRecords.',
    )
    expect(() => sqsParser({ schema: Order, envelop: 'sns' } as never)).toThrow('Did you mean `envelope`?')
    expect(() => dynamodbParser({ schema: Order, streamViewType: 'NEW' } as never)).toThrow(ConfigurationError)
    expect(() => kinesisParser({ shape: {} } as never)).toThrow('kinesisParser: expected a schema or an options object with a `schema`')
  })

  it('an asynchronous schema is refused with what to do, not returned as a promise typed as the payload', async () => {
    const Slow = z.object({ orderId: z.string() }).refine(async () => true)
    const e = thrown(() => kinesisParser(Slow)(kinesisEvent([o1]).Records[0]!))
    expect(e).toBeInstanceOf(ConfigurationError)
    expect((e as Error).message).toContain('needs a schema that validates synchronously')
  })
})
