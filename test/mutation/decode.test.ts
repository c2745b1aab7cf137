// Promises of the decoders (src/sources/decode.ts) and the Kinesis source that mutation testing
// (npm run mutate) found no test pinning: the exact-integer guard at its edges, the gzip and KPL
// leading-byte gates, strict base64, and the event checks' words.
import { constants as bufferConstants } from 'node:buffer'
import { gzipSync } from 'node:zlib'
import type { KinesisStreamEvent } from 'aws-lambda'
import { describe, expect, it } from 'vitest'
import * as z from 'zod'
import { ConfigurationError, kafkaHandler, kinesisHandler, MalformedEventError, type RecordOutcome } from 'lambda-stream-handlers'
import { kafkaEvent, kinesisEvent, kplAggregate, lambdaContext, raw } from 'lambda-stream-handlers/testing'

const Any = z.unknown()

/** The outcome of one Kinesis record whose base64 `data` is given as it is, decoded by `decode`. */
async function outcomeOf(data: unknown, decode: 'json' | 'text' | 'bytes' = 'json'): Promise<{ outcome: RecordOutcome; payload: unknown }> {
  let payload: unknown
  const handler = kinesisHandler({ schema: Any, decode, allFailed: 'report' }, (p) => {
    payload = p
  })
  const event = kinesisEvent([{}])
  ;(event.Records[0]!.kinesis as { data: unknown }).data = data
  const report = await handler.process(event, lambdaContext())
  return { outcome: report.outcomes[0]!, payload }
}

const b64 = (bytes: number[] | string): string => Buffer.from(bytes as never).toString('base64')
const reasonOf = (o: RecordOutcome): string | undefined => (o.status === 'ok' ? undefined : o.reason.message)

describe('the exact-integer guard of JSON records, at its edges', () => {
  const rounded = (at: number) =>
    `The data has an integer at position ${at} beyond ±(2^53 − 1), which JSON.parse would round. Send it as a string, or use \`decode: 'text'\` and a JSON parser that keeps big integers.`

  it.each([
    ['a bare body of 16 digits', '9007199254740993', 0],
    ['a negative bare body', '-9007199254740993', 0],
    ['in an object', '{"id":9007199254740993}', 6],
    ['after a long exact one', '[9007199254740991,9007199254740993]', 18],
    ['after a string holding a quote', '{"a":"x\\"y","id":9007199254740993}', 17],
    ['after a string ending in an escaped backslash', '{"a":"\\\\","id":12345678901234567}', 15],
    ['too large for a double at all', `[${'1'.repeat(400)}]`, 1],
    ['past position 16 with shorter runs before it', '[1,22,333,4444,55555,9007199254740993]', 21],
    ['starting exactly at position 15', '[1,2,3,4,5,6,7,9007199254740993]', 15],
  ])('fails %s, naming the position', async (_what, text, at) => {
    const { outcome } = await outcomeOf(b64(text))
    expect(outcome).toMatchObject({ status: 'invalid', reason: { kind: 'decode', message: rounded(at) } })
  })

  it.each([
    ['a long decimal', '0.12345678901234567'],
    ['a long fraction after 16 digits', '1234567890123456.7'],
    ['an exponent e', '9007199254740993e0'],
    ['an exponent E', '9007199254740993E0'],
    ['an exponent e+', '9007199254740993e+0'],
    ['an exponent e-', '9007199254740993e-0'],
    ['an exponent of 16 digits after e+', '1e+9007199254740993'],
    ['an exponent of 16 digits after e-', '1e-9007199254740993'],
    ['the largest exact integer', '9007199254740992'],
    ['the smallest exact one', '-9007199254740992'],
    ['16 digits that a double holds', '1000000000000000'],
    ['digits inside a string', '"9007199254740993"'],
    ['digits inside a string with an escaped quote', '"\\"9007199254740993"'],
    ['15 digits, twice', '[123456789012345,123456789012345]'],
  ])('accepts %s', async (_what, text) => {
    const { outcome, payload } = await outcomeOf(b64(text))
    expect(outcome.status).toBe('ok')
    expect(payload).toEqual(JSON.parse(text))
  })

  it("'text' keeps a big integer as text: only JSON parsing is guarded", async () => {
    const { outcome, payload } = await outcomeOf(b64('9007199254740993'), 'text')
    expect(outcome.status).toBe('ok')
    expect(payload).toBe('9007199254740993')
  })
})

