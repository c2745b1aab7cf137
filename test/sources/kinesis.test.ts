import { gzipSync } from 'node:zlib'
import { describe, expect, it } from 'vitest'
import * as z from 'zod'
import {
  AllRecordsFailedError,
  ConfigurationError,
  kinesisHandler,
  MalformedEventError,
  silentLogger,
  type RecordOutcome,
} from 'lambda-stream-handlers'
import { kinesisEvent, lambdaContext, raw, sampleEvents } from 'lambda-stream-handlers/testing'
import { memoryLogger } from '../helpers.js'

const Order = z.object({ orderId: z.string(), total: z.number() })
const orders = (n: number) => Array.from({ length: n }, (_, i) => ({ orderId: `o-${i}`, total: i }))
const reasons = (outcomes: readonly RecordOutcome[]) => outcomes.map((o) => (o.status === 'ok' ? 'ok' : `${o.status}:${o.reason.kind}`))

describe('kinesisHandler decoding', () => {
  it('decodes base64 JSON, validates it and passes the typed payload with its meta', async () => {
    const seen: unknown[] = []
    const handler = kinesisHandler(Order, (order, meta) => {
      seen.push({ order, pk: meta.partitionKey, shard: meta.shardId, seq: meta.sequenceNumber, at: meta.arrivedAt.toISOString() })
    })
    const event = kinesisEvent(orders(2), {
      schema: Order,
      shardId: 'shardId-000000000003',
      arrivedAt: new Date('2026-01-02T03:04:05.678Z'),
    })
    expect(await handler(event, lambdaContext())).toEqual({ batchItemFailures: [] })
    expect(seen).toEqual([
      {
        order: { orderId: 'o-0', total: 0 },
        pk: 'pk-0',
        shard: 'shardId-000000000003',
        seq: event.Records[0]!.kinesis.sequenceNumber,
        at: '2026-01-02T03:04:05.678Z',
      },
      {
        order: { orderId: 'o-1', total: 1 },
        pk: 'pk-0',
        shard: 'shardId-000000000003',
        seq: event.Records[1]!.kinesis.sequenceNumber,
        at: '2026-01-02T03:04:05.679Z',
      },
    ])
  })

  it('gives the meta the raw record, the context and the logger', async () => {
    const context = lambdaContext()
    let meta: unknown
    const handler = kinesisHandler({ schema: Order, logger: silentLogger }, (_o, m) => {
      meta = m
    })
    const event = kinesisEvent(orders(1))
    await handler(event, context)
    expect(meta).toMatchObject({ record: event.Records[0], context, logger: silentLogger })
  })

  it('applies schema transforms: the function gets the output type', async () => {
    const Cents = z.object({ total: z.string().transform((s) => Math.round(Number(s) * 100)) })
    const got: number[] = []
    const handler = kinesisHandler(Cents, (p) => void got.push(p.total))
    await handler(kinesisEvent([{ total: '12.34' }], { schema: Cents }))
    expect(got).toEqual([1234])
  })

  it('decodes the AWS sample event as text', async () => {
    const texts: string[] = []
    const handler = kinesisHandler({ schema: z.string(), decode: 'text' }, (text, meta) => {
      texts.push(`${meta.shardId} ${meta.arrivedAt.toISOString()} ${text}`)
    })
    expect(await handler(sampleEvents.kinesis())).toEqual({ batchItemFailures: [] })
    expect(texts).toEqual([
      'shardId-000000000006 2018-12-17T22:10:50.987Z Hello, this is a test.',
      'shardId-000000000006 2018-12-17T22:11:51.166Z This is only a test.',
    ])
  })

  it('inflates gzip data recognised by its magic bytes, in every mode', async () => {
    const got: unknown[] = []
    const json = kinesisHandler(Order, (o) => void got.push(o))
    await json(kinesisEvent(orders(1), { gzip: true }))
    const text = kinesisHandler({ schema: z.string(), decode: 'text' }, (t) => void got.push(t))
    await text(kinesisEvent([raw(gzipSync('hello'))]))
    expect(got).toEqual([{ orderId: 'o-0', total: 0 }, 'hello'])
  })

  it("hands 'bytes' and decode functions the (inflated) bytes", async () => {
    const got: unknown[] = []
    const bytes = kinesisHandler({ schema: z.instanceof(Uint8Array), decode: 'bytes' }, (b) => void got.push([...b]))
    await bytes(kinesisEvent([new Uint8Array([0, 255, 7])]))
    const custom = kinesisHandler({ schema: z.number(), decode: (b) => b.length }, (n) => void got.push(n))
    await custom(kinesisEvent([new Uint8Array(5)]))
    expect(got).toEqual([[0, 255, 7], 5])
  })

  it('fails, with a reason and without the payload, records with bad base64, bad UTF-8, bad JSON, bad gzip or a schema mismatch', async () => {
    const logger = memoryLogger()
    const handler = kinesisHandler({ schema: Order, logger }, () => {})
    const event = kinesisEvent(
      [
        { orderId: 'ok', total: 1 },
        raw('{"secret": "s3cr3t" oops'),
        raw(new Uint8Array([0xff, 0xfe])),
        { orderId: 'x', total: 'NaN' },
        raw(new Uint8Array([0x1f, 0x8b, 1, 2])),
      ],
      {
        partitionKey: (_p, i) => `k${i}`,
      },
    )
    event.Records.push({
      ...event.Records[0]!,
      kinesis: { ...event.Records[0]!.kinesis, data: 'not base64!!', sequenceNumber: '9'.repeat(57) },
    })
    const report = await handler.process(event)
    const byKind = report.outcomes.map((o) =>
      o.status === 'invalid' ? `${o.reason.kind}${o.reason.path ? `@${o.reason.path}` : ''}: ${o.reason.message}` : o.status,
    )
    expect(byKind[0]).toBe('ok')
    expect(byKind[1]).toMatch(/^decode: The data is not valid JSON/)
    expect(byKind[2]).toBe('skipped') // in order: the first failure stops the batch
    const unordered = kinesisHandler({ schema: Order, logger, ordering: 'unordered' }, () => {})
    const all = (await unordered.process(event)).outcomes.map((o) =>
      o.status === 'invalid' ? `${o.reason.kind}${o.reason.path ? `@${o.reason.path}` : ''}: ${o.reason.message}` : o.status,
    )
    expect(all).toEqual([
      'ok',
      expect.stringMatching(/^decode: The data is not valid JSON: Expected ',' or '}' after property value/),
      'decode: The data is not valid UTF-8 text.',
      'validation@total: The record does not match the schema at total: Invalid input: expected number, received string',
      expect.stringMatching(/^decode: The data starts like gzip \(1f 8b\) but does not inflate/),
      'decode: kinesis.data is not valid base64 (12 characters that do not decode cleanly as standard base64).',
    ])
    const logged = JSON.stringify(logger.lines)
    expect(logged).not.toContain('s3cr3t')
    expect(logged).toContain('"path":"total"')
    expect(logger.lines.filter((l) => l.level === 'warn').length).toBeGreaterThanOrEqual(5)
  })

  it('fails a record whose data is missing instead of the batch', async () => {
    const event = kinesisEvent(orders(2))
    delete (event.Records[1]!.kinesis as { data?: string }).data
    const handler = kinesisHandler({ schema: Order, logger: silentLogger }, () => {})
    expect(await handler(event)).toEqual({ batchItemFailures: [{ itemIdentifier: event.Records[1]!.kinesis.sequenceNumber }] })
  })
})

