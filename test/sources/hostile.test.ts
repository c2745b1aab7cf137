// What a hostile or unlucky event does to the decoders (issue 16): each fails its record, or the
// event with MalformedEventError, with a reason that names the limit and never quotes the payload.
import type { DynamoDBStreamEvent } from 'aws-lambda'
import { gzipSync } from 'node:zlib'
import { describe, expect, it } from 'vitest'
import * as z from 'zod'
import {
  AttributeValueError,
  ConfigurationError,
  dynamodbHandler,
  kinesisHandler,
  kinesisWindowHandler,
  MalformedEventError,
  silentLogger,
  sqsHandler,
  unmarshallImage,
  type RecordOutcome,
} from 'lambda-stream-handlers'
import { attributeValues, dynamodbEvent, insert, kinesisEvent, modify, raw, sqsEvent } from 'lambda-stream-handlers/testing'
import { memoryLogger } from '../helpers.js'

// Every record runs and is reported on its own, so a test sees each record's reason.
const quiet = { logger: silentLogger, allFailed: 'report', ordering: 'unordered' } as const
const reasonsOf = (outcomes: readonly RecordOutcome[]) =>
  outcomes.map((o) => (o.status === 'ok' ? 'ok' : `${o.reason.kind}: ${o.reason.message}`))
const kinesisReasons = async (data: readonly (unknown | Uint8Array)[], options: object = {}) =>
  reasonsOf((await kinesisHandler({ schema: z.unknown(), ...quiet, ...options }, () => {}).process(kinesisEvent(data))).outcomes)

const seqs = (event: DynamoDBStreamEvent) => event.Records.map((r) => r.dynamodb!.SequenceNumber!)

/** `n` levels of M around a string: `{ a: { M: { a: { M: ... { S: 'x' } } } } }`. */
function nestedImage(n: number, leaf: unknown = { S: 'x' }): Record<string, unknown> {
  let value = leaf
  for (let i = 1; i < n; i++) value = { M: { a: value } }
  return { id: { S: 'k' }, a: value }
}

describe('gzip: maxInflatedBytes', () => {
  it('fails a record that inflates past the limit, naming it, in every mode; at the limit it decodes', async () => {
    const exactly = gzipSync(JSON.stringify('x'.repeat(998))) // 1,000 bytes of JSON
    const over = gzipSync(JSON.stringify('x'.repeat(999)))
    const refused =
      'decode: The data inflates past maxInflatedBytes (1000 bytes); it was refused there. Raise `maxInflatedBytes` if records this large are expected.'
    expect(await kinesisReasons([raw(exactly), raw(over)], { maxInflatedBytes: 1000 })).toEqual(['ok', refused])
    for (const decode of ['text', 'bytes', (b: Uint8Array) => b.length] as const) {
      expect(await kinesisReasons([raw(over)], { maxInflatedBytes: 1000, decode })).toEqual([refused])
    }
  })

  it('defaults to 6 MiB (6,291,456 bytes), the Lambda payload ceiling', async () => {
    const under = gzipSync(Buffer.alloc(6 * 1024 * 1024, 0x20)) // 6 MiB of spaces: not JSON, but inflated
    const over = gzipSync(Buffer.alloc(6 * 1024 * 1024 + 1, 0x20))
    expect(await kinesisReasons([raw(under), raw(over)], { decode: 'bytes' })).toEqual([
      'ok',
      expect.stringContaining('decode: The data inflates past maxInflatedBytes (6291456 bytes)'),
    ])
  })

  it('checks the option when the handler is built, for kinesisHandler and kinesisWindowHandler', () => {
    for (const bad of [0, 1.5, -1, '6MB', Number.MAX_SAFE_INTEGER]) {
      expect(() => kinesisHandler({ schema: z.unknown(), maxInflatedBytes: bad as number }, () => {})).toThrow(ConfigurationError)
    }
    expect(() => kinesisHandler({ schema: z.unknown(), maxInflatedBytes: 0 }, () => {})).toThrow(
      /`maxInflatedBytes` must be a whole number of bytes from 1 to/,
    )
    const windowOptions = { schema: z.unknown(), state: z.object({}), initial: () => ({}), reduce: () => ({}), onWindowEnd: () => {} }
    expect(() => kinesisWindowHandler({ ...windowOptions, maxInflatedBytes: 1024 })).not.toThrow()
    expect(() => kinesisWindowHandler({ ...windowOptions, maxInflatedBytes: 0 })).toThrow(
      /kinesisWindowHandler: `maxInflatedBytes` must be/,
    )
  })
})

