// Issue 30: where simulate() departed from AWS's documentation. Each test is named after its fact.
import { describe, expect, it } from 'vitest'
import * as z from 'zod'
import { ConfigurationError, dynamodbHandler, kinesisHandler, silentLogger, sqsHandler } from 'lambda-stream-handlers'
import { dynamodbEvent, insert } from 'lambda-stream-handlers/testing'
import { simulate } from 'lambda-stream-handlers/local'

const ok = kinesisHandler({ schema: z.unknown(), logger: silentLogger }, () => {})
const sqsOk = sqsHandler({ schema: z.unknown(), logger: silentLogger }, () => {})
const t0 = Date.UTC(2026, 0, 1)
const seconds = (iso: string) => (Date.parse(iso) - t0) / 1000

// DynamoDB Streams take the same rule: both stream sources are scheduled by rules.ts's nextStart.
describe('fact 23: the next batching window opens as soon as the previous invocation completes', () => {
  it('Kinesis: a 10 s window, the previous invocation done at 10 s, a record at 15 s is invoked at 20 s', async () => {
    const report = await simulate(ok, {
      source: 'kinesis',
      records: [{ data: 1 }, { data: 2, at: 15_000 }],
      MaximumBatchingWindowInSeconds: 10,
    })
    expect(report.invocations.map((i) => seconds(i.at))).toEqual([10, 20])
  })

  it('Kinesis: a record after a window that ended empty opens its own window', async () => {
    const report = await simulate(ok, {
      source: 'kinesis',
      records: [{ data: 1 }, { data: 2, at: 40_000 }],
      MaximumBatchingWindowInSeconds: 10,
    })
    expect(report.invocations.map((i) => seconds(i.at))).toEqual([10, 50])
  })

  it('SQS: the window after an invocation opens when it ends', async () => {
    const report = await simulate(sqsOk, {
      source: 'sqs',
      records: [{ body: '1' }, { body: '2', at: 15_000 }],
      MaximumBatchingWindowInSeconds: 10,
      ScalingConfig: { MaximumConcurrency: 2 },
    })
    expect(report.invocations.map((i) => seconds(i.at))).toEqual([10, 20])
  })
})

describe('fact 114: a StartingPositionTimestamp must be a time, not in the future', () => {
  const records = [{ data: 1 }, { data: 2, at: 1000 }]
  it('a timestamp after the mapping starts is refused', async () => {
    await expect(
      simulate(ok, { source: 'kinesis', records, StartingPosition: 'AT_TIMESTAMP', StartingPositionTimestamp: t0 / 1000 + 3600 }),
    ).rejects.toThrow(/`StartingPositionTimestamp` \(2026-01-01T01:00:00.000Z\) is in the future of the mapping's start/)
  })
  it.each([['2026-01-01'], [Number.NaN], [Infinity], [-1]])('%s is refused, not 0 outcomes', async (timestamp) => {
    const run = simulate(ok, {
      source: 'kinesis',
      records,
      StartingPosition: 'AT_TIMESTAMP',
      StartingPositionTimestamp: timestamp as number,
    })
    await expect(run).rejects.toBeInstanceOf(ConfigurationError)
  })
  it('a timestamp at the start is taken', async () => {
    const report = await simulate(ok, {
      source: 'kinesis',
      records,
      StartingPosition: 'AT_TIMESTAMP',
      StartingPositionTimestamp: t0 / 1000,
    })
    expect(report.outcomes.map((o) => o.fate)).toEqual(['succeeded', 'succeeded'])
  })
})

describe('fact 115: a DynamoDB failure record gives arrival times in whole seconds', () => {
  it('"2026-01-01T00:00:10Z", while Kinesis keeps its milliseconds', async () => {
    const failing = dynamodbHandler({ schema: z.unknown(), logger: silentLogger }, () => {
      throw new Error('always')
    })
    const records = dynamodbEvent([insert({ id: 'a' })], { keys: ['id'], createdAt: new Date(t0 + 10_000) })
    const report = await simulate(failing, { source: 'dynamodb', records, MaximumRetryAttempts: 0 })
    const info = (report.failureDestination[0] as unknown as { DDBStreamBatchInfo: Record<string, unknown> }).DDBStreamBatchInfo
    expect(info.approximateArrivalOfFirstRecord).toBe('2026-01-01T00:00:10Z')
    expect(info.approximateArrivalOfLastRecord).toBe('2026-01-01T00:00:10Z')
    const kinesisFailing = kinesisHandler({ schema: z.number().max(0), logger: silentLogger }, () => {})
    const k = await simulate(kinesisFailing, { source: 'kinesis', records: [{ data: 1, at: 1500 }], MaximumRetryAttempts: 0 })
    const kinfo = (k.failureDestination[0] as unknown as { KinesisBatchInfo: Record<string, unknown> }).KinesisBatchInfo
    expect(kinfo.approximateArrivalOfFirstRecord).toBe('2026-01-01T00:00:01.500Z')
  })
})

describe('fact 62: a window state past 1 MB ends the window early, flagged by isWindowTerminatedEarly', () => {
  it('a 2 MB state is not carried on: the next invocation is the final one, flagged; later records start afresh', async () => {
    const seen: { records: number; final: boolean; early: boolean; stateBytes: number }[] = []
    const windowHandler = async (event: {
      Records: unknown[]
      state: Record<string, unknown>
      isFinalInvokeForWindow: boolean
      isWindowTerminatedEarly: boolean
    }) => {
      const stateBytes = JSON.stringify(event.state).length
      seen.push({ records: event.Records.length, final: event.isFinalInvokeForWindow, early: event.isWindowTerminatedEarly, stateBytes })
      // The first invocation returns a 2 MB state; later ones a small one.
      return { state: { big: seen.length === 1 ? 'x'.repeat(2 * 1024 * 1024) : '' } }
    }
    await simulate(windowHandler as never, {
      source: 'kinesis',
      records: [{ data: 1 }, { data: 2, at: 5_000 }],
      TumblingWindowInSeconds: 60,
      BatchSize: 1,
    })
    expect(seen.map(({ records, final, early }) => ({ records, final, early }))).toEqual([
      { records: 1, final: false, early: false },
      { records: 0, final: true, early: true },
      { records: 1, final: false, early: false },
      { records: 0, final: true, early: false },
    ])
    expect(seen[1]?.stateBytes).toBeGreaterThan(2 * 1024 * 1024)
    expect(seen[2]?.stateBytes).toBe(2) // {}: a fresh state
  })
})