describe('kinesisHandler: malformed events and options', () => {
  const handler = kinesisHandler({ schema: Order, logger: silentLogger }, () => {})

  it.each([
    [undefined, /expected an event with a `Records` array; received undefined/],
    [{ records: [] }, /received an object with keys: records/],
    [{ Records: 'x' }, /received an object with keys: Records/],
  ])('throws MalformedEventError for %j', async (event, message) => {
    await expect(handler(event as never)).rejects.toThrow(MalformedEventError)
    await expect(handler(event as never)).rejects.toThrow(message)
  })

  it('throws MalformedEventError for a record of another source, naming it', async () => {
    const event = { Records: [{ eventSource: 'aws:sqs', messageId: 'm1', body: '{}' }] }
    await expect(handler(event as never)).rejects.toThrow(/record that is not from Kinesis at Records\[0\] \(eventSource "aws:sqs"\)/)
  })

  it.each([
    ['129 digits', '9'.repeat(129), true],
    ['0', '0', true],
    ['130 digits', '9'.repeat(130), false],
    ['a leading zero', `0${'1'.repeat(55)}`, false],
    ['a sign', '-1', false],
    ['a space', '1 ', false],
    ['empty', '', false],
  ])('a sequence number of %s is %s', async (_what, sequenceNumber, valid) => {
    const event = kinesisEvent(orders(1))
    event.Records[0]!.kinesis.sequenceNumber = sequenceNumber
    const run = handler(event)
    if (valid) await expect(run).resolves.toEqual({ batchItemFailures: [] })
    else await expect(run).rejects.toThrow(/without a valid kinesis.sequenceNumber at Records\[0\]/)
  })

  it('throws MalformedEventError for a record it could not report (no sequence number)', async () => {
    const event = kinesisEvent(orders(1))
    ;(event.Records[0]!.kinesis as { sequenceNumber: unknown }).sequenceNumber = 12
    await expect(handler(event)).rejects.toThrow(/without a valid kinesis.sequenceNumber at Records\[0\]/)
  })

  it('accepts an empty batch', async () => {
    expect(await handler({ Records: [] })).toEqual({ batchItemFailures: [] })
  })

  it.each([
    [{ schema: Order, concurrency: 0, ordering: 'per-key' }, /`concurrency` must be a whole number from 1 to 1000; received 0/],
    [{ schema: Order, concurrency: 4 }, /`concurrency` needs `ordering: 'per-key'` or `'unordered'`/],
    [{ schema: Order, decode: 'yaml' }, /`decode` must be 'json', 'text', 'bytes' or a function; received "yaml"/],
    [{ schema: Order, ordering: 'sorted' }, /`ordering` must be 'in-order', 'per-key' or 'unordered'/],
    [{ schema: Order, onInvalid: 'drop' }, /`onInvalid` must be 'fail', 'skip' or a function/],
    [{ schema: Order, allFailed: false }, /`allFailed` must be 'throw' or 'report'/],
    [{ schema: Order, deadlineMarginMs: -5 }, /`deadlineMarginMs` must be a number of milliseconds/],
    [
      { schema: Order, logger: {} },
      /`logger` must be an object with debug, info, warn and error methods \(a Powertools Logger or console\); received an object with keys: \(none\)\./,
    ],
    [{ schema: Order, concurency: 4 }, /unknown option `concurency`/],
    [{ schema: { parse: () => 1 } }, /`schema` must be a Standard Schema validator/],
    [{}, /`schema` must be a Standard Schema validator .* received undefined/],
    [undefined, /expected a schema or an options object with a `schema`; received undefined/],
  ])('refuses bad options when the handler is built: %j', (options, message) => {
    const build = () => kinesisHandler(options as never, () => {})
    expect(build).toThrow(ConfigurationError)
    expect(build).toThrow(message)
  })

  it('refuses a builder step that is not a function', () => {
    expect(() => kinesisHandler(Order).use('x' as never)).toThrow(/use\(\) takes a middleware function/)
    expect(() => kinesisHandler(Order).handle(undefined as never)).toThrow(/handle\(\) takes the record function/)
  })
})

