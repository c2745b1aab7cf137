import avro from 'avsc'
import { describe, expect, it } from 'vitest'
import * as z from 'zod'
import {
  compileFilter,
  ConfigurationError,
  InvalidFilterPatternError,
  kafkaFilter,
  kafkaHandler,
  logContext,
  MalformedEventError,
  type KafkaEvent,
  type KafkaMeta,
  type RecordOutcome,
} from 'lambda-stream-handlers'
import { idempotent, InMemoryPersistenceStore } from 'lambda-stream-handlers/idempotency'
import { kafkaEvent, lambdaContext, raw, sampleEvents } from 'lambda-stream-handlers/testing'
import { memoryLogger } from '../helpers.js'

const Order = z.object({ orderId: z.string(), total: z.number() })
const orders = (n: number, from = 0) => Array.from({ length: n }, (_, i) => ({ orderId: `o-${from + i}`, total: from + i }))
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))
const statuses = (outcomes: readonly RecordOutcome[]) => outcomes.map((o) => `${o.id} ${o.status}`)

describe('kafkaHandler: AWS sample events', () => {
  it('reads the MSK sample from the Developer Guide: text value, a key that is bytes, a header', async () => {
    const seen: KafkaMeta<Uint8Array>[] = []
    const values: unknown[] = []
    const handler = kafkaHandler({ schema: z.string(), decode: 'text', key: 'bytes' }, (value, meta) => {
      values.push(value)
      seen.push(meta)
    })
    expect(await handler(sampleEvents.kafka(), lambdaContext())).toEqual({ batchItemFailures: [] })
    expect(values).toEqual(['Hello, this is a test.'])
    const meta = seen[0] as KafkaMeta<Uint8Array>
    expect(meta).toMatchObject({
      topic: 'mytopic',
      partition: 0,
      topicPartition: 'mytopic-0',
      offset: 15,
      timestamp: new Date(1545084650987),
      timestampType: 'CREATE_TIME',
      tombstone: false,
      schemaId: undefined,
      schemaMetadata: { key: undefined, value: undefined },
    })
    // The sample's key is 22 bytes that are not UTF-8 (its base64 is not even canonical: the last 4 sets unused bits).
    expect([...(meta.key as Uint8Array)]).toEqual([...Buffer.from('abcDEFghiJKLmnoPQRstuVWXyz1234==', 'base64')])
    expect((meta.key as Uint8Array).length).toBe(22)
    expect(meta.headers).toEqual([{ key: 'headerKey', value: 'headerValue', bytes: Uint8Array.from(Buffer.from('headerValue')) }])
  })

  it("fails the sample's record by default, with a reason that says how to read a key that is not text", async () => {
    const handler = kafkaHandler({ schema: z.string(), decode: 'text', allFailed: 'report' }, () => {})
    const report = await handler.process(sampleEvents.kafka())
    expect(report.batchItemFailures).toEqual([{ itemIdentifier: { partition: 'mytopic-0', offset: 15 } }])
    const o = report.outcomes[0] as RecordOutcome & { status: 'invalid' }
    expect(o.status).toBe('invalid')
    expect(o.reason.message).toBe("The key is not valid UTF-8 text. Read it with `key: 'bytes'` or a function of its bytes.")
  })

  it('reads the self-managed sample the same way (no eventSourceArn)', async () => {
    const seen: string[] = []
    const handler = kafkaHandler({ schema: z.string(), decode: 'text', key: 'bytes' }, (value, meta) => {
      seen.push(`${meta.topicPartition}:${meta.offset} ${value}`)
    })
    const event = sampleEvents.selfManagedKafka()
    expect('eventSourceArn' in event).toBe(false)
    expect(await handler(event)).toEqual({ batchItemFailures: [] })
    expect(seen).toEqual(['mytopic-0:15 Hello, this is a test.'])
  })
})

