// The KPL decoder's protobuf reading, byte by byte, through the handler: what mutation testing
// (npm run mutate) found no test pinning in src/sources/kinesis/kpl.ts. Aggregates are written by
// ./kpl-protobuf.ts, which writes what kplAggregate never does.
import { describe, expect, it } from 'vitest'
import * as z from 'zod'
import { kinesisHandler, type KinesisMeta, type RecordOutcome } from 'lambda-stream-handlers'
import { kinesisEvent, lambdaContext, type RawData } from 'lambda-stream-handlers/testing'
import { aggregate, broken, field, userRecord, varint } from './kpl-protobuf.js'

type Seen = { data: string; partitionKey: string; explicitHashKey: string | undefined; sub: number | undefined }

/** Runs one aggregate (after a plain record, so a vanished aggregate shows) through a text handler. */
async function run(record: RawData): Promise<{ outcomes: readonly RecordOutcome[]; seen: Seen[] }> {
  const seen: Seen[] = []
  const handler = kinesisHandler({ schema: z.string(), decode: 'text', allFailed: 'report' }, (data, meta: KinesisMeta) => {
    if (meta.subSequenceNumber === undefined) return
    if ('explicitHashKey' in meta.record.kinesis !== ((meta.record.kinesis as { explicitHashKey?: string }).explicitHashKey !== undefined))
      throw new Error('explicitHashKey is a key of the record exactly when the user record has one')
    seen.push({
      data,
      partitionKey: meta.partitionKey,
      explicitHashKey: (meta.record.kinesis as { explicitHashKey?: string }).explicitHashKey,
      sub: meta.subSequenceNumber,
    })
  })
  const report = await handler.process(kinesisEvent(['plain', record]), lambdaContext())
  return { outcomes: report.outcomes.slice(1), seen }
}

const reasons = (outcomes: readonly RecordOutcome[]) => outcomes.map((o) => (o.status === 'ok' ? 'ok' : o.reason.message))
const keys = (...names: string[]) => names.flatMap((k) => field.bytes(1, k))

describe('KPL protobuf: what a reader passes over', () => {
  it("a user record's tags field (repeated Tag, field 4) is passed over, the record kept", async () => {
    const tag = [...field.bytes(1, 'env'), ...field.bytes(2, 'prod')]
    const { outcomes, seen } = await run(
      aggregate([...keys('k'), ...field.bytes(3, userRecord('a', 0, field.bytes(4, tag), field.bytes(4, tag)))]),
    )
    expect(reasons(outcomes)).toEqual(['ok'])
    expect(seen).toEqual([{ data: 'a', partitionKey: 'k', explicitHashKey: undefined, sub: 0 }])
  })

  it('unknown fields of every known wire type, in the aggregate and in a user record, are passed over by their size', async () => {
    const unknown = [...field.varint(9, 300), ...field.bytes(10, 'xyz'), ...field.fixed64(11), ...field.fixed32(12)]
    const { outcomes, seen } = await run(
      aggregate([
        ...unknown,
        ...keys('k0', 'k1'),
        ...unknown,
        ...field.bytes(3, [...field.fixed32(13), ...field.fixed64(14), ...userRecord('first', 1), ...unknown]),
        ...field.bytes(3, [...unknown, ...userRecord('second', 0)]),
        ...unknown,
      ]),
    )
    expect(reasons(outcomes)).toEqual(['ok', 'ok'])
    expect(seen.map((s) => [s.data, s.partitionKey, s.sub])).toEqual([
      ['first', 'k1', 0],
      ['second', 'k0', 1],
    ])
  })

  it('explicit hash keys are looked up in their own table', async () => {
    const { outcomes, seen } = await run(
      aggregate([
        ...keys('k'),
        ...field.bytes(2, 'h0'),
        ...field.bytes(2, 'h1'),
        ...field.bytes(3, userRecord('a', 0, field.varint(2, 1))),
        ...field.bytes(3, userRecord('b', 0)),
      ]),
    )
    expect(reasons(outcomes)).toEqual(['ok', 'ok'])
    expect(seen.map((s) => s.explicitHashKey)).toEqual(['h1', undefined])
  })

  it('varints of several bytes, and overlong ones up to ten bytes, read as their value', async () => {
    const many = Array.from({ length: 130 }, (_, i) => `k${i}`)
    const data = 'x'.repeat(300) // a two-byte length
    const record = [...varint(8), ...varint(129, 10), ...field.bytes(3, data)]
    const { outcomes, seen } = await run(aggregate([...keys(...many), ...field.bytes(3, record)]))
    expect(reasons(outcomes)).toEqual(['ok'])
    expect(seen.map((s) => [s.data.length, s.partitionKey])).toEqual([[300, 'k129']])
  })
})