describe('kinesisHandler: failures and the response', () => {
  it('normalises a thrown non-Error into an Error that says what was thrown', async () => {
    const handler = kinesisHandler({ schema: Order, logger: silentLogger, allFailed: 'report' }, (o) => {
      if (o.total === 0) throw undefined
      if (o.total === 1) throw { code: 42 }
      throw 'plain'
    })
    const report = await handler.process(kinesisEvent(orders(3)), undefined)
    expect(report.outcomes[0]).toMatchObject({
      status: 'failed',
      reason: { kind: 'handler', message: 'A non-Error value was thrown: undefined. Throw an Error to say why.' },
    })
    expect(report.outcomes[0]!.status === 'failed' && report.outcomes[0]!.reason.error).toBeInstanceOf(Error)
    const unordered = kinesisHandler({ schema: Order, logger: silentLogger, ordering: 'unordered' }, (o) => {
      if (o.total === 1) throw { code: 42 }
      if (o.total === 2) throw 'plain'
    })
    expect(reasons((await unordered.process(kinesisEvent(orders(3)))).outcomes)).toEqual(['ok', 'failed:handler', 'failed:handler'])
    const messages = (await unordered.process(kinesisEvent(orders(3)))).outcomes.map((o) => (o.status === 'failed' ? o.reason.message : ''))
    // A thrown object is often a payload or a response: the reason says what kind of value it was, never its contents.
    expect(messages).toEqual([
      '',
      'A non-Error value was thrown: an object. Throw an Error to say why.',
      'A non-Error value was thrown: plain',
    ])
  })

  it('throws AllRecordsFailedError, carrying every reason, when every record failed', async () => {
    const handler = kinesisHandler({ schema: Order, logger: silentLogger, ordering: 'unordered' }, (o) => {
      throw new Error(`boom ${o.orderId}`)
    })
    const error = await handler(kinesisEvent(orders(3))).catch((e: unknown) => e)
    expect(error).toMatchObject({ name: 'AllRecordsFailedError' })
    expect(error).toBeInstanceOf(AllRecordsFailedError)
    const e = error as { recordErrors: Error[]; outcomes: RecordOutcome[]; message: string }
    expect(e.recordErrors.map((r) => r.message)).toEqual(['boom o-0', 'boom o-1', 'boom o-2'])
    expect(e.outcomes).toHaveLength(3)
    expect(e.message).toMatch(/All 3 records of the batch failed.*First: record \d+ failed \(handler\): boom o-0/)
  })

  it('in order, a failing first record fails the batch (the rest unstarted) and throws, so bisect can isolate it', async () => {
    let calls = 0
    const handler = kinesisHandler({ schema: Order, logger: silentLogger }, () => {
      calls++
      throw new Error('poison')
    })
    await expect(handler(kinesisEvent(orders(4)))).rejects.toThrow(/All 4 records of the batch failed.*poison/)
    expect(calls).toBe(1)
  })

  it("reports every record instead of throwing with allFailed: 'report'", async () => {
    const handler = kinesisHandler({ schema: Order, logger: silentLogger, allFailed: 'report' }, () => {
      throw new Error('no')
    })
    const event = kinesisEvent(orders(2))
    expect(await handler(event)).toEqual({ batchItemFailures: event.Records.map((r) => ({ itemIdentifier: r.kinesis.sequenceNumber })) })
  })

  it("skips invalid records with onInvalid: 'skip', logging and counting them", async () => {
    const logger = memoryLogger()
    const handler = kinesisHandler({ schema: Order, logger, onInvalid: 'skip' }, () => {})
    const report = await handler.process(kinesisEvent([{ orderId: 'a', total: 1 }, raw('nope'), { orderId: 'b', total: 2 }]))
    expect(report.batchItemFailures).toEqual([])
    expect(report.outcomes.map((o) => o.status)).toEqual(['ok', 'invalid', 'ok'])
    expect(report.outcomes[1]).toMatchObject({ handled: true, reason: { kind: 'decode' } })
    expect(logger.lines.filter((l) => l.level !== 'info')).toEqual([
      expect.objectContaining({ level: 'warn', message: expect.stringMatching(/skipped \(onInvalid: 'skip'\)/) }),
    ])
  })

  it('hands invalid records to an onInvalid function; a throwing one leaves the record reported', async () => {
    const stash: string[] = []
    const event = kinesisEvent([raw('bad-1'), { orderId: 'ok', total: 1 }, raw('bad-2')])
    const handler = kinesisHandler(
      {
        schema: Order,
        logger: silentLogger,
        ordering: 'unordered',
        onInvalid: async ({ id, reason }) => void stash.push(`${id}:${reason.kind}`),
      },
      () => {},
    )
    expect(await handler(event)).toEqual({ batchItemFailures: [] })
    expect(stash).toEqual([`${event.Records[0]!.kinesis.sequenceNumber}:decode`, `${event.Records[2]!.kinesis.sequenceNumber}:decode`])
    const failing = kinesisHandler(
      {
        schema: Order,
        logger: silentLogger,
        ordering: 'unordered',
        onInvalid: () => {
          throw new Error('dlq down')
        },
      },
      () => {},
    )
    const report = await failing.process(event)
    expect(report.batchItemFailures.map((f) => f.itemIdentifier)).toEqual([
      event.Records[0]!.kinesis.sequenceNumber,
      event.Records[2]!.kinesis.sequenceNumber,
    ])
    expect(report.outcomes[0]).toMatchObject({
      status: 'invalid',
      handled: false,
      reason: { message: expect.stringMatching(/onInvalid function then threw: dlq down/) },
    })
  })
})

