// `meta` fields computed when first read (issue 19): what a record function sees, what a broken
// field does, and why middleware and `eagerMeta` get every field up front.
import { describe, expect, it } from 'vitest'
import * as z from 'zod'
import {
  dynamodbHandler,
  kinesisHandler,
  type KinesisMeta,
  type RecordOutcome,
  silentLogger,
  type SqsMeta,
  sqsHandler,
} from 'lambda-stream-handlers'
import { kinesisEvent, sqsEvent } from 'lambda-stream-handlers/testing'
import { memoryLogger } from '../helpers.js'

const reasons = (outcomes: readonly RecordOutcome[]) =>
  outcomes.map((o) => (o.status === 'ok' ? 'ok' : `${o.status}:${o.reason.kind} ${o.reason.message}`))

/** Two messages, the second without a SentTimestamp. */
function brokenTimeEvent() {
  const event = sqsEvent([{ n: 1 }, { n: 2 }])
  delete (event.Records[1]!.attributes as { SentTimestamp?: string }).SentTimestamp
  return event
}

describe('SQS meta without middleware: decoded when read', () => {
  it('a broken field the record function never reads costs nothing and fails nothing', async () => {
    const handler = sqsHandler({ schema: z.unknown(), logger: silentLogger }, (_body, meta) => meta.messageId)
    const report = await handler.process(brokenTimeEvent())
    expect(reasons(report.outcomes)).toEqual(['ok', 'ok'])
  })

  it('a broken field fails its record as invalid, with the decode reason, when the record function reads it', async () => {
    const logger = memoryLogger()
    const reached: number[] = []
    const handler = sqsHandler({ schema: z.object({ n: z.number() }), logger, allFailed: 'report' }, (body, meta) => {
      reached.push(body.n)
      return meta.sentAt.getTime()
    })
    const event = brokenTimeEvent()
    const report = await handler.process(event)
    expect(reasons(report.outcomes)).toEqual(['ok', 'invalid:decode attributes.SentTimestamp is missing.'])
    expect(report.batchItemFailures).toEqual([{ itemIdentifier: event.Records[1]!.messageId }])
    // The record function ran up to the read: that is the price of deciding late (eagerMeta decides first).
    expect(reached).toEqual([1, 2])
    expect(logger.lines.map((l) => l.message)).toContainEqual(
      `Invalid record ${event.Records[1]!.messageId}, reported for retry: attributes.SentTimestamp is missing.`,
    )
  })

  it("onInvalid applies to a field that breaks when read: 'skip' lets the record go", async () => {
    const handler = sqsHandler({ schema: z.unknown(), logger: silentLogger, onInvalid: 'skip' }, (_body, meta) => meta.sentAt)
    const report = await handler.process(brokenTimeEvent())
    expect(report.outcomes[1]).toMatchObject({ status: 'invalid', handled: true, reason: { kind: 'decode' } })
    expect(report.batchItemFailures).toEqual([])
  })

  it('a field is decoded once: later reads, a spread after the first read and JSON see the same value', async () => {
    const seen: { same: boolean; spread: Record<string, unknown>; destructured: number }[] = []
    const handler = sqsHandler({ schema: z.unknown(), logger: silentLogger }, (_body, meta) => {
      const first = meta.sentAt
      const { receiveCount } = meta
      seen.push({
        same: first === meta.sentAt,
        spread: { ...meta },
        destructured: receiveCount,
      })
    })
    const sentAt = new Date('2026-12-04T10:00:00.000Z')
    await handler(sqsEvent([{}], { sentAt, messageAttributes: { tenant: 'acme' } }))
    const [s] = seen
    expect(s!.same).toBe(true)
    expect(s!.destructured).toBe(1)
    // Read before the spread: copied. Not read before it (attributes, firstReceivedAt): not copied.
    expect(s!.spread.sentAt).toEqual(sentAt)
    expect(s!.spread.receiveCount).toBe(1)
    expect('attributes' in s!.spread).toBe(false)
  })

  it('JSON.stringify(meta) has every field, read or not', async () => {
    let json: Record<string, unknown> = {}
    const handler = sqsHandler({ schema: z.unknown(), logger: silentLogger }, (_body, meta) => {
      json = JSON.parse(JSON.stringify({ meta }, (k, v: unknown) => (k === 'logger' || k === 'record' ? undefined : v))).meta
    })
    const sentAt = new Date('2026-12-04T10:00:00.000Z')
    await handler(sqsEvent([{}], { sentAt, messageAttributes: { tenant: 'acme' } }))
    expect(json).toMatchObject({
      receiveCount: 1,
      sentAt: sentAt.toISOString(),
      attributes: { tenant: { type: 'String', dataType: 'String', value: 'acme' } },
    })
  })
})