describe('the gzip gate: the magic bytes 1f 8b, both of them', () => {
  it.each([
    ['0x1f alone', [0x1f]],
    ['0x1f then another byte', [0x1f, 0x00]],
    ['0x8b first', [0x8b, 0x1f]],
    ['another byte then 0x8b', [0x00, 0x8b]],
  ])('passes %s through untouched', async (_what, bytes) => {
    const { outcome, payload } = await outcomeOf(b64(bytes), 'bytes')
    expect(outcome.status).toBe('ok')
    expect([...(payload as Uint8Array)]).toEqual(bytes)
  })

  it('fails 1f 8b that does not inflate, with the reason', async () => {
    const { outcome } = await outcomeOf(b64([0x1f, 0x8b]), 'bytes')
    expect(reasonOf(outcome)).toMatch(/^The data starts like gzip \(1f 8b\) but does not inflate: .+\.$/)
  })

  it('inflates gzip of one byte', async () => {
    const { outcome, payload } = await outcomeOf(gzipSync(Uint8Array.of(7)).toString('base64'), 'bytes')
    expect(outcome.status).toBe('ok')
    expect([...(payload as Uint8Array)]).toEqual([7])
  })

  it('maxInflatedBytes: exactly the limit inflates, one byte more is refused with a reason that names the option', async () => {
    for (const [size, ok] of [
      [64, true],
      [65, false],
    ] as const) {
      const handler = kinesisHandler({ schema: Any, decode: 'bytes', maxInflatedBytes: 64, allFailed: 'report' }, () => {})
      const report = await handler.process(kinesisEvent([new Uint8Array(size)], { gzip: true }), lambdaContext())
      expect(report.outcomes[0]!.status).toBe(ok ? 'ok' : 'invalid')
      if (!ok) {
        expect(reasonOf(report.outcomes[0]!)).toBe(
          'The data inflates past maxInflatedBytes (64 bytes); it was refused there. Raise `maxInflatedBytes` if records this large are expected.',
        )
      }
    }
  })

  it('maxInflatedBytes must be a whole number from 1 to the largest Buffer', () => {
    for (const ok of [1, 6 * 1024 * 1024]) expect(() => kinesisHandler({ schema: Any, maxInflatedBytes: ok }, () => {})).not.toThrow()
    for (const bad of [0, -1, 1.5, Number.MAX_SAFE_INTEGER, '64', Number.NaN]) {
      expect(() => kinesisHandler({ schema: Any, maxInflatedBytes: bad as number }, () => {})).toThrow(ConfigurationError)
    }
  })
})

describe('strict base64', () => {
  it.each([
    ['base64url _', '_w=='],
    ['base64url -', '-w=='],
    ['a character outside the alphabet', 'AA*A'],
    ['missing padding', 'AAA'],
    ['padding inside', 'A=AA'],
    ['a space', 'AA AA==='],
  ])('refuses %s, saying so without the data', async (_what, data) => {
    const { outcome } = await outcomeOf(data, 'bytes')
    expect(outcome).toMatchObject({
      status: 'invalid',
      reason: {
        kind: 'decode',
        message: `kinesis.data is not valid base64 (${data.length} characters that do not decode cleanly as standard base64).`,
      },
    })
  })

  it.each([
    ['two padding characters', 'MQ==', [0x31]],
    ['one padding character', 'MTI=', [0x31, 0x32]],
    ['no padding', 'MTIz', [0x31, 0x32, 0x33]],
    ['/ and +', '/+8=', [0xff, 0xef]],
    ['nothing', '', []],
  ])('accepts %s', async (_what, data, bytes) => {
    const { outcome, payload } = await outcomeOf(data, 'bytes')
    expect(outcome.status).toBe('ok')
    expect([...(payload as Uint8Array)]).toEqual(bytes)
  })

  it.each([
    [5, 'a number'],
    [null, 'null'],
    [{}, 'an object'],
  ])('a data field that is no string (%j) fails that record, saying what it is', async (data, kind) => {
    const { outcome } = await outcomeOf(data, 'bytes')
    expect(reasonOf(outcome)).toBe(`kinesis.data is not a base64 string (it is ${kind}).`)
  })
})