describe('kafkaHandler: values, keys, headers', () => {
  it('decodes JSON values by default, checks them with the schema and decodes the key as text', async () => {
    const seen: unknown[] = []
    const handler = kafkaHandler(Order, (order, meta) => {
      seen.push([order, meta.key, meta.offset])
    })
    const event = kafkaEvent(orders(2), { schema: Order, key: (o) => o.orderId, firstOffset: 40 })
    expect(await handler(event)).toEqual({ batchItemFailures: [] })
    expect(seen).toEqual([
      [{ orderId: 'o-0', total: 0 }, 'o-0', 40],
      [{ orderId: 'o-1', total: 1 }, 'o-1', 41],
    ])
  })

  it('keeps repeated header keys in order, gives text and bytes, and leaves binary headers as bytes', async () => {
    let headers: KafkaMeta['headers'] = []
    const handler = kafkaHandler(Order, (_order, meta) => {
      headers = meta.headers
    })
    const binary = Uint8Array.of(0xff, 0xfe, 0x00)
    const event = kafkaEvent(orders(1), {
      headers: [
        ['trace', 'a'],
        ['trace', 'b'],
        ['span', binary],
      ],
    })
    await handler(event)
    expect(headers.map((h) => [h.key, h.value])).toEqual([
      ['trace', 'a'],
      ['trace', 'b'],
      ['span', undefined],
    ])
    expect([...(headers[2]?.bytes ?? [])]).toEqual([0xff, 0xfe, 0x00])
  })

  it('fails a record whose header is not bytes, naming the header, never its contents', async () => {
    const handler = kafkaHandler({ schema: Order, allFailed: 'report' }, () => {})
    const event = kafkaEvent(orders(2), { firstOffset: 0 }) as unknown as { records: Record<string, { headers: unknown }[]> }
    ;(event.records['test-topic-0'] as { headers: unknown }[])[1] = {
      ...(event.records['test-topic-0'] as object[])[1],
      headers: [{ secret: [104, 300] }],
    }
    const report = await handler.process(event as unknown as KafkaEvent)
    expect(report.outcomes[1]).toMatchObject({
      status: 'invalid',
      reason: { kind: 'decode', message: 'headers[0] has a value whose element 1 is not a byte value (a whole number from 0 to 255).' },
    })
    expect(report.batchItemFailures).toEqual([{ itemIdentifier: { partition: 'test-topic-0', offset: 1 } }])
  })

  it("decodes a key as JSON, as bytes or with the user's function, and types meta.key by the option", async () => {
    const keys: unknown[] = []
    const json = kafkaHandler({ schema: Order, key: 'json' }, (_o, meta) => {
      keys.push(meta.key)
    })
    await json(kafkaEvent(orders(1), { key: '{"id":7}' }))
    const fn = kafkaHandler({ schema: Order, key: (bytes: Uint8Array) => bytes.length }, (_o, meta) => {
      keys.push(meta.key)
    })
    await fn(kafkaEvent(orders(1), { key: 'abc' }))
    const none = kafkaHandler(Order, (_o, meta) => {
      keys.push(meta.key)
    })
    await none(kafkaEvent(orders(1)))
    expect(keys).toEqual([{ id: 7 }, 3, undefined])
  })

  it('fails a value with an integer JSON would round, as the other sources do', async () => {
    const handler = kafkaHandler({ schema: z.object({ id: z.number() }), allFailed: 'report' }, () => {})
    const report = await handler.process(kafkaEvent([raw('{"id":9007199254740993}')]))
    expect(report.outcomes[0]).toMatchObject({ status: 'invalid', reason: { kind: 'decode' } })
    expect((report.outcomes[0] as { reason: { message: string } }).reason.message).toMatch(/beyond ±\(2\^53 − 1\)/)
  })

  it('inflates gzip values and refuses one that inflates past maxInflatedBytes', async () => {
    const seen: unknown[] = []
    const ok = kafkaHandler(Order, (o) => {
      seen.push(o)
    })
    await ok(kafkaEvent(orders(1), { gzip: true }))
    expect(seen).toEqual(orders(1))
    const small = kafkaHandler({ schema: z.string(), decode: 'text', maxInflatedBytes: 10, allFailed: 'report' }, () => {})
    const report = await small.process(kafkaEvent([raw('x'.repeat(1000))], { gzip: true }))
    expect((report.outcomes[0] as { reason: { message: string } }).reason.message).toMatch(/maxInflatedBytes \(10 bytes\)/)
  })

  it('takes a value Lambda already parsed (schema registry, EventRecordFormat JSON)', async () => {
    const seen: unknown[] = []
    const handler = kafkaHandler(Order, (o, meta) => {
      seen.push([o, meta.schemaMetadata.value])
    })
    const event = kafkaEvent(orders(1), { valueSchemaMetadata: { dataFormat: 'JSON', schemaId: '42' } }) as unknown as {
      records: Record<string, { value: unknown }[]>
    }
    ;(event.records['test-topic-0'] as { value: unknown }[])[0] = {
      ...(event.records['test-topic-0'] as object[])[0],
      value: { orderId: 'p', total: 1 },
    }
    expect(await handler(event as unknown as KafkaEvent)).toEqual({ batchItemFailures: [] })
    expect(seen).toEqual([
      [
        { orderId: 'p', total: 1 },
        { dataFormat: 'JSON', schemaId: '42' },
      ],
    ])
  })
})