describe('deep nesting', () => {
  const handler = (options: object = {}) => dynamodbHandler({ schema: z.unknown(), ...quiet, ...options }, () => {})

  it('accepts the 32 levels DynamoDB stores and refuses the 33rd, naming the path', async () => {
    const event = dynamodbEvent([insert(attributeValues(nestedImage(32))), insert(attributeValues(nestedImage(33)))])
    const [ok, deep] = reasonsOf((await handler().process(event)).outcomes)
    expect(ok).toBe('ok')
    expect(deep).toBe(
      `decode: NewImage.a${'.a'.repeat(32)} is nested 33 levels deep; DynamoDB stores at most 32 (a top-level attribute is level 1).`,
    )
  })

  it('fails the record, not the handler, for images, old images and keys 5,000 and 100,000 levels deep, in every ordering', async () => {
    for (const depth of [5_000, 100_000]) {
      const deep = nestedImage(depth)
      const event = dynamodbEvent([insert({ id: 'ok' }), modify(attributeValues({ id: { S: 'k' } }), attributeValues({ id: { S: 'k' } }))])
      event.Records[1]!.dynamodb!.OldImage = deep as never
      const keys = dynamodbEvent([insert({ id: 'k' })]).Records[0]!
      keys.dynamodb!.Keys = { id: deep.a } as never
      event.Records.push({ ...keys, dynamodb: { ...keys.dynamodb, SequenceNumber: '99999999999999999999999' } })
      const got = reasonsOf((await handler().process(event)).outcomes)
      expect(got).toEqual([
        'ok',
        expect.stringMatching(/^decode: OldImage\.a(\.a)+ is nested 33 levels deep/),
        expect.stringMatching(/^decode: Keys\.id(\.a)+ is nested 33 levels deep/),
      ])
      // 'per-key' reads the keys of every record before it starts one.
      const perKey = await handler({ ordering: 'per-key' }).process(event)
      expect(perKey.batchItemFailures).toEqual([{ itemIdentifier: seqs(event)[1] }, { itemIdentifier: seqs(event)[2] }])
    }
  })

  it('refuses it through Kinesis and in unmarshallImage too', async () => {
    const n = 100_000
    const image = `{"id":{"S":"k"},"a":${'{"M":{"a":'.repeat(n)}{"S":"x"}${'}}'.repeat(n)}}`
    const event = kinesisEvent([
      raw(`{"eventName":"INSERT","eventSource":"aws:dynamodb","dynamodb":{"Keys":{"id":{"S":"k"}},"NewImage":${image}}}`),
    ])
    expect(reasonsOf((await handler().process(event)).outcomes)).toEqual([
      expect.stringMatching(/^decode: NewImage\.a(\.a)+ is nested 33 levels deep/),
    ])
    expect(() => unmarshallImage(nestedImage(100_000))).toThrow(AttributeValueError)
  })

  it('gives change.diff() a clear error on a schema output that holds a cycle', async () => {
    const Cyclic = z.unknown().transform((v) => {
      const o: Record<string, unknown> = { ...(v as object) }
      o.self = o
      return o
    })
    let thrown: unknown
    const h = dynamodbHandler({ schema: Cyclic, ...quiet }, (change) => {
      if (change.eventName !== 'MODIFY') return
      try {
        change.diff()
      } catch (e) {
        thrown = e
      }
    })
    const report = await h.process(dynamodbEvent([modify({ id: 'a', n: 1 }, { id: 'a', n: 1 })]))
    expect(reasonsOf(report.outcomes)).toEqual(['ok'])
    expect(thrown).toBeInstanceOf(Error)
    expect(thrown).not.toBeInstanceOf(RangeError)
    expect((thrown as Error).message).toBe(
      "change.diff() compares values nested more than 256 levels deep (does the schema's output hold a cycle?).",
    )
  })

  it("gives a clear error from the test kit's marshaller for an object deeper than DynamoDB stores, or a cycle", () => {
    let deep: Record<string, unknown> = { leaf: 'x' }
    for (let i = 0; i < 40; i++) deep = { a: deep }
    expect(() => dynamodbEvent([insert({ id: 'x', deep })])).toThrow(
      /is nested more than 32 levels deep, which DynamoDB does not store; use attributeValues\(\) to build one anyway/,
    )
    const cycle: Record<string, unknown> = { id: 'x' }
    cycle.self = cycle
    expect(() => dynamodbEvent([insert(cycle)])).toThrow(TypeError)
  })
})