describe('kinesisHandler: the deadline', () => {
  it('stops starting records under the margin and reports the unstarted ones, logged once', async () => {
    let now = 0
    const context = lambdaContext({ timeoutMs: 3000, now: () => now })
    const logger = memoryLogger()
    const started: number[] = []
    const handler = kinesisHandler({ schema: Order, logger, deadlineMarginMs: 1000 }, (o) => {
      started.push(o.total)
      now += 600 // each record takes 600 ms
    })
    const event = kinesisEvent(orders(6))
    const report = await handler.process(event, context)
    // 0 ms, 600, 1200, 1800 left >= 1000 ... at 2400 only 600 ms remain
    expect(started).toEqual([0, 1, 2, 3])
    expect(reasons(report.outcomes)).toEqual(['ok', 'ok', 'ok', 'ok', 'skipped:deadline', 'skipped:deadline'])
    expect(report.batchItemFailures.map((f) => f.itemIdentifier)).toEqual(event.Records.slice(4).map((r) => r.kinesis.sequenceNumber))
    expect(logger.lines.filter((l) => l.level !== 'info' && /deadline|Lambda's time/.test(l.message))).toHaveLength(1)
  })

  it('runs everything without a context, or with the margin off', async () => {
    let now = 0
    const handler = kinesisHandler({ schema: Order, deadlineMarginMs: 0 }, () => void (now += 10_000))
    expect(await handler(kinesisEvent(orders(3)), lambdaContext({ timeoutMs: 1000, now: () => now }))).toEqual({ batchItemFailures: [] })
  })
})