describe('SQS meta up front: eagerMeta and middleware', () => {
  it('eagerMeta: true fails a record with a broken field before its function runs', async () => {
    const reached: number[] = []
    const handler = sqsHandler({ schema: z.object({ n: z.number() }), logger: silentLogger, eagerMeta: true }, (body) => {
      reached.push(body.n)
    })
    const report = await handler.process(brokenTimeEvent())
    expect(reasons(report.outcomes)).toEqual(['ok', 'invalid:decode attributes.SentTimestamp is missing.'])
    expect(reached).toEqual([1])
  })

  it('middleware gets a plain object with every field, so `{ ...meta, extra }` keeps them all', async () => {
    const keys: string[][] = []
    const seen: Pick<SqsMeta, 'sentAt' | 'attributes' | 'receiveCount'>[] = []
    const handler = sqsHandler({ schema: z.unknown(), logger: silentLogger })
      .use<{ tenant: string }>((next) => (body, meta) => {
        keys.push(Object.keys(meta))
        return next(body, { ...meta, tenant: 't' })
      })
      .handle((_body, meta) => {
        seen.push({ sentAt: meta.sentAt, attributes: meta.attributes, receiveCount: meta.receiveCount })
      })
    const sentAt = new Date('2026-12-04T10:00:00.000Z')
    await handler(sqsEvent([{}], { sentAt, messageAttributes: { tenant: 'acme' } }))
    expect(keys[0]).toEqual(expect.arrayContaining(['receiveCount', 'sentAt', 'firstReceivedAt', 'attributes', 'deduplicationId']))
    expect(seen).toEqual([{ sentAt, attributes: { tenant: { type: 'String', dataType: 'String', value: 'acme' } }, receiveCount: 1 }])
  })

  it('with middleware, a broken field fails the record before the middleware runs', async () => {
    const reached: string[] = []
    const handler = sqsHandler({ schema: z.unknown(), logger: silentLogger, allFailed: 'report' })
      .use((next) => (body, meta) => {
        reached.push(meta.messageId)
        return next(body, meta)
      })
      .handle(() => {})
    const event = brokenTimeEvent()
    const report = await handler.process(event)
    expect(reasons(report.outcomes)).toEqual(['ok', 'invalid:decode attributes.SentTimestamp is missing.'])
    expect(reached).toEqual([event.Records[0]!.messageId])
  })
})

describe('Kinesis meta without middleware: shardId and arrivedAt made when read', () => {
  const event = () => {
    const e = kinesisEvent([{ a: 1 }], { shardId: 'shardId-000000000007' })
    e.Records[0]!.kinesis.approximateArrivalTimestamp = 1545084650.987
    return e
  }
  const json = (meta: KinesisMeta) =>
    JSON.parse(JSON.stringify({ meta }, (k, v: unknown) => (k === 'logger' || k === 'record' ? undefined : v))).meta

  it('are what the record says, the same object on every read, and in JSON whether read or not', async () => {
    const seen: { json: Record<string, unknown>; shardId: string; arrivedAt: Date; same: boolean; spread: Record<string, unknown> }[] = []
    const handler = kinesisHandler({ schema: z.unknown(), logger: silentLogger }, (_p, meta) => {
      const before = json(meta)
      const { shardId, arrivedAt } = meta
      seen.push({ json: before, shardId, arrivedAt, same: arrivedAt === meta.arrivedAt, spread: { ...meta } })
    })
    await handler(event())
    expect(seen[0]).toMatchObject({
      json: { shardId: 'shardId-000000000007', arrivedAt: '2018-12-17T22:10:50.987Z', partitionKey: expect.any(String) },
      shardId: 'shardId-000000000007',
      arrivedAt: new Date(1545084650987),
      same: true,
      // Read before the spread: copied.
      spread: { shardId: 'shardId-000000000007', arrivedAt: new Date(1545084650987) },
    })
  })

  it('a spread before any read copies neither; eagerMeta and middleware get a plain object with both', async () => {
    const spreads: Record<string, unknown>[] = []
    const spread = (_p: unknown, meta: KinesisMeta) => void spreads.push({ ...meta })
    await kinesisHandler({ schema: z.unknown(), logger: silentLogger }, spread)(event())
    await kinesisHandler({ schema: z.unknown(), logger: silentLogger, eagerMeta: true }, spread)(event())
    await kinesisHandler({ schema: z.unknown(), logger: silentLogger })
      .use((next) => (p, meta) => next(p, { ...meta }))
      .handle(spread)(event())
    expect(spreads.map((s) => [s.shardId, s.arrivedAt])).toEqual([
      [undefined, undefined],
      ['shardId-000000000007', new Date(1545084650987)],
      ['shardId-000000000007', new Date(1545084650987)],
    ])
  })

  it('a field whose record throws when read a second time fails the record as invalid, lazy or eager', async () => {
    const hostile = () => {
      const e = event()
      let reads = 0
      Object.defineProperty(e.Records[0]!.kinesis, 'approximateArrivalTimestamp', {
        get() {
          if (++reads > 1) throw new Error('second read')
          return 1545084650.987
        },
      })
      return e
    }
    const lazy = kinesisHandler({ schema: z.unknown(), logger: silentLogger, allFailed: 'report' }, (_p, meta) => meta.arrivedAt)
    const eager = kinesisHandler({ schema: z.unknown(), logger: silentLogger, allFailed: 'report', eagerMeta: true }, () => {})
    for (const handler of [lazy, eager]) {
      const report = await handler.process(hostile())
      expect(report.outcomes[0]).toMatchObject({ status: 'invalid', reason: { kind: 'decode' } })
      expect(report.batchItemFailures).toHaveLength(1)
    }
  })

  it('eagerMeta is a Kinesis and SQS option, true or false, and not a DynamoDB one', () => {
    expect(() => sqsHandler({ schema: z.unknown(), eagerMeta: 'yes' as never }, () => {})).toThrow(
      'sqsHandler: `eagerMeta` must be true or false; received "yes".',
    )
    expect(() => kinesisHandler({ schema: z.unknown(), eagerMeta: 1 as never }, () => {})).toThrow(
      'kinesisHandler: `eagerMeta` must be true or false; received 1.',
    )
    expect(() => dynamodbHandler({ schema: z.unknown(), eagerMeta: true } as never, () => {})).toThrow(/unknown option `eagerMeta`/)
  })
})