describe('malformed events name what is missing', () => {
  const kinesis = kinesisHandler({ schema: z.unknown(), logger: silentLogger }, () => {})

  it.each([
    ['eventID', (r: Record<string, unknown>) => delete r.eventID, /without a valid eventID \(shardId-…:sequenceNumber\) at Records\[1\]/],
    ['an eventID without the shard', (r: Record<string, unknown>) => (r.eventID = '12345'), /without a valid eventID/],
    [
      'approximateArrivalTimestamp',
      (r: { kinesis: Record<string, unknown> }) => delete r.kinesis.approximateArrivalTimestamp,
      /without a valid kinesis.approximateArrivalTimestamp \(epoch seconds\) at Records\[1\]/,
    ],
    [
      'a string arrival time',
      (r: { kinesis: Record<string, unknown> }) => (r.kinesis.approximateArrivalTimestamp = '1545084650.987'),
      /approximateArrivalTimestamp/,
    ],
    [
      'partitionKey',
      (r: { kinesis: Record<string, unknown> }) => delete r.kinesis.partitionKey,
      /without a kinesis.partitionKey string at Records\[1\]/,
    ],
  ])('Kinesis: a record without %s is a MalformedEventError', async (_what, breakIt, message) => {
    const event = kinesisEvent([{}, {}])
    breakIt(event.Records[1] as never)
    await expect(kinesis(event)).rejects.toThrow(MalformedEventError)
    await expect(kinesis(event)).rejects.toThrow(message)
  })

  it('Kinesis: a record whose fields throw when read is a MalformedEventError with the error as its cause', async () => {
    const event = kinesisEvent([{}, {}])
    const boom = new Error('getter')
    Object.defineProperty(event.Records[1]!.kinesis, 'partitionKey', {
      get: () => {
        throw boom
      },
    })
    const rejection = kinesis(event)
    await expect(rejection).rejects.toThrow('kinesisHandler could not read the record at Records[1]: reading its fields threw.')
    await expect(rejection).rejects.toMatchObject({ name: 'MalformedEventError', cause: boom })
  })

  it('an event whose Records, or a window event whose window, throws when read is a MalformedEventError with the error as its cause', async () => {
    const boom = new Error('getter')
    const throwing = (field: string, event: object): object =>
      Object.defineProperty(event, field, {
        get: () => {
          throw boom
        },
      })
    const rejection = kinesis(throwing('Records', {}) as never)
    await expect(rejection).rejects.toThrow("kinesisHandler could not read the event's `Records`: reading it threw.")
    await expect(rejection).rejects.toMatchObject({ name: 'MalformedEventError', cause: boom })
    const windows = kinesisWindowHandler({
      schema: z.unknown(),
      state: z.object({ n: z.number() }),
      initial: () => ({ n: 0 }),
      reduce: (state) => ({ n: state.n + 1 }),
      onWindowEnd: () => {},
      logger: silentLogger,
    })
    const windowEvent = { ...kinesisEvent([1]), state: {}, shardId: 's', isFinalInvokeForWindow: false, isWindowTerminatedEarly: false }
    const windowRejection = windows(throwing('window', windowEvent) as never)
    await expect(windowRejection).rejects.toThrow(
      'kinesisWindowHandler could not read the tumbling-window fields of the event: reading them threw.',
    )
    await expect(windowRejection).rejects.toMatchObject({ name: 'MalformedEventError', cause: boom })
  })

  it('SQS: a lazily read field whose record throws when read fails that record as invalid, as eagerMeta does', async () => {
    for (const eagerMeta of [false, true]) {
      const event = sqsEvent([{}, {}])
      Object.defineProperty(event.Records[1]!, 'messageAttributes', {
        get: () => {
          throw new Error('getter')
        },
      })
      const report = await sqsHandler({ schema: z.unknown(), ...quiet, eagerMeta, onInvalid: 'skip' }, (_body, meta) => {
        void meta.attributes
      }).process(event)
      expect(reasonsOf(report.outcomes)).toEqual(['ok', 'decode: getter'])
      expect(report.batchItemFailures).toEqual([])
    }
  })

  it('SQS: an eventSourceARN that is not a string, or a MessageGroupId that is not one, is a MalformedEventError', async () => {
    const sqs = sqsHandler({ schema: z.unknown(), logger: silentLogger }, () => {})
    const event = sqsEvent([{}, {}])
    ;(event.Records[1] as { eventSourceARN: unknown }).eventSourceARN = 42
    await expect(sqs(event)).rejects.toThrow(
      /sqsHandler received a record without an eventSourceARN string \(the queue's ARN\) at Records\[1\]/,
    )
    const grouped = sqsEvent([{}], { fifo: true })
    ;(grouped.Records[0]!.attributes as { MessageGroupId: unknown }).MessageGroupId = { g: 1 }
    await expect(sqs(grouped)).rejects.toThrow(/attributes.MessageGroupId is an object, not a string, at Records\[0\]/)
  })

  it('SQS: broken attributes fail only that record', async () => {
    const event = sqsEvent([{}, {}, {}], { fifo: true })
    delete (event.Records[1] as { attributes?: unknown }).attributes
    ;(event.Records[2]!.attributes as { SequenceNumber: unknown }).SequenceNumber = 7
    const report = await sqsHandler({ schema: z.unknown(), ...quiet, eagerMeta: true }, () => {}).process(event)
    expect(reasonsOf(report.outcomes)).toEqual([
      'ok',
      'decode: attributes is undefined, not an object of SQS attributes.',
      'decode: attributes.SequenceNumber is a number, not a string.',
    ])
  })

  it('DynamoDB: a creation time that is not a number fails only that record', async () => {
    const event = dynamodbEvent([insert({ id: 'a' }), insert({ id: 'b' })])
    ;(event.Records[1]!.dynamodb as { ApproximateCreationDateTime: unknown }).ApproximateCreationDateTime = '1700000000'
    const report = await dynamodbHandler({ schema: z.unknown(), ...quiet, ordering: 'per-key' }, () => {}).process(event)
    expect(reasonsOf(report.outcomes)).toEqual([
      'ok',
      'decode: dynamodb.ApproximateCreationDateTime is a string, not a time in epoch seconds.',
    ])
  })
})

describe('strict base64', () => {
  it('refuses base64url characters in Kinesis data, SQS binary attributes and DynamoDB binary', async () => {
    const event = kinesisEvent([{}])
    event.Records[0]!.kinesis.data = 'e30-' // `{}` then a base64url character, 4 characters long
    const report = await kinesisHandler({ schema: z.unknown(), ...quiet }, () => {}).process(event)
    expect(reasonsOf(report.outcomes)).toEqual([
      'decode: kinesis.data is not valid base64 (4 characters that do not decode cleanly as standard base64).',
    ])
    expect(await kinesisReasons([raw(new Uint8Array([0xfb, 0xff]))])).toEqual([
      expect.stringMatching(/^decode: The data is not valid UTF-8/),
    ]) // '+/8=' stays fine

    const sqs = sqsEvent([{}], { messageAttributes: { a: new Uint8Array([0xfb, 0xff]) } })
    sqs.Records[0]!.messageAttributes.a!.binaryValue = '-_8='
    const sqsReport = await sqsHandler({ schema: z.unknown(), ...quiet }, (_body, meta) => meta.attributes).process(sqs)
    expect(reasonsOf(sqsReport.outcomes)).toEqual([expect.stringContaining('binaryValue is not valid base64')])

    expect(() => unmarshallImage({ b: { B: '-_8=' } })).toThrow('b has B that is not valid base64.')
    expect(unmarshallImage({ b: { B: '+/8=' } })).toEqual({ b: new Uint8Array([0xfb, 0xff]) })
  })
})

describe('no payload text in reasons', () => {
  const bodies = [
    'SECRET-411 and more text after it',
    '{"a": 1, "b": "xx SECRET yy", oops}',
    '"[object Object]" SECRET',
    '{"a":"SECRET"} {',
    '{"a":"SECRET\u0001"}',
    '{"a":"SECRET',
    '{SECRET',
    '{"SECRET": tru}',
    '-SECRET',
    'SECRETSECRETSECRETSECRETSECRETSECRET',
  ]

  it('keeps the kind and the position of every V8 JSON error and drops the text', async () => {
    const reasons = await kinesisReasons(bodies.map(raw))
    expect(reasons).toEqual([
      'decode: The data is not valid JSON: Unexpected token.',
      'decode: The data is not valid JSON: Expected double-quoted property name in JSON at position 30.',
      'decode: The data is not valid JSON: Unexpected non-whitespace character after JSON at position 18.',
      'decode: The data is not valid JSON: Unexpected non-whitespace character after JSON at position 15.',
      'decode: The data is not valid JSON: Bad control character in string literal in JSON at position 12.',
      'decode: The data is not valid JSON: Unterminated string in JSON at position 12.',
      "decode: The data is not valid JSON: Expected property name or '}' in JSON at position 1.",
      'decode: The data is not valid JSON: Unexpected token.',
      'decode: The data is not valid JSON: No number after minus sign in JSON at position 1.',
      'decode: The data is not valid JSON: Unexpected token.',
    ])
    expect(await kinesisReasons([raw(''), raw('[object Object]')])).toEqual([
      'decode: The data is not valid JSON: Unexpected end of JSON input.',
      'decode: The data is not valid JSON: Unexpected input.',
    ])
  })

  it("keeps the parser error as the cause of the reason's error, never in its message", async () => {
    const report = await kinesisHandler({ schema: z.unknown(), ...quiet }, () => {}).process(kinesisEvent([raw('SECRET')]))
    const reason = (report.outcomes[0] as { reason: { message: string; error: Error } }).reason
    expect(reason.error.message).toBe(reason.message)
    expect(reason.error.cause).toBeInstanceOf(SyntaxError)
    expect((reason.error.cause as Error).message).toContain('SECRET')
  })

  it('does not echo envelope values, JSON strings where a change was expected, or values a decode function threw', async () => {
    const logger = memoryLogger()
    const sns = sqsEvent([
      raw(JSON.stringify({ Type: 'SECRET-type', Message: '{}' })),
      raw('"SECRET as a JSON string"'),
      raw(JSON.stringify({ Type: 'SubscriptionConfirmation' })),
    ])
    const snsReasons = reasonsOf(
      (await sqsHandler({ schema: z.unknown(), envelope: 'sns', ...quiet, logger }, () => {}).process(sns)).outcomes,
    )
    expect(snsReasons).toEqual([
      expect.stringContaining('`Type` is a string, not "Notification"'),
      'decode: The body is not an SNS notification: it is JSON but not an object.',
      expect.stringContaining('`Type` is "SubscriptionConfirmation", not "Notification"'),
    ])

    const viaKinesis = kinesisEvent([raw('"SECRET where a change belongs"'), raw('{"eventSource": "SECRET", "dynamodb": {}}')])
    const changeReasons = reasonsOf(
      (await dynamodbHandler({ schema: z.unknown(), ...quiet, logger }, () => {}).process(viaKinesis)).outcomes,
    )
    expect(changeReasons).toEqual([
      "decode: The Kinesis record's data is not a DynamoDB change record: it is a string.",
      `decode: The Kinesis record's data is not a DynamoDB change record: its eventSource is not "aws:dynamodb" (it is a string).`,
    ])

    const thrown: unknown[] = ['SECRET string', { secret: 'SECRET object' }, 42, null]
    let n = 0
    const throwing = sqsHandler(
      {
        schema: z.unknown(),
        decode: () => {
          throw thrown[n++]
        },
        ...quiet,
        logger,
      },
      () => {},
    )
    expect(reasonsOf((await throwing.process(sqsEvent([{}, {}, {}, {}]))).outcomes)).toEqual([
      'decode: The decode function threw a string, not an Error',
      'decode: The decode function threw an object, not an Error',
      'decode: The decode function threw a number, not an Error',
      'decode: The decode function threw null, not an Error',
    ])
    const parsing = kinesisHandler(
      { schema: z.unknown(), decode: (b) => JSON.parse(Buffer.from(b).toString()), ...quiet, logger },
      () => {},
    )
    expect(reasonsOf((await parsing.process(kinesisEvent([raw('SECRET')]))).outcomes)).toEqual([
      'decode: The decode function threw: Unexpected token',
    ])
    expect(JSON.stringify(logger.lines)).not.toContain('SECRET')
  })
})

describe('JSON integers beyond 2^53', () => {
  it('fails a record whose integer JSON.parse would round, saying what to do; exact ones, decimals and strings pass', async () => {
    const bodies = [
      '{"id": 12345678901234567890}',
      '{"n": -9007199254740993}',
      '{"n": 9007199254740993, "s": "x"}',
      `{"n": 1${'0'.repeat(400)}}`,
      '{"n": 9007199254740992, "m": 100000000000000000000, "d": 0.30000000000000004, "e": 1.2345678901234567e19}',
      '{"s": "12345678901234567890", "t": "a\\"12345678901234567890"}',
    ]
    const rounded = (at: number) =>
      `decode: The data has an integer at position ${at} beyond ±(2^53 − 1), which JSON.parse would round. Send it as a string, or use \`decode: 'text'\` and a JSON parser that keeps big integers.`
    expect(await kinesisReasons(bodies.map(raw))).toEqual([rounded(7), rounded(6), rounded(6), rounded(6), 'ok', 'ok'])
    const sqs = await sqsHandler({ schema: z.unknown(), ...quiet }, () => {}).process(sqsEvent([raw(bodies[0]!)], {}))
    expect(reasonsOf(sqs.outcomes)).toEqual([rounded(7)])
    const eventBridge = await sqsHandler({ schema: z.unknown(), envelope: 'eventbridge', ...quiet }, () => {}).process(
      sqsEvent([{ id: 12345678901234567890n.toString() }], { envelope: 'eventbridge' }),
    )
    expect(reasonsOf(eventBridge.outcomes)).toEqual(['ok'])
  })
})
