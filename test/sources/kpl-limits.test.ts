import { createHash } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import * as z from 'zod'
import { kinesisHandler, silentLogger, type RecordOutcome } from 'lambda-stream-handlers'
import { kinesisEvent, raw } from 'lambda-stream-handlers/testing'

const reasons = (outcomes: readonly RecordOutcome[]) => outcomes.map((o) => (o.status === 'ok' ? 'ok' : `${o.status}: ${o.reason.message}`))

/** An aggregate around a hand-written protobuf message: magic bytes, the message, its MD5. */
function aggregateOf(message: readonly number[]): ReturnType<typeof raw> {
  const protobuf = Uint8Array.from(message)
  const md5 = createHash('md5').update(protobuf).digest()
  return raw(Buffer.concat([Uint8Array.of(0xf3, 0x89, 0x9a, 0xc2), protobuf, md5]))
}

/** A length-delimited field: tag, length, bytes (short fields only). */
const field = (n: number, bytes: readonly number[]): number[] => [(n << 3) | 2, bytes.length, ...bytes]
const pk = field(1, [...Buffer.from('pk')])
/** A user record: partition key index 0, then `data`. */
const userRecord = (data: string): number[] => field(3, [0x08, 0x00, ...field(3, [...Buffer.from(data)])])

async function run(aggregate: ReturnType<typeof raw>) {
  const seen: unknown[] = []
  const handler = kinesisHandler({ schema: z.unknown(), logger: silentLogger, allFailed: 'report' }, (payload) => {
    seen.push(payload)
  })
  const report = await handler.process(kinesisEvent([{ before: 1 }, aggregate, { after: 1 }]))
  return { seen, report }
}

describe('a KPL aggregate that holds no user record never vanishes', () => {
  it('an aggregate of unknown fields only fails as itself: "holds no user records"', async () => {
    // Field 9 (length-delimited) and field 10 (a varint): fields no aggregate has.
    const { seen, report } = await run(aggregateOf([...pk, ...field(9, [1, 2, 3]), (10 << 3) | 0, 5]))
    expect(report.outcomes).toHaveLength(3)
    expect(reasons(report.outcomes)[1]).toBe(
      'invalid: The data is a KPL aggregated record (magic bytes F3 89 9A C2), but the aggregate holds no user records.',
    )
    expect(seen).toEqual([{ before: 1 }])
    expect(report.outcomes[2]?.status).toBe('skipped') // in order, behind the failed aggregate
  })

  it('an empty protobuf message fails too', async () => {
    const { report } = await run(aggregateOf([]))
    expect(report.outcomes).toHaveLength(3)
    expect(reasons(report.outcomes)[1]).toMatch(/holds no user records/)
  })

  it('a records field of the wrong wire type fails with the field and its wire type', async () => {
    // Field 3 written as a varint (wire type 0), then as a fixed 32-bit value (wire type 5).
    for (const [bad, wire] of [
      [[(3 << 3) | 0, 7], 0],
      [[(3 << 3) | 5, 1, 2, 3, 4], 5],
    ] as const) {
      const { seen, report } = await run(aggregateOf([...pk, ...bad]))
      expect(report.outcomes).toHaveLength(3)
      expect(reasons(report.outcomes)[1]).toMatch(new RegExp(`field 3 has wire type ${wire}`))
      expect(seen).toEqual([{ before: 1 }])
    }
  })

  it("a user record's field of the wrong wire type fails with its number and wire type", async () => {
    // The user record's data (field 3) written as a varint, and its key index (field 1) as bytes.
    for (const [inner, wire] of [
      [[0x08, 0x00, (3 << 3) | 0, 1], 0],
      [[...field(1, [0]), ...field(3, [0x31])], 2],
    ] as const) {
      const { report } = await run(aggregateOf([...pk, ...field(3, inner)]))
      expect(report.outcomes).toHaveLength(3)
      expect(reasons(report.outcomes)[1]).toMatch(new RegExp(`field ${wire === 0 ? 3 : 1} of record 0 has wire type ${wire}`))
    }
  })

  it('a well-formed aggregate beside unknown fields still gives its user records', async () => {
    const { seen, report } = await run(aggregateOf([...pk, ...field(9, [1]), ...userRecord('1'), ...userRecord('2')]))
    expect(reasons(report.outcomes)).toEqual(['ok', 'ok', 'ok', 'ok'])
    expect(seen).toEqual([{ before: 1 }, 1, 2, { after: 1 }])
  })
})
