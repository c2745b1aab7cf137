import { createHash } from 'node:crypto'
import type { KinesisStreamRecord } from 'aws-lambda'
import * as agg from 'aws-kinesis-agg'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import * as z from 'zod'
import { AllRecordsFailedError, kinesisHandler, silentLogger, type KinesisMeta, type RecordOutcome } from 'lambda-stream-handlers'
import { kinesisEvent, kplAggregate, raw } from 'lambda-stream-handlers/testing'
import { KPL_BASE64_PREFIX } from '../../src/sources/kinesis/kpl.js'

const Order = z.object({ orderId: z.string(), total: z.number() })
type Order = z.infer<typeof Order>
const statuses = (outcomes: readonly RecordOutcome[]) => outcomes.map((o) => (o.status === 'ok' ? 'ok' : `${o.status}:${o.reason.kind}`))

/** Aggregates with the reference library (aws-kinesis-agg), resolving to the encoded records it emits. */
function aggregateWithReference(records: { partitionKey: string; explicitHashKey?: string; data: Buffer }[]): Promise<Buffer[]> {
  return new Promise((resolve, reject) => {
    const out: Buffer[] = []
    agg.aggregate(
      records,
      (encoded, done) => {
        out.push(encoded.data)
        done()
      },
      () => resolve(out),
      (error) => reject(error),
    )
  })
}

/** Splits with the reference library. */
function deaggregateWithReference(record: KinesisStreamRecord): agg.UserRecord[] {
  let result: agg.UserRecord[] = []
  agg.deaggregateSync(record.kinesis, true, (error, users) => {
    if (error) throw error
    result = users ?? []
  })
  return result
}