describe('kafkaHandler: Avro and the Confluent wire format', () => {
  const type = avro.Type.forSchema({
    type: 'record',
    name: 'Order',
    fields: [
      { name: 'orderId', type: 'string' },
      { name: 'total', type: 'double' },
    ],
  })
  const decode = (bytes: Uint8Array): unknown => type.fromBuffer(Buffer.from(bytes))

  it('decodes Avro values with avsc, strips the Confluent header and gives the schema id', async () => {
    const seen: unknown[] = []
    const handler = kafkaHandler({ schema: Order, decode, wireFormat: 'confluent' }, (order, meta) => {
      seen.push([order, meta.schemaId])
    })
    const values = orders(2).map((o) => type.toBuffer(o))
    const event = kafkaEvent(values, { schemaId: 101, valueSchemaMetadata: { dataFormat: 'AVRO', schemaId: '101' } })
    expect(await handler(event)).toEqual({ batchItemFailures: [] })
    expect(seen).toEqual([
      [{ orderId: 'o-0', total: 0 }, 101],
      [{ orderId: 'o-1', total: 1 }, 101],
    ])
  })

  it('decodes plain Avro (EventRecordFormat SOURCE strips the header) and fails a record Avro cannot read', async () => {
    const handler = kafkaHandler({ schema: Order, decode, allFailed: 'report' }, () => {})
    const event = kafkaEvent([type.toBuffer({ orderId: 'a', total: 1 }), Uint8Array.of(9)])
    const report = await handler.process(event)
    expect(report.outcomes.map((o) => o.status)).toEqual(['ok', 'invalid'])
    expect((report.outcomes[1] as { reason: { message: string } }).reason.message).toMatch(/^The decode function threw: /)
  })

  it("requires the header under wireFormat 'confluent', and recognises it on JSON values by itself", async () => {
    const strict = kafkaHandler({ schema: Order, decode, wireFormat: 'confluent', allFailed: 'report' }, () => {})
    const report = await strict.process(kafkaEvent([type.toBuffer({ orderId: 'a', total: 1 })]))
    expect((report.outcomes[0] as { reason: { message: string } }).reason.message).toMatch(/not in the Confluent wire format/)
    const ids: unknown[] = []
    const json = kafkaHandler(Order, (_o, meta) => {
      ids.push(meta.schemaId)
    })
    expect(await json(kafkaEvent(orders(1), { schemaId: 7 }))).toEqual({ batchItemFailures: [] })
    expect(ids).toEqual([7])
  })
})