describe('the KPL gate: only the magic bytes F3 89 9A C2 make an aggregate', () => {
  it.each([
    ['F3 89 9A C3 (the same first five base64 characters)', [0xf3, 0x89, 0x9a, 0xc3, 1, 2]],
    ['F3 89 9A C0', [0xf3, 0x89, 0x9a, 0xc0, 1, 2]],
    ['F3 89 9B C2', [0xf3, 0x89, 0x9b, 0xc2, 1, 2]],
    ['F3 88 9A C2', [0xf3, 0x88, 0x9a, 0xc2, 1, 2]],
    ['F2 89 9A C2', [0xf2, 0x89, 0x9a, 0xc2, 1, 2]],
    ['F3 89 9A (three bytes)', [0xf3, 0x89, 0x9a]],
    ['F3 alone', [0xf3]],
  ])('%s is data, handed over as it is', async (_what, bytes) => {
    const { outcome, payload } = await outcomeOf(b64(bytes), 'bytes')
    expect(outcome.status).toBe('ok')
    expect([...(payload as Uint8Array)]).toEqual(bytes)
  })

  it('a user record whose data is itself an aggregate is data too: aggregates are not split twice', async () => {
    const inner = kplAggregate([{ a: 1 }])
    const innerBytes = [...Buffer.from(kinesisEvent([inner]).Records[0]!.kinesis.data, 'base64')]
    const seen: { bytes: number[]; sub: number | undefined }[] = []
    const handler = kinesisHandler({ schema: Any, decode: 'bytes' }, (bytes, meta) => {
      seen.push({ bytes: [...(bytes as Uint8Array)], sub: meta.subSequenceNumber })
    })
    const report = await handler.process(kinesisEvent([kplAggregate([inner])]), lambdaContext())
    expect(report.outcomes.map((o) => o.status)).toEqual(['ok'])
    expect(innerBytes.slice(0, 4)).toEqual([0xf3, 0x89, 0x9a, 0xc2])
    expect(seen).toEqual([{ bytes: innerBytes, sub: 0 }])
  })
})

describe('a decode function', () => {
  it.each([
    ['a string', () => 'bad', 'The decode function threw a string, not an Error'],
    ['null', () => null, 'The decode function threw null, not an Error'],
    ['an Error', () => new Error('no magic'), 'The decode function threw: no magic'],
    [
      "JSON.parse's error, without its quote of the data",
      () => {
        try {
          JSON.parse('SECRET-4111')
        } catch (e) {
          return e
        }
      },
      'The decode function threw: Unexpected token',
    ],
    [
      'an Error whose message getter throws',
      () =>
        Object.defineProperty(new Error(), 'message', {
          get() {
            throw new Error('no')
          },
        }),
      'The decode function threw a value that cannot be inspected',
    ],
  ])('that throws %s fails the record with what it can say', async (_what, make, message) => {
    const thrown = make()
    const handler = kinesisHandler(
      {
        schema: Any,
        decode: () => {
          throw thrown
        },
        allFailed: 'report',
      },
      () => {},
    )
    const report = await handler.process(kinesisEvent([{}]), lambdaContext())
    expect(report.outcomes[0]).toMatchObject({ status: 'invalid', reason: { kind: 'decode', message } })
    const error = (report.outcomes[0] as { reason: { error?: Error } }).reason.error
    expect(error?.cause).toBe(thrown)
  })

  it('gets the inflated bytes and its value is what the schema checks', async () => {
    let got: unknown
    const handler = kinesisHandler({ schema: z.number(), decode: (bytes) => bytes.length }, (n) => {
      got = n
    })
    await handler.process(kinesisEvent([raw('abcd')], { gzip: true }), lambdaContext())
    expect(got).toBe(4)
  })

  it("'text' fails bytes that are not UTF-8", async () => {
    const { outcome } = await outcomeOf(b64([0xc3, 0x28]), 'text')
    expect(reasonOf(outcome)).toBe('The data is not valid UTF-8 text.')
  })

  it('the decode option is checked when the handler is built', () => {
    for (const bad of ['JSON', 'buffer', 1, null]) {
      expect(() => kinesisHandler({ schema: Any, decode: bad as 'json' }, () => {})).toThrow(ConfigurationError)
    }
    expect(() => kinesisHandler({ schema: Any, eagerMeta: 'yes' as unknown as boolean }, () => {})).toThrow(ConfigurationError)
  })
})