describe('KPL aggregated records (facts 86-87)', () => {
  it('recognises an aggregate by the base64 of its magic bytes, whatever follows them', () => {
    for (const next of [0x00, 0x3f, 0xc0, 0xff]) {
      expect(Buffer.from([0xf3, 0x89, 0x9a, 0xc2, next]).toString('base64').startsWith(KPL_BASE64_PREFIX)).toBe(true)
    }
    expect(Buffer.from([0xf3, 0x89, 0x9b, 0xc2]).toString('base64').startsWith(KPL_BASE64_PREFIX)).toBe(false)
  })

  it('splits an aggregate into user records, each decoded and validated, with the inner key and sub-sequence number in meta', async () => {
    const seen: { order: Order; pk: string; sub: number | undefined; seq: string }[] = []
    const handler = kinesisHandler(Order, (order, meta) => {
      seen.push({ order, pk: meta.partitionKey, sub: meta.subSequenceNumber, seq: meta.sequenceNumber })
    })
    const event = kinesisEvent(
      [
        { orderId: 'before', total: 0 },
        kplAggregate(
          [
            { orderId: 'a', total: 1 },
            { orderId: 'b', total: 2 },
            { orderId: 'c', total: 3 },
          ],
          { schema: Order, partitionKey: (_p, i) => `inner-${i}` },
        ),
        { orderId: 'after', total: 9 },
      ],
      { partitionKey: 'outer' },
    )
    const [first, aggregate, last] = event.Records.map((r) => r.kinesis.sequenceNumber)
    expect(await handler(event)).toEqual({ batchItemFailures: [] })
    expect(seen).toEqual([
      { order: { orderId: 'before', total: 0 }, pk: 'outer', sub: undefined, seq: first },
      { order: { orderId: 'a', total: 1 }, pk: 'inner-0', sub: 0, seq: aggregate },
      { order: { orderId: 'b', total: 2 }, pk: 'inner-1', sub: 1, seq: aggregate },
      { order: { orderId: 'c', total: 3 }, pk: 'inner-2', sub: 2, seq: aggregate },
      { order: { orderId: 'after', total: 9 }, pk: 'outer', sub: undefined, seq: last },
    ])
  })

  it("reports a failed user record by the aggregate's sequence number, once", async () => {
    const handler = kinesisHandler({ schema: Order, logger: silentLogger }, (order) => {
      if (order.orderId === 'b') throw new Error('boom')
    })
    const event = kinesisEvent([
      kplAggregate([
        { orderId: 'a', total: 1 },
        { orderId: 'b', total: 2 },
        { orderId: 'c', total: 3 },
      ]),
      { orderId: 'd', total: 4 },
    ])
    const report = await handler.process(event)
    expect(statuses(report.outcomes)).toEqual(['ok', 'failed:handler', 'skipped:after-failure', 'skipped:after-failure'])
    expect(report.outcomes.map((o) => o.id)).toEqual([0, 0, 0, 1].map((i) => event.Records[i]!.kinesis.sequenceNumber))
    expect(report.batchItemFailures).toEqual([
      { itemIdentifier: event.Records[0]!.kinesis.sequenceNumber },
      { itemIdentifier: event.Records[1]!.kinesis.sequenceNumber },
    ])
    expect(report.allFailed).toBe(false)
  })

  it('validates each user record on its own: an invalid one fails its aggregate, with the path', async () => {
    const handler = kinesisHandler({ schema: Order, logger: silentLogger, ordering: 'unordered' }, () => {})
    const event = kinesisEvent([
      kplAggregate([{ orderId: 'a', total: 1 }, { orderId: 'b', total: 'two' }, raw('not json')]),
      { orderId: 'c', total: 3 },
    ])
    const report = await handler.process(event)
    expect(report.outcomes.map((o) => (o.status === 'invalid' ? `${o.reason.kind}@${o.reason.path ?? ''}` : o.status))).toEqual([
      'ok',
      'validation@total',
      'decode@',
      'ok',
    ])
    expect(report.batchItemFailures).toEqual([{ itemIdentifier: event.Records[0]!.kinesis.sequenceNumber }])
  })

  it('throws when every user record failed, so bisect and retries apply', async () => {
    const handler = kinesisHandler({ schema: Order, logger: silentLogger }, () => {
      throw new Error('down')
    })
    await expect(
      handler(
        kinesisEvent([
          kplAggregate([
            { orderId: 'a', total: 1 },
            { orderId: 'b', total: 2 },
          ]),
        ]),
      ),
    ).rejects.toThrow(AllRecordsFailedError)
  })

  it("gives onInvalid the user record: its key and data, the aggregate's sequence number", async () => {
    const handed: KinesisStreamRecord[] = []
    const handler = kinesisHandler({ schema: Order, logger: silentLogger, onInvalid: ({ record }) => void handed.push(record) }, () => {})
    const event = kinesisEvent([kplAggregate([{ orderId: 'a', total: 1 }, raw('broken')], { partitionKey: (_p, i) => `k${i}` })])
    expect(await handler(event)).toEqual({ batchItemFailures: [] })
    expect(handed.map((r) => [r.kinesis.partitionKey, Buffer.from(r.kinesis.data, 'base64').toString(), r.kinesis.sequenceNumber])).toEqual(
      [['k1', 'broken', event.Records[0]!.kinesis.sequenceNumber]],
    )
  })

  it("runs user records by their own partition key under 'per-key'", async () => {
    const order: string[] = []
    let release: () => void = () => {}
    const gate = new Promise<void>((r) => (release = r))
    const handler = kinesisHandler({ schema: Order, ordering: 'per-key', concurrency: 2 }, async (o, meta: KinesisMeta) => {
      if (meta.partitionKey === 'slow') await gate
      order.push(o.orderId)
      if (o.orderId === 'fast-2') release()
    })
    const event = kinesisEvent([
      kplAggregate(
        [
          { orderId: 'slow-1', total: 1 },
          { orderId: 'fast-1', total: 1 },
          { orderId: 'fast-2', total: 1 },
        ],
        { partitionKey: (p) => ((p as Order).orderId.startsWith('slow') ? 'slow' : 'fast') },
      ),
    ])
    expect(await handler(event)).toEqual({ batchItemFailures: [] })
    expect(order).toEqual(['fast-1', 'fast-2', 'slow-1'])
  })
})

