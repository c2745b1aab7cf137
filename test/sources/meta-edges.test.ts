import { describe, expect, it } from 'vitest'
import * as z from 'zod'
import { kinesisHandler, silentLogger, sqsHandler, type RecordOutcome } from 'lambda-stream-handlers'
import { kinesisEvent, sqsEvent } from 'lambda-stream-handlers/testing'

const reasons = (outcomes: readonly RecordOutcome[]) => outcomes.map((o) => (o.status === 'ok' ? 'ok' : `${o.status}: ${o.reason.message}`))

describe('an approximateArrivalTimestamp no Date can hold is a malformed field', () => {
  const at = (seconds: number) => {
    const event = kinesisEvent([{ a: 1 }])
    ;(event.Records[0]!.kinesis as { approximateArrivalTimestamp: number }).approximateArrivalTimestamp = seconds
    return event
  }

  it('fails the record as invalid, lazy (when read) or eager, naming the field', async () => {
    const seen: unknown[] = []
    const lazy = kinesisHandler({ schema: z.unknown(), logger: silentLogger, allFailed: 'report' }, (_p, meta) => {
      seen.push(meta.arrivedAt)
    })
    const eager = kinesisHandler({ schema: z.unknown(), logger: silentLogger, allFailed: 'report', eagerMeta: true }, (_p, meta) => {
      seen.push(meta.arrivedAt)
    })
    for (const seconds of [1e13, 1e300, -1e13]) {
      for (const handler of [lazy, eager]) {
        const report = await handler.process(at(seconds))
        expect(reasons(report.outcomes)).toEqual([
          'invalid: kinesis.approximateArrivalTimestamp is out of range: epoch seconds beyond ±8,640,000,000,000 make no Date.',
        ])
      }
    }
    expect(seen).toEqual([])
  })

  it('a lazy field not read leaves the record alone; the largest time a Date holds passes', async () => {
    const handler = kinesisHandler({ schema: z.unknown(), logger: silentLogger, allFailed: 'report' }, () => {})
    expect(reasons((await handler.process(at(1e13))).outcomes)).toEqual(['ok'])
    let arrived: Date | undefined
    const reads = kinesisHandler({ schema: z.unknown(), logger: silentLogger }, (_p, meta) => void (arrived = meta.arrivedAt))
    await reads(at(8.64e12))
    expect(arrived?.getTime()).toBe(8.64e15)
  })
})

describe('a frozen, sealed or non-extensible meta still gives its lazy fields', () => {
  for (const lock of [Object.freeze, Object.seal, Object.preventExtensions]) {
    it(`Kinesis and SQS, after ${lock.name}`, async () => {
      const got: unknown[] = []
      const kinesis = kinesisHandler({ schema: z.unknown(), logger: silentLogger }, (_p, meta) => {
        lock(meta)
        got.push(meta.shardId, meta.arrivedAt.getTime(), meta.shardId)
      })
      await expect(kinesis(kinesisEvent([{ a: 1 }]))).resolves.toEqual({ batchItemFailures: [] })
      const sqs = sqsHandler({ schema: z.unknown(), logger: silentLogger }, (_p, meta) => {
        lock(meta)
        got.push(meta.receiveCount, typeof meta.attributes, meta.sentAt instanceof Date)
      })
      await expect(sqs(sqsEvent([{ a: 1 }]))).resolves.toEqual({ batchItemFailures: [] })
      expect(got).toEqual(['shardId-000000000000', expect.any(Number), 'shardId-000000000000', 1, 'object', true])
    })
  }

  it('a broken field of a frozen meta still fails the record as invalid', async () => {
    const handler = sqsHandler({ schema: z.unknown(), logger: silentLogger, allFailed: 'report' }, (_p, meta) => {
      Object.freeze(meta)
      return meta.sentAt
    })
    const event = sqsEvent([{ a: 1 }])
    ;(event.Records[0]!.attributes as unknown as Record<string, unknown>).SentTimestamp = 'never'
    const report = await handler.process(event)
    expect(report.outcomes[0]).toMatchObject({ status: 'invalid', reason: { kind: 'decode' } })
  })
})
