import { createHash } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import * as z from 'zod'
import { ConfigurationError, kinesisHandler, kinesisWindowHandler, silentLogger, type RecordOutcome } from 'lambda-stream-handlers'
import { kinesisEvent, kinesisWindowEvent, kplAggregate, raw } from 'lambda-stream-handlers/testing'

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

describe('maxUserRecords: the most user records one aggregate may hold', () => {
  const ones = (n: number) => kplAggregate(Array.from({ length: n }, () => raw('1')))

  it('refuses an aggregate past the default of 10,000, unsplit, naming the option', async () => {
    const seen: unknown[] = []
    const handler = kinesisHandler({ schema: z.number(), logger: silentLogger, allFailed: 'report' }, (n) => {
      seen.push(n)
    })
    const report = await handler.process(kinesisEvent([ones(10_001)]))
    expect(report.outcomes).toHaveLength(1)
    expect(reasons(report.outcomes)).toEqual([
      'invalid: The data is a KPL aggregated record (magic bytes F3 89 9A C2), but the aggregate holds more than 10000 user records (`maxUserRecords`), and was refused before they took memory. Raise `maxUserRecords` if your producers aggregate more.',
    ])
    expect(seen).toEqual([])
    expect((await handler.process(kinesisEvent([ones(10_000)]))).outcomes).toHaveLength(10_000)
  })

  it('takes the limit from the option, for the handler and the window handler', async () => {
    const handler = kinesisHandler({ schema: z.number(), logger: silentLogger, allFailed: 'report', maxUserRecords: 2 }, () => {})
    expect(reasons((await handler.process(kinesisEvent([ones(3)]))).outcomes)).toEqual([
      expect.stringMatching(/more than 2 user records \(`maxUserRecords`\)/),
    ])
    expect((await handler.process(kinesisEvent([ones(2)]))).outcomes).toHaveLength(2)
    const big = kinesisHandler({ schema: z.number(), logger: silentLogger, maxUserRecords: 20_000 }, () => {})
    expect((await big.process(kinesisEvent([ones(15_000)]))).outcomes).toHaveLength(15_000)

    const window = kinesisWindowHandler({
      schema: z.number(),
      logger: silentLogger,
      maxUserRecords: 2,
      state: z.object({ sum: z.number() }),
      initial: () => ({ sum: 0 }),
      reduce: (state, n) => ({ sum: state.sum + n }),
      onWindowEnd: () => {},
    })
    await expect(window(kinesisWindowEvent([ones(3)]))).rejects.toThrow(/more than 2 user records/)
    await expect(window(kinesisWindowEvent([ones(2)]))).resolves.toMatchObject({ state: { sum: 2 } })
  })

  it('refuses a limit that is not a whole number of 1 or more, when the handler is built', () => {
    for (const bad of [0, -1, 1.5, Number.NaN, '10']) {
      expect(() => kinesisHandler({ schema: z.number(), maxUserRecords: bad as number }, () => {})).toThrow(ConfigurationError)
    }
    expect(() => kinesisHandler({ schema: z.number(), maxUserRecords: 0 }, () => {})).toThrow(
      'kinesisHandler: `maxUserRecords` must be a whole number of user records, 1 or more (default 10000); received 0.',
    )
  })

  it('refuses an aggregate of 100,000 one-byte user records without splitting it (bench/kpl-heap.ts measures the heap)', async () => {
    const handler = kinesisHandler({ schema: z.number(), logger: silentLogger, allFailed: 'report' }, () => {})
    const report = await handler.process(kinesisEvent([ones(100_000)]))
    expect(report.outcomes).toHaveLength(1)
    expect(report.outcomes[0]?.status).toBe('invalid')
  })
})
