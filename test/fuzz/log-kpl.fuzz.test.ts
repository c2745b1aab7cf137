import { createHash } from 'node:crypto'
import fc from 'fast-check'
import { afterEach, describe, expect, it, vi } from 'vitest'
import * as z from 'zod'
import { kinesisHandler, logContext, silentLogger } from 'lambda-stream-handlers'
import { kinesisEvent, kplAggregate, lambdaContext, raw } from 'lambda-stream-handlers/testing'

afterEach(() => {
  vi.restoreAllMocks()
  vi.unstubAllEnvs()
})

describe('fuzz: the default logger', () => {
  const fieldName = fc.oneof(
    fc.constantFrom('level', 'message', 'toJSON', 'shardId', 'sequenceNumber', 'partitionKey', 'messageId', 'error'),
    fc.string({ maxLength: 20 }),
  )
  const value = fc.oneof(
    fc.anything({ maxDepth: 3 }),
    fc.string({ minLength: 2_000, maxLength: 30_000 }),
    fc.constant(new Error('x'.repeat(20_000))),
    fc.constant({ toJSON: () => ({ level: 'DEBUG', message: 'rewritten' }) }),
  )
  const extra = fc.dictionary(fieldName, value, { maxKeys: 8 })

  it('no line passes 16 KB, every line is JSON, and level, message and the record identifiers are never rewritten', async () => {
    vi.stubEnv('LOG_LEVEL', 'DEBUG')
    await fc.assert(
      fc.asyncProperty(fc.string({ maxLength: 40_000 }), fc.array(extra, { maxLength: 3 }), async (message, extras) => {
        const lines: string[] = []
        vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => {
          lines.push(String(chunk))
          return true
        })
        vi.spyOn(process.stderr, 'write').mockImplementation((chunk) => {
          lines.push(String(chunk))
          return true
        })
        const handler = kinesisHandler(z.unknown())
          .use(logContext())
          .handle((_p, meta) => meta.logger.warn(message, ...extras))
        const event = kinesisEvent([1])
        try {
          await handler(event, lambdaContext())
        } finally {
          vi.restoreAllMocks()
        }
        const record = event.Records[0]!
        const mine = lines.map((l) => JSON.parse(l) as Record<string, unknown>).filter((l) => l.level === 'WARN')
        expect(mine).toHaveLength(1)
        for (const line of lines) expect(Buffer.byteLength(line)).toBeLessThanOrEqual(16 * 1024)
        const line = mine[0]!
        expect(typeof line.message).toBe('string')
        expect(message.startsWith((line.message as string).replace(/…\(cut: \d+ characters\)$/, ''))).toBe(true)
        expect(line).toMatchObject({
          shardId: 'shardId-000000000000',
          sequenceNumber: record.kinesis.sequenceNumber,
          partitionKey: record.kinesis.partitionKey,
        })
      }),
      { numRuns: 60 },
    )
  })
})

describe('fuzz: KPL aggregates', () => {
  const withChecksum = (protobuf: Uint8Array) =>
    raw(Buffer.concat([Uint8Array.of(0xf3, 0x89, 0x9a, 0xc2), protobuf, createHash('md5').update(protobuf).digest()]))
  const aggregate = fc.oneof(
    fc.uint8Array({ maxLength: 200 }).map(withChecksum),
    // Valid aggregates, some with bytes appended to the message (unknown or broken fields).
    fc.tuple(fc.array(fc.integer(), { minLength: 1, maxLength: 20 }), fc.uint8Array({ maxLength: 12 })).map(([payloads, tail]) => {
      const bytes = Buffer.from([...payloadOf(kplAggregate(payloads))])
      const protobuf = Buffer.concat([bytes.subarray(4, bytes.length - 16), tail])
      return withChecksum(protobuf)
    }),
  )

  it('every aggregate ends as outcomes (its user records, or itself invalid with a reason); none vanishes', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(fc.oneof(aggregate, fc.integer()), { minLength: 1, maxLength: 6 }), async (items) => {
        const handler = kinesisHandler(
          { schema: z.unknown(), logger: silentLogger, allFailed: 'report', ordering: 'unordered', maxUserRecords: 50 },
          () => {},
        )
        const event = kinesisEvent(items)
        const report = await handler.process(event)
        const ids = new Set(report.outcomes.map((o) => o.id))
        expect(ids).toEqual(new Set(event.Records.map((r) => r.kinesis.sequenceNumber)))
        for (const o of report.outcomes) if (o.status !== 'ok') expect(o.reason.message.length).toBeGreaterThan(10)
      }),
      { numRuns: 150 },
    )
  })
})

/** The bytes of a raw payload, as kinesisEvent would write them. */
function payloadOf(data: ReturnType<typeof raw>): Uint8Array {
  const event = kinesisEvent([data])
  return Buffer.from(event.Records[0]!.kinesis.data, 'base64')
}