describe('KPL protobuf: what fails the aggregate, with a reason and without the data', () => {
  it.each([
    ['a missing partition key index', [...keys('k'), ...field.bytes(3, field.bytes(3, 'a'))], 'record 0 has no partition key index'],
    [
      'a missing partition key index, with a table of two',
      [...keys('k0', 'k1'), ...field.bytes(3, field.bytes(3, 'a'))],
      'record 0 has no partition key index',
    ],
    [
      'a partition key index outside its table',
      [...keys('k'), ...field.bytes(3, userRecord('a', 1))],
      'record 0 names partition key 1 of a table of 1',
    ],
    [
      'an explicit hash key index outside its table',
      [...keys('k'), ...field.bytes(3, userRecord('a', 0, field.varint(2, 0)))],
      'record 0 names explicit hash key 0 of a table of 0',
    ],
    ['a user record without data', [...keys('k'), ...field.bytes(3, field.varint(1, 0))], 'record 0 has no data'],
    [
      'a second user record without data',
      [...keys('k'), ...field.bytes(3, userRecord('a')), ...field.bytes(3, field.varint(1, 0))],
      'record 1 has no data',
    ],
    ['a tag varint of eleven bytes', [...keys('k'), ...Array(10).fill(0x88), 0x00], 'a field tag is not a valid varint'],
    [
      'a value varint of eleven bytes, named by its field and record',
      [...keys('k'), ...field.bytes(3, [0x08, ...Array(10).fill(0x80), 0x00, ...field.bytes(3, 'a')])],
      'partition_key_index of record 0 is not a valid varint',
    ],
    [
      'a varint past 2^53',
      [...keys('k'), ...field.bytes(3, [0x08, ...varint(2n ** 53n), ...field.bytes(3, 'a')])],
      'partition_key_index of record 0 is too large',
    ],
    [
      'a varint at 2^53 − 1, which is read',
      [...keys('k'), ...field.bytes(3, [0x08, ...varint(2n ** 53n - 1n), ...field.bytes(3, 'a')])],
      'record 0 names partition key 9007199254740991 of a table of 1',
    ],
    ['a tag cut short', [...keys('k'), 0x80], 'a field tag runs past the end of the protobuf message'],
    [
      'a ten-byte tag cut short at its last byte',
      [...keys('k'), ...Array(9).fill(0x80)],
      'a field tag runs past the end of the protobuf message',
    ],
    [
      'an explicit hash key index past 2^53',
      [...keys('k'), ...field.bytes(3, [...userRecord('a'), 0x10, ...varint(2n ** 53n)])],
      'explicit_hash_key_index of record 0 is too large',
    ],
    ['a length cut short', [...keys('k'), 0x1a, 0x80], 'a record runs past the end of the protobuf message'],
    ['a partition key longer than the message', [0x0a, 0x05, 0x61], 'a partition key runs past the end of the protobuf message'],
    [
      'an explicit hash key longer than the message',
      [...keys('k'), 0x12, 0x02, 0x61],
      'an explicit hash key runs past the end of the protobuf message',
    ],
    [
      "a user record's data longer than it",
      [...keys('k'), ...field.bytes(3, [0x08, 0x00, 0x1a, 0x09, 0x61])],
      'the data of record 0 runs past the end of the protobuf message',
    ],
    ['a fixed64 cut short', [...keys('k'), ...field.tag(11, 1), 1, 2, 3, 4, 5, 6, 7], 'field 11 runs past the end of the protobuf message'],
    ['a fixed32 cut short', [...keys('k'), ...field.tag(12, 5), 1, 2, 3], 'field 12 runs past the end of the protobuf message'],
    [
      'a fixed32 cut short in a user record',
      [...keys('k'), ...field.bytes(3, [...userRecord('a'), ...field.tag(12, 5), 1])],
      'field 12 of record 0 runs past the end of the protobuf message',
    ],
    ['wire type 3 (a group)', [...keys('k'), ...field.tag(9, 3)], 'field 9 has the unknown wire type 3'],
    ['wire type 4', [...keys('k'), ...field.tag(9, 4)], 'field 9 has the unknown wire type 4'],
    ['wire type 6', [...keys('k'), ...field.tag(9, 6)], 'field 9 has the unknown wire type 6'],
    [
      'wire type 7 in a user record',
      [...keys('k'), ...field.bytes(3, [...userRecord('a'), ...field.tag(9, 7)])],
      'field 9 of record 0 has the unknown wire type 7',
    ],
    [
      'a partition key that is not UTF-8',
      [...field.bytes(1, [0xc3, 0x28]), ...field.bytes(3, userRecord('a'))],
      'a partition key is not UTF-8',
    ],
    [
      'an explicit hash key that is not UTF-8',
      [...keys('k'), ...field.bytes(2, [0xff]), ...field.bytes(3, userRecord('a'))],
      'an explicit hash key is not UTF-8',
    ],
  ])('%s', async (_what, message, reason) => {
    const { outcomes, seen } = await run(aggregate(message))
    expect(reasons(outcomes)).toEqual([broken(reason)])
    expect(outcomes[0]).toMatchObject({ status: 'invalid', reason: { kind: 'decode' } })
    expect(seen).toEqual([])
  })

  it('a checksum wrong in its last byte, or its first', async () => {
    for (const at of [0, 15]) {
      const message = [...keys('k'), ...field.bytes(3, userRecord('a'))]
      const { outcomes } = await run(
        aggregate(message, (digest) => {
          const copy = Buffer.from(digest)
          copy[at]! ^= 1
          return copy
        }),
      )
      expect(reasons(outcomes)).toEqual([broken('its MD5 checksum does not match its content (the record is corrupt or truncated)')])
    }
  })

  it('the magic bytes alone (4 bytes) are too short', async () => {
    const { outcomes } = await run(aggregate([], () => Buffer.alloc(0)))
    expect(reasons(outcomes)).toEqual([broken('it is 4 bytes long, too short for the magic bytes and the MD5 checksum')])
  })

  it('F3 89 9A C3 (the same five base64 characters as the magic bytes) before a valid protobuf and checksum is data, not split', async () => {
    const seen: number[][] = []
    const handler = kinesisHandler({ schema: z.unknown(), decode: 'bytes' }, (bytes) => {
      seen.push([...(bytes as Uint8Array)])
    })
    const [agg] = kinesisEvent([aggregate([...keys('k'), ...field.bytes(3, userRecord('a'))])]).Records
    const bytes = Buffer.from(agg!.kinesis.data, 'base64')
    bytes[3] = 0xc3
    const event = kinesisEvent([{}])
    event.Records[0]!.kinesis.data = bytes.toString('base64')
    const report = await handler.process(event, lambdaContext())
    expect(report.outcomes.map((o) => o.status)).toEqual(['ok'])
    expect(seen).toEqual([[...bytes]])
  })

  it('19 bytes: too short for the magic bytes and a checksum', async () => {
    const { outcomes } = await run(aggregate([], (digest) => digest.subarray(1)))
    expect(reasons(outcomes)).toEqual([broken('it is 19 bytes long, too short for the magic bytes and the MD5 checksum')])
  })
})