describe('kafkaHandler: tombstones', () => {
  it('passes a tombstone to the record function as null, never to the schema, and says so in meta', async () => {
    const seen: unknown[] = []
    const handler = kafkaHandler(Order, (order, meta) => {
      seen.push([order, meta.tombstone, meta.key])
    })
    expect(await handler(kafkaEvent([orders(1)[0] as object, null], { key: 'k' }))).toEqual({ batchItemFailures: [] })
    expect(seen).toEqual([
      [{ orderId: 'o-0', total: 0 }, false, 'k'],
      [null, true, 'k'],
    ])
  })

  it("hands tombstones to the schema under tombstones: 'schema' (a nullable schema accepts, another refuses)", async () => {
    const seen: unknown[] = []
    const nullable = kafkaHandler({ schema: Order.nullable(), tombstones: 'schema' }, (o) => {
      seen.push(o)
    })
    expect(await nullable(kafkaEvent([null]))).toEqual({ batchItemFailures: [] })
    expect(seen).toEqual([null])
    const strict = kafkaHandler({ schema: Order, tombstones: 'schema', allFailed: 'report' }, () => {})
    const report = await strict.process(kafkaEvent([null]))
    expect(report.outcomes[0]).toMatchObject({ status: 'invalid', reason: { kind: 'validation' } })
  })
})

describe('kafkaHandler: partitions, ordering and the response', () => {
  it('reports an object identifier, and a failure stops only the rest of its own partition', async () => {
    const ran: string[] = []
    const handler = kafkaHandler(Order, async (order, meta) => {
      await sleep(1)
      if (order?.orderId === 'o-1') throw new Error('poison')
      ran.push(`${meta.topicPartition}:${meta.offset}`)
    })
    const event = kafkaEvent(orders(6), { partition: (_o, i) => i % 2, firstOffset: 0 })
    // Partition 1 holds o-1 (offset 0), o-3 (offset 1), o-5 (offset 2); partition 0 holds the even ones.
    const report = await handler.process(event)
    expect(ran.sort()).toEqual(['test-topic-0:0', 'test-topic-0:1', 'test-topic-0:2'])
    expect(report.batchItemFailures).toEqual([
      { itemIdentifier: { partition: 'test-topic-1', offset: 0 } },
      { itemIdentifier: { partition: 'test-topic-1', offset: 1 } },
      { itemIdentifier: { partition: 'test-topic-1', offset: 2 } },
    ])
    expect(statuses(report.outcomes)).toEqual([
      'test-topic-0:0 ok',
      'test-topic-0:1 ok',
      'test-topic-0:2 ok',
      'test-topic-1:0 failed',
      'test-topic-1:1 skipped',
      'test-topic-1:2 skipped',
    ])
    // The lowest failed offset of the partition comes first; the JSON Lambda reads has objects.
    expect(JSON.parse(JSON.stringify(await handler(event)))).toEqual({
      batchItemFailures: [
        { itemIdentifier: { partition: 'test-topic-1', offset: 0 } },
        { itemIdentifier: { partition: 'test-topic-1', offset: 1 } },
        { itemIdentifier: { partition: 'test-topic-1', offset: 2 } },
      ],
    })
  })

  it('runs partitions concurrently, bounded by concurrency, and each partition in offset order', async () => {
    let running = 0
    let most = 0
    const order: Record<string, number[]> = {}
    const handler = kafkaHandler({ schema: Order, concurrency: 3 }, async (_o, meta) => {
      running++
      most = Math.max(most, running)
      await sleep(2)
      ;(order[meta.topicPartition] ??= []).push(meta.offset)
      running--
    })
    await handler(kafkaEvent(orders(40), { partition: (_o, i) => i % 8, firstOffset: 0 }))
    expect(most).toBe(3)
    expect(Object.keys(order)).toHaveLength(8)
    for (const offsets of Object.values(order)) expect(offsets).toEqual([0, 1, 2, 3, 4])
  })

  it('keeps topics apart: two topics with the same partition number are two partitions', async () => {
    const handler = kafkaHandler({ schema: Order, allFailed: 'report' }, (o) => {
      if (o?.orderId === 'o-0') throw new Error('x')
    })
    const report = await handler.process(kafkaEvent(orders(4), { topic: (_o, i) => (i < 2 ? 'a' : 'b'), firstOffset: 0 }))
    expect(report.batchItemFailures).toEqual([
      { itemIdentifier: { partition: 'a-0', offset: 0 } },
      { itemIdentifier: { partition: 'a-0', offset: 1 } },
    ])
  })

  it('throws when every record failed, so that retries and bisect apply', async () => {
    const handler = kafkaHandler(Order, () => {
      throw new Error('down')
    })
    await expect(handler(kafkaEvent(orders(2), { firstOffset: 0 }))).rejects.toThrow(
      /^All 2 records of the batch failed.*First: record test-topic-0:0 failed/,
    )
  })

  it('stops starting records near the deadline and reports them with their partition and offset', async () => {
    // 500 ms left: the margin is at most half of it (250 ms), and the first record always starts.
    let now = 0
    const handler = kafkaHandler({ schema: Order, deadlineMarginMs: 1000, allFailed: 'report' }, () => void (now += 300))
    const report = await handler.process(kafkaEvent(orders(3), { firstOffset: 0 }), lambdaContext({ timeoutMs: 500, now: () => now }))
    expect(report.batchItemFailures).toEqual([
      { itemIdentifier: { partition: 'test-topic-0', offset: 1 } },
      { itemIdentifier: { partition: 'test-topic-0', offset: 2 } },
    ])
  })
})