describe("a Kinesis event's checks", () => {
  const check = (change: (event: KinesisStreamEvent) => void) => {
    const event = kinesisEvent([{}, {}])
    change(event)
    return kinesisHandler(Any, () => {}).process(event, lambdaContext())
  }
  const r1 = (event: KinesisStreamEvent) => event.Records[1] as unknown as Record<string, Record<string, unknown> | unknown>
  const k1 = (event: KinesisStreamEvent) => event.Records[1]!.kinesis as unknown as Record<string, unknown>

  it.each([
    [
      'a record of another AWS source, by name',
      (e: KinesisStreamEvent) => (r1(e).eventSource = 'aws:sqs'),
      'kinesisHandler received a record that is not from Kinesis at Records[1] (eventSource "aws:sqs"); is the handler wired to the right event source?',
    ],
    [
      'an eventSource that is not an AWS name, by type only',
      (e: KinesisStreamEvent) => (r1(e).eventSource = 'aws:SECRET value'),
      'kinesisHandler received a record that is not from Kinesis at Records[1] (eventSource is a string); is the handler wired to the right event source?',
    ],
    [
      'a record that is no object',
      (e: KinesisStreamEvent) => ((e.Records as unknown[])[1] = 7),
      'kinesisHandler received a record that is not from Kinesis at Records[1] (a number); is the handler wired to the right event source?',
    ],
    [
      'a record that is null',
      (e: KinesisStreamEvent) => ((e.Records as unknown[])[1] = null),
      'kinesisHandler received a record that is not from Kinesis at Records[1] (null); is the handler wired to the right event source?',
    ],
    [
      'a record without its kinesis field',
      (e: KinesisStreamEvent) => delete r1(e).kinesis,
      'kinesisHandler received a record without a valid kinesis.sequenceNumber at Records[1].',
    ],
    [
      'a sequence number of 130 digits',
      (e: KinesisStreamEvent) => (k1(e).sequenceNumber = '1'.repeat(130)),
      'kinesisHandler received a record without a valid kinesis.sequenceNumber at Records[1].',
    ],
    [
      'a sequence number with a leading zero',
      (e: KinesisStreamEvent) => (k1(e).sequenceNumber = '01'),
      'kinesisHandler received a record without a valid kinesis.sequenceNumber at Records[1].',
    ],
    [
      'an eventID that starts with its colon',
      (e: KinesisStreamEvent) => (r1(e).eventID = ':49590338271490256608559692538361571095921575989136588898'),
      'kinesisHandler received a record without a valid eventID (shardId-…:sequenceNumber) at Records[1].',
    ],
    [
      'an eventID without a colon',
      (e: KinesisStreamEvent) => (r1(e).eventID = 'shardId-000000000000'),
      'kinesisHandler received a record without a valid eventID (shardId-…:sequenceNumber) at Records[1].',
    ],
    [
      'a partition key that is no string',
      (e: KinesisStreamEvent) => (k1(e).partitionKey = 5),
      'kinesisHandler received a record without a kinesis.partitionKey string at Records[1].',
    ],
    [
      'an arrival time that is not finite',
      (e: KinesisStreamEvent) => (k1(e).approximateArrivalTimestamp = Number.POSITIVE_INFINITY),
      'kinesisHandler received a record without a valid kinesis.approximateArrivalTimestamp (epoch seconds) at Records[1].',
    ],
    [
      'an arrival time that is a string',
      (e: KinesisStreamEvent) => (k1(e).approximateArrivalTimestamp = '1545084650.987'),
      'kinesisHandler received a record without a valid kinesis.approximateArrivalTimestamp (epoch seconds) at Records[1].',
    ],
  ])('refuse %s with MalformedEventError', async (_what, change, message) => {
    const error = await check(change).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(MalformedEventError)
    expect((error as Error).message).toBe(message)
  })

  it('a 129-digit sequence number and a one-character shard id are fine', async () => {
    const seen: string[] = []
    const handler = kinesisHandler(Any, (_p, meta) => {
      seen.push(meta.shardId)
    })
    const event = kinesisEvent([{}])
    event.Records[0]!.kinesis.sequenceNumber = '9'.repeat(129)
    event.Records[0]!.eventID = `s:${'9'.repeat(129)}`
    const response = await handler(event, lambdaContext())
    expect(response).toEqual({ batchItemFailures: [] })
    expect(seen).toEqual(['s'])
  })

  it('a record whose fields cannot be read is a MalformedEventError that names it, the getter’s error its cause', async () => {
    const boom = new Error('getter')
    const error = await check((e) =>
      Object.defineProperty(e.Records[1], 'kinesis', {
        get() {
          throw boom
        },
      }),
    ).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(MalformedEventError)
    expect((error as Error).message).toBe('kinesisHandler could not read the record at Records[1]: reading its fields threw.')
    expect((error as Error).cause).toBe(boom)
  })

  it('arrival times keep their millisecond, rounded, lazily and eagerly', async () => {
    for (const eagerMeta of [false, true]) {
      const seen: number[] = []
      const handler = kinesisHandler({ schema: Any, eagerMeta }, (_p, meta) => {
        seen.push(meta.arrivedAt.getTime())
      })
      const event = kinesisEvent([{}, {}])
      event.Records[0]!.kinesis.approximateArrivalTimestamp = 1545084650.987
      event.Records[1]!.kinesis.approximateArrivalTimestamp = 1545084650.9874
      await handler.process(event, lambdaContext())
      expect(seen).toEqual([1545084650987, 1545084650987])
    }
  })

  it('records around an aggregate keep their places, and a batch without one is passed as it came', async () => {
    const seen: unknown[] = []
    const handler = kinesisHandler(Any, (p, meta) => {
      seen.push([p, meta.subSequenceNumber])
    })
    await handler.process(kinesisEvent([1, 2, kplAggregate([3, 4]), 5, 6]), lambdaContext())
    expect(seen).toEqual([
      [1, undefined],
      [2, undefined],
      [3, 0],
      [4, 1],
      [5, undefined],
      [6, undefined],
    ])
  })
})