describe('KPL: cross-checked against aws-kinesis-agg', () => {
  const users = Array.from({ length: 25 }, (_, i) => ({
    partitionKey: `user-${i % 4}`,
    ...(i % 5 === 0 ? { explicitHashKey: String(10n ** 30n + BigInt(i)) } : {}),
    data: Buffer.from(JSON.stringify({ orderId: `o-${i}`, total: i, note: 'é✓'.repeat(i) })),
  }))

  it('splits records that aws-kinesis-agg aggregated', async () => {
    const encoded = await aggregateWithReference(users.map((u) => ({ ...u })))
    expect(encoded.length).toBe(1)
    const seen: [string, number | undefined, string | undefined, unknown][] = []
    const handler = kinesisHandler(z.unknown(), (payload, meta) => {
      const { explicitHashKey } = meta.record.kinesis as { explicitHashKey?: string }
      seen.push([meta.partitionKey, meta.subSequenceNumber, explicitHashKey, payload])
    })
    const event = kinesisEvent(encoded.map((b) => raw(b)))
    expect(await handler(event)).toEqual({ batchItemFailures: [] })
    expect(seen).toEqual(users.map((u, i) => [u.partitionKey, i, u.explicitHashKey, JSON.parse(u.data.toString())]))
  })

  it('builds aggregates (kplAggregate) that aws-kinesis-agg splits into the same user records', () => {
    const event = kinesisEvent([
      kplAggregate(
        users.map((u) => raw(u.data)),
        { partitionKey: (_p, i) => users[i]!.partitionKey, explicitHashKey: (_p, i) => users[i]!.explicitHashKey },
      ),
    ])
    const reference = deaggregateWithReference(event.Records[0]!)
    // aws-kinesis-agg reads an absent explicit_hash_key_index as 0 (protobufjs' default), so it
    // is compared only where the record has one.
    expect(
      reference.map((r, i) => [
        r.partitionKey,
        users[i]!.explicitHashKey && r.explicitPartitionKey,
        r.subSequenceNumber,
        Buffer.from(r.data, 'base64').toString(),
      ]),
    ).toEqual(users.map((u, i) => [u.partitionKey, u.explicitHashKey, i, u.data.toString()]))
  })
})

describe('KPL: broken aggregates fail their record with a clear reason', () => {
  const handler = kinesisHandler({ schema: Order, logger: silentLogger, ordering: 'unordered', allFailed: 'report' }, () => {})
  const MAGIC = Uint8Array.of(0xf3, 0x89, 0x9a, 0xc2)
  const withDigest = (protobuf: Uint8Array): Uint8Array => Buffer.concat([MAGIC, protobuf, createHash('md5').update(protobuf).digest()])
  const reasonFor = async (bytes: Uint8Array): Promise<string> => {
    const report = await handler.process(kinesisEvent([raw(bytes), { orderId: 'fine', total: 1 }]))
    expect(report.outcomes.length).toBe(2)
    expect(report.outcomes[1]!.status).toBe('ok')
    const o = report.outcomes[0]!
    expect(report.batchItemFailures).toEqual([{ itemIdentifier: o.id }])
    return o.status === 'invalid' ? `${o.reason.kind}: ${o.reason.message}` : o.status
  }

  it('a bad checksum', async () => {
    const good = (kplAggregate([{ orderId: 'a', total: 1 }]) as unknown as Record<symbol, Uint8Array>)[
      Symbol.for('lambda-stream-handlers.raw')
    ]!
    const bad = Uint8Array.from(good)
    bad[8] = bad[8]! ^ 0xff
    expect(await reasonFor(bad)).toBe(
      'decode: The data is a KPL aggregated record (magic bytes F3 89 9A C2), but its MD5 checksum does not match its content (the record is corrupt or truncated).',
    )
  })

  it('a record too short for its checksum', async () => {
    expect(await reasonFor(Buffer.concat([MAGIC, Uint8Array.of(1, 2, 3)]))).toMatch(
      /but it is 7 bytes long, too short for the magic bytes and the MD5 checksum\.$/,
    )
  })

  it('a broken protobuf message under a valid checksum', async () => {
    expect(await reasonFor(withDigest(Uint8Array.of(0x0a, 0x05, 0x61)))).toMatch(
      /but the length of a partition key|a partition key runs past the end of the protobuf message\.$/,
    )
    expect(await reasonFor(withDigest(Uint8Array.of(0x1a, 0x02, 0x08, 0x00)))).toMatch(/but record 0 has no data\.$/)
    expect(await reasonFor(withDigest(Uint8Array.of(0x1a, 0x04, 0x08, 0x03, 0x1a, 0x00)))).toMatch(
      /but record 0 names partition key 3 of a table of 0\.$/,
    )
    expect(await reasonFor(withDigest(Uint8Array.of(0x0f)))).toMatch(/but field 1 has the unknown wire type 7\.$/)
    expect(await reasonFor(withDigest(Uint8Array.of(0x0a, 0x01, 0xff)))).toMatch(/but a partition key is not UTF-8\.$/)
  })

  it('never throws for the batch, whatever follows the magic bytes', async () => {
    await fc.assert(
      fc.asyncProperty(fc.uint8Array({ maxLength: 64 }), fc.boolean(), async (tail, digest) => {
        const bytes = digest ? withDigest(tail) : Buffer.concat([MAGIC, tail])
        const report = await handler.process(kinesisEvent([raw(bytes)]))
        for (const o of report.outcomes) expect(['ok', 'invalid']).toContain(o.status)
      }),
      { numRuns: 300 },
    )
  })
})