describe('kafkaHandler: malformed events and options', () => {
  const handler = kafkaHandler(Order, () => {})

  it.each([
    ['another source', { eventSource: 'aws:sqs', records: {} }, /it has eventSource "aws:sqs"/],
    ['records that are not an object', { eventSource: 'aws:kafka', records: [] }, /`records` to be an object/],
    ['a partition that is not an array', { eventSource: 'aws:kafka', records: { 't-0': {} } }, /expected an array of records/],
    [
      'an offset beyond 2^53',
      {
        eventSource: 'aws:kafka',
        records: {
          't-0': [{ topic: 't', partition: 0, offset: 2 ** 53, timestamp: 1, timestampType: 'CREATE_TIME', value: null, headers: [] }],
        },
      },
      /cannot be reported exactly/,
    ],
    [
      'a record filed under another partition',
      {
        eventSource: 'aws:kafka',
        records: { 't-1': [{ topic: 't', partition: 0, offset: 1, timestamp: 1, timestampType: 'CREATE_TIME', value: null, headers: [] }] },
      },
      /a record of t-0 under the key of another partition at records\["t-1"\]\[0\]/,
    ],
    [
      'a partition given as text',
      {
        eventSource: 'aws:kafka',
        records: {
          't-0': [{ topic: 't', partition: '0', offset: 1, timestamp: 1, timestampType: 'CREATE_TIME', value: null, headers: [] }],
        },
      },
      /partition is not a whole number/,
    ],
  ])('refuses %s with a MalformedEventError', async (_name, event, message) => {
    await expect(handler(event as unknown as KafkaEvent)).rejects.toThrow(MalformedEventError)
    await expect(handler(event as unknown as KafkaEvent)).rejects.toThrow(message)
  })

  it('refuses a record whose fields throw when read, without quoting them', async () => {
    const hostile = {
      eventSource: 'aws:kafka',
      records: {
        't-0': [
          new Proxy(
            {},
            {
              get() {
                throw new Error('SECRET')
              },
            },
          ),
        ],
      },
    }
    const error = await handler(hostile as unknown as KafkaEvent).catch((e: Error) => e)
    expect(error).toBeInstanceOf(MalformedEventError)
    expect((error as Error).message).not.toMatch(/SECRET/)
  })

  it('checks its options when the handler is built', () => {
    expect(() => kafkaHandler({ schema: Order, tombstones: 'drop' as 'pass' }, () => {})).toThrow(ConfigurationError)
    expect(() => kafkaHandler({ schema: Order, wireFormat: 'avro' as 'plain' }, () => {})).toThrow(
      "kafkaHandler: `wireFormat` must be 'auto', 'confluent' or 'plain'; received \"avro\".",
    )
    expect(() => kafkaHandler({ schema: Order, key: 'base64' as 'text' }, () => {})).toThrow(/`key` must be/)
    expect(() => kafkaHandler({ schema: Order, tombstone: 'pass' } as never, () => {})).toThrow(/Did you mean `tombstones`/)
  })
})