describe("JSON.parse's reasons: the kind and the position, never the text", () => {
  it.each([
    ['', 'Unexpected end of JSON input'],
    ['{', "Expected property name or '}' in JSON at position 1"],
    ['{"a" 1}', "Expected ':' after property name in JSON at position 5"],
    ['[1 2]', "Expected ',' or ']' after array element in JSON at position 3"],
    ['{"a":1 "b"}', "Expected ',' or '}' after property value in JSON at position 7"],
    ['"abc', 'Unterminated string in JSON at position 4'],
    ['{"a":1,}', 'Expected double-quoted property name in JSON at position 7'],
    ['{"a":1} x', 'Unexpected non-whitespace character after JSON at position 8'],
    ['"\\x"', 'Bad escaped character in JSON at position 2'],
    ['"\u0001"', 'Bad control character in string literal in JSON at position 1'],
    ['"\\u12G4"', 'Bad Unicode escape in JSON at position 5'],
    ['-', 'No number after minus sign in JSON at position 1'],
    ['1e', 'Exponent part is missing a number in JSON at position 2'],
    ['1.', 'Unterminated fractional number in JSON at position 2'],
    ['SECRET', 'Unexpected token'],
    ['[1,]', 'Unexpected token'],
  ])('%j: %s', async (text, reason) => {
    const { outcome } = await outcomeOf(b64(text))
    expect(reasonOf(outcome)).toBe(`The data is not valid JSON: ${reason}.`)
  })

  // The kinds V8 words with a position only; a decode function that throws one (another V8's
  // JSON.parse, or a JSON library that words its errors alike) keeps it as it is.
  it.each([
    'Unexpected end of JSON input',
    'Unexpected number in JSON',
    'Unexpected string in JSON',
    'Unterminated string in JSON',
    "Expected property name or '}' in JSON",
    "Expected ',' or ']' after array element in JSON",
    "Expected ',' or '}' after property value in JSON",
    "Expected ':' after property name in JSON",
    'Expected double-quoted property name in JSON',
    'Unexpected non-whitespace character after JSON',
    'Bad escaped character in JSON',
    'Bad control character in string literal in JSON',
    'Bad Unicode escape in JSON',
    'No number after minus sign in JSON',
    'Exponent part is missing a number in JSON',
    'Unterminated fractional number in JSON',
  ])('a decode function that throws "%s at position 3" keeps it', async (kind) => {
    const handler = kinesisHandler(
      {
        schema: Any,
        decode: () => {
          throw new SyntaxError(`${kind} at position 3`)
        },
        allFailed: 'report',
      },
      () => {},
    )
    const report = await handler.process(kinesisEvent([{}]), lambdaContext())
    expect(reasonOf(report.outcomes[0]!)).toBe(`The decode function threw: ${kind} at position 3`)
  })

  it.each([
    ['another JSON wording with a position', 'Unexpected JSON thing at position 9', 'Unexpected input at position 9'],
    ['a quote of the text, after a position', '"SECRET" at position 2 is not valid JSON', 'Unexpected input'],
    ['a JSON wording without a position', 'Bad JSON: SECRET', 'Unexpected input'],
    [
      "another parser's wording with a position (it may quote the text)",
      "Unexpected character 'S' at position 0",
      'Unexpected input at position 0',
    ],
    ['a message that is not about JSON', 'no magic bytes', 'no magic bytes'],
  ])('a decode function that throws %s', async (_what, message, said) => {
    const handler = kinesisHandler(
      {
        schema: Any,
        decode: () => {
          throw new Error(message)
        },
        allFailed: 'report',
      },
      () => {},
    )
    const report = await handler.process(kinesisEvent([{}]), lambdaContext())
    expect(reasonOf(report.outcomes[0]!)).toBe(`The decode function threw: ${said}`)
  })
})