describe('kafkaHandler: middleware', () => {
  it('idempotent() keys a record by <topic>-<partition>:<offset> by default, and logContext adds the partition and offset', async () => {
    const store = new InMemoryPersistenceStore()
    const logger = memoryLogger()
    let runs = 0
    const handler = kafkaHandler({ schema: Order, logger })
      .use(logContext())
      .use(idempotent({ persistenceStore: store, keyPrefix: 'p' }))
      .handle((_o, meta) => {
        runs++
        meta.logger.info('done')
      })
    // Two partitions with the same offsets: four records, four keys.
    const event = kafkaEvent(orders(4), { topic: 'orders', partition: (_o, i) => 3 + (i % 2), firstOffset: 7 })
    await handler(event, lambdaContext())
    await handler(event, lambdaContext())
    expect(runs).toBe(4)
    // The same key written out: a handler keyed explicitly finds every record done.
    let explicitRuns = 0
    const explicit = kafkaHandler(Order)
      .use(idempotent({ persistenceStore: store, keyPrefix: 'p', key: (_o, m) => `${m.topicPartition}:${m.offset}` }))
      .handle(() => {
        explicitRuns++
      })
    await explicit(event, lambdaContext())
    expect(explicitRuns).toBe(0)
    const lines = logger.lines.filter((l) => l.message === 'done')
    // Partitions run side by side: compared in order of partition and offset.
    expect(lines.map((l) => l.extra[0]).sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b)))).toEqual([
      { topicPartition: 'orders-3', offset: 7 },
      { topicPartition: 'orders-3', offset: 8 },
      { topicPartition: 'orders-4', offset: 7 },
      { topicPartition: 'orders-4', offset: 8 },
    ])
  })
})

describe('kafkaFilter', () => {
  const records = (event: KafkaEvent) => Object.values(event.records).flat()

  it('builds FilterCriteria on `value` typed by the schema, matching JSON values as Lambda does', () => {
    const criteria = kafkaFilter(Order, { value: { total: [{ numeric: ['>=', 100] }] } })
    expect(criteria).toEqual({ Filters: [{ Pattern: '{"value":{"total":[{"numeric":[">=",100]}]}}' }] })
    const passes = compileFilter(criteria, 'kafka')
    const event = kafkaEvent([{ orderId: 'a', total: 150 }, { orderId: 'b', total: 5 }, raw('plain text'), null])
    expect(records(event).map(passes)).toEqual([true, false, false, false])
  })

  it('matches plain-text values with rules, and drops a JSON value under a text pattern', () => {
    const passes = compileFilter(kafkaFilter(z.string(), { value: [{ prefix: 'Hello' }] }), 'kafka')
    expect(records(sampleEvents.kafka()).map(passes)).toEqual([true])
    expect(records(kafkaEvent([raw('Bye'), raw('{"Hello": 1}')])).map(passes)).toEqual([false, false])
  })

  it('refuses a pattern on anything but `value`, as Lambda does', () => {
    expect(() => compileFilter({ Filters: [{ Pattern: '{"topic": ["orders"]}' }] }, 'kafka')).toThrow(InvalidFilterPatternError)
    expect(() => kafkaFilter(Order, { topic: ['x'] } as never)).toThrow(/filter on `value` only/)
  })
})