describe('option and event checks, in their words', () => {
  it("maxInflatedBytes' refusal says the range and the default", () => {
    expect(() => kinesisHandler({ schema: Any, maxInflatedBytes: 0 }, () => {})).toThrow(
      `kinesisHandler: \`maxInflatedBytes\` must be a whole number of bytes from 1 to ${bufferConstants.MAX_LENGTH} (default 6291456, Lambda's payload ceiling); received 0.`,
    )
    expect(() => kinesisHandler({ schema: Any, maxInflatedBytes: bufferConstants.MAX_LENGTH }, () => {})).not.toThrow()
    expect(() => kinesisHandler({ schema: Any, maxInflatedBytes: bufferConstants.MAX_LENGTH + 1 }, () => {})).toThrow(ConfigurationError)
  })

  it('the decode and eagerMeta refusals say what is allowed', () => {
    expect(() => kinesisHandler({ schema: Any, decode: 'x' as 'json' }, () => {})).toThrow(
      "kinesisHandler: `decode` must be 'json', 'text', 'bytes' or a function; received \"x\".",
    )
    expect(() => kinesisHandler({ schema: Any, eagerMeta: 1 as unknown as boolean }, () => {})).toThrow(
      'kinesisHandler: `eagerMeta` must be true or false; received 1.',
    )
    for (const ok of ['json', 'text', 'bytes', () => 1] as const)
      expect(() => kinesisHandler({ schema: Any, decode: ok }, () => {})).not.toThrow()
    for (const ok of [true, false]) expect(() => kinesisHandler({ schema: Any, eagerMeta: ok }, () => {})).not.toThrow()
  })

  const wrongSource = async (eventSource: unknown): Promise<string> => {
    const event = kinesisEvent([{}])
    ;(event.Records[0] as { eventSource: unknown }).eventSource = eventSource
    const error = await kinesisHandler(Any, () => {})
      .process(event, lambdaContext())
      .catch((e: unknown) => e)
    expect(error).toBeInstanceOf(MalformedEventError)
    return /\((.*)\)/.exec((error as Error).message)![1]!
  }

  it.each([
    ['aws:sqs', 'eventSource "aws:sqs"'],
    ['aws:s3.x-1', 'eventSource "aws:s3.x-1"'],
    [`aws:${'a'.repeat(40)}`, `eventSource "aws:${'a'.repeat(40)}"`],
    [`aws:${'a'.repeat(41)}`, 'eventSource is a string'],
    ['aws:', 'eventSource is a string'],
    ['aws:sqs SECRET', 'eventSource is a string'],
    ['x aws:sqs', 'eventSource is a string'],
    ['aws:SQS', 'eventSource is a string'],
    ['AWS:sqs', 'eventSource is a string'],
    [['aws:sqs'], 'eventSource is an array'],
  ])('a record from %j is named by its eventSource only when that is an AWS name: %s', async (eventSource, said) => {
    expect(await wrongSource(eventSource)).toBe(said)
  })

  it.each([
    ['0', true],
    ['7', true],
    ['10', true],
    ['x1', false],
    ['1x', false],
    ['', false],
    ['-1', false],
  ])('sequence number %j is valid: %s', async (sequenceNumber, valid) => {
    const event = kinesisEvent([{}])
    event.Records[0]!.kinesis.sequenceNumber = sequenceNumber
    event.Records[0]!.eventID = `shardId-000000000000:${sequenceNumber}`
    const result = await kinesisHandler(Any, () => {})
      .process(event, lambdaContext())
      .then(
        () => true,
        (e: unknown) => (e instanceof MalformedEventError ? false : e),
      )
    expect(result).toBe(valid)
  })
})

describe("a Kafka key's decoding words its failures as the key's", () => {
  it('a key that is not JSON, under key: json', async () => {
    const handler = kafkaHandler({ schema: Any, key: 'json', allFailed: 'report' }, () => {})
    const report = await handler.process(kafkaEvent([{ a: 1 }], { key: 'SECRET' }), lambdaContext())
    expect(reasonOf(report.outcomes[0]!)).toBe('The key is not valid JSON: Unexpected token.')
  })
})
