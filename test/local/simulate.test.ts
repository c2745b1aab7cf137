import type { DynamoDBStreamEvent, KinesisStreamEvent } from 'aws-lambda'
import { describe, expect, it } from 'vitest'
import * as z from 'zod'
import { ConfigurationError, kinesisHandler, silentLogger } from 'lambda-stream-handlers'
import { simulate, type KinesisSimulation, type MappingReport } from 'lambda-stream-handlers/local'
import { kinesisEvent } from 'lambda-stream-handlers/testing'

type Put = { data: unknown; partitionKey?: string; at?: number }
const puts = (n: number, extra: (i: number) => Partial<Put> = () => ({})): Put[] =>
  Array.from({ length: n }, (_, i) => ({ data: { i }, ...extra(i) }))
const payloads = (event: KinesisStreamEvent): number[] =>
  event.Records.map((r) => (JSON.parse(Buffer.from(r.kinesis.data, 'base64').toString()) as { i: number }).i)
const RBIF = ['ReportBatchItemFailures'] as const

/** The payload numbers of each invocation's records. */
const batches = (report: MappingReport): number[][] => report.invocations.map((inv) => payloads(inv.event as KinesisStreamEvent))
const fates = (report: MappingReport): string[] => report.outcomes.map((o) => o.fate)

/** A raw Lambda handler that throws when the batch holds a payload in `poison`. */
const throwsOn =
  (...poison: number[]) =>
  (event: KinesisStreamEvent): void => {
    if (payloads(event).some((i) => poison.includes(i))) throw new Error('poison in batch')
  }

/** A raw Lambda handler that reports the records in `poison` (by payload) in batchItemFailures. */
const reports =
  (...poison: number[]) =>
  (event: KinesisStreamEvent) => ({
    batchItemFailures: event.Records.filter((_, k) => poison.includes(payloads(event)[k]!)).map((r) => ({
      itemIdentifier: r.kinesis.sequenceNumber,
    })),
  })

const kinesis = (records: Put[], settings: Omit<KinesisSimulation, 'source' | 'records'> = {}): KinesisSimulation => ({
  source: 'kinesis',
  records,
  ...settings,
})

describe('batching', () => {
  it('fact 22: with a window of 0, a batch goes as soon as records are there, up to BatchSize', async () => {
    const report = await simulate(() => {}, kinesis(puts(5), { BatchSize: 2 }))
    expect(batches(report)).toEqual([[0, 1], [2, 3], [4]])
    expect(fates(report)).toEqual(Array(5).fill('succeeded'))
  })

  it('fact 22: with a batching window, records gather until the window closes or BatchSize is reached', async () => {
    // Records at 0, 1 s, 2 s, … 9 s; a 3 s window; BatchSize 10.
    const report = await simulate(
      () => {},
      kinesis(
        puts(10, (i) => ({ at: i * 1000 })),
        { BatchSize: 10, MaximumBatchingWindowInSeconds: 3 },
      ),
    )
    // Fact 23: each window after the first opens when the previous invocation ends (3 s, then 6 s).
    expect(batches(report)).toEqual([
      [0, 1, 2, 3],
      [4, 5, 6],
      [7, 8, 9],
    ])
    expect(report.invocations.map((i) => i.at.slice(11, 19))).toEqual(['00:00:03', '00:00:06', '00:00:09'])
    const full = await simulate(
      () => {},
      kinesis(
        puts(10, (i) => ({ at: i * 100 })),
        { BatchSize: 3, MaximumBatchingWindowInSeconds: 60 },
      ),
    )
    expect(batches(full)).toEqual([[0, 1, 2], [3, 4, 5], [6, 7, 8], [9]])
    expect(full.invocations[0]!.at.slice(11, 23)).toBe('00:00:00.200') // when the third record arrived
  })

  it('fact 16: a batch never passes the 6 MB invoke payload limit, so it can hold fewer records than BatchSize', async () => {
    const big = 'x'.repeat(1_500_000) // 2 MB once base64-encoded
    const report = await simulate(
      () => {},
      kinesis(
        puts(7, () => ({ data: big })),
        { BatchSize: 100 },
      ),
    )
    expect(report.invocations.map((i) => i.records.length)).toEqual([3, 3, 1])
    for (const inv of report.invocations) expect(Buffer.byteLength(JSON.stringify(inv.event))).toBeLessThanOrEqual(6 * 1024 * 1024)
  })

  it('fact 26 and §11.7: one batch per shard at a time; the next waits for the running invocation', async () => {
    const report = await simulate(() => {}, kinesis(puts(3), { BatchSize: 1, durationMs: 500 }))
    expect(report.invocations.map((i) => i.at.slice(17, 23))).toEqual(['00.000', '00.500', '01.000'])
  })

  it('shards: puts spread over shards by partition key, each shard in order and with its own checkpoint', async () => {
    const report = await simulate(
      () => {},
      kinesis(
        puts(40, (i) => ({ partitionKey: `k${i % 8}` })),
        { shards: 2, BatchSize: 100, durationMs: 1000 },
      ),
    )
    expect(report.shards.map((s) => s.shardId)).toEqual(['shardId-000000000000', 'shardId-000000000001'])
    expect(report.invocations).toHaveLength(2)
    // Both shards' batches start at 0: shards run in parallel.
    expect(report.invocations.map((i) => i.at)).toEqual(['2026-01-01T00:00:00.000Z', '2026-01-01T00:00:00.000Z'])
    for (const s of report.shards) expect(s.checkpoint).toBe(report.outcomes.filter((o) => o.shardId === s.shardId).at(-1)!.id)
  })

  it('fact 27: ParallelizationFactor runs batches of one shard at once and keeps the order per partition key', async () => {
    const records = puts(30, (i) => ({ partitionKey: `key-${i % 5}` }))
    const report = await simulate(() => {}, kinesis(records, { ParallelizationFactor: 3, BatchSize: 4, durationMs: 100 }))
    const byKey = new Map<string, number[]>()
    for (const inv of report.invocations) {
      const event = inv.event as KinesisStreamEvent
      for (const [k, r] of event.Records.entries()) {
        byKey.set(r.kinesis.partitionKey, [...(byKey.get(r.kinesis.partitionKey) ?? []), payloads(event)[k]!])
      }
    }
    for (const list of byKey.values()) expect(list).toEqual([...list].sort((a, b) => a - b))
    expect(new Set(report.invocations.map((i) => i.lane)).size).toBeGreaterThan(1)
    expect(report.invocations.filter((i) => i.at === '2026-01-01T00:00:00.000Z').length).toBeGreaterThan(1)
  })

  it('StartingPosition LATEST: records put before the mapping starts are never read', async () => {
    const report = await simulate(
      () => {},
      kinesis(
        [
          { data: { i: 0 }, at: -5000 },
          { data: { i: 1 }, at: 0 },
        ],
        { StartingPosition: 'LATEST' },
      ),
    )
    expect(fates(report)).toEqual(['before-start', 'succeeded'])
    expect(batches(report)).toEqual([[1]])
  })
})

describe('errors: whole batch, retries, record age', () => {
  it('fact 33: a function error retries the whole batch and blocks the shard meanwhile', async () => {
    let calls = 0
    const report = await simulate(
      (event: KinesisStreamEvent) => {
        if (payloads(event).includes(1) && ++calls < 3) throw new Error('transient')
      },
      kinesis(puts(4), { BatchSize: 2 }),
    )
    expect(batches(report)).toEqual([
      [0, 1],
      [0, 1],
      [0, 1],
      [2, 3],
    ])
    expect(report.invocations.map((i) => i.trigger)).toEqual(['batch', 'retry', 'retry', 'batch'])
    expect(fates(report)).toEqual(Array(4).fill('succeeded'))
    expect(report.costly.duplicates.map((d) => d.deliveries)).toEqual([3, 3])
  })

  it('fact 35 and §11.1: MaximumRetryAttempts R gives R+1 invocations, and approximateInvokeCount R+1', async () => {
    const thrown = await simulate(throwsOn(0), kinesis(puts(1), { MaximumRetryAttempts: 1 }))
    expect(thrown.invocations).toHaveLength(2)
    expect(thrown.failureDestination[0]!.requestContext.approximateInvokeCount).toBe(2)
    expect(thrown.failureDestination[0]!.responseContext?.functionError).toBe('Unhandled')
    const badResponse = await simulate(
      () => ({ batchItemFailures: [{ itemIdentifier: '123' }] }),
      kinesis(puts(1), { MaximumRetryAttempts: 2, FunctionResponseTypes: RBIF }),
    )
    expect(badResponse.invocations).toHaveLength(3)
    expect(badResponse.failureDestination[0]!.requestContext.approximateInvokeCount).toBe(3)
  })

  it('facts 39-40: after the retries the batch is discarded, its failure record sent, and the shard moves on', async () => {
    const report = await simulate(throwsOn(1), kinesis(puts(4), { BatchSize: 2, MaximumRetryAttempts: 0, functionName: 'orders' }))
    expect(fates(report)).toEqual(['discarded', 'discarded', 'succeeded', 'succeeded'])
    const [first, second] = report.outcomes
    expect(report.failureDestination).toEqual([
      {
        requestContext: {
          requestId: expect.stringMatching(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-8[0-9a-f]{3}-[0-9a-f]{12}$/),
          functionArn: 'arn:aws:lambda:us-east-1:123456789012:function:orders',
          condition: 'RetryAttemptsExhausted',
          approximateInvokeCount: 1,
        },
        responseContext: { statusCode: 200, executedVersion: '$LATEST', functionError: 'Unhandled' },
        version: '1.0',
        timestamp: '2026-01-01T00:00:00.000Z',
        KinesisBatchInfo: {
          shardId: 'shardId-000000000000',
          startSequenceNumber: first!.id,
          endSequenceNumber: second!.id,
          approximateArrivalOfFirstRecord: '2026-01-01T00:00:00.000Z',
          approximateArrivalOfLastRecord: '2026-01-01T00:00:00.000Z',
          batchSize: 2,
          streamArn: 'arn:aws:kinesis:us-east-1:123456789012:stream/simulated-stream',
        },
      },
    ])
    expect(first!.failureRecord).toBe(report.failureDestination[0])
    expect(report.shards[0]!.checkpoint).toBe(report.outcomes[3]!.id)
  })

  it('fact 36 and §11.5: records past MaximumRecordAgeInSeconds are discarded before an invocation; fresh ones are still delivered', async () => {
    // Record 0 arrives at 0 and is retried with backoff until it is older than 60 s; record 1 arrives at 70 s.
    const report = await simulate(
      throwsOn(0),
      kinesis([{ data: { i: 0 } }, { data: { i: 1 }, at: 70_000 }], { MaximumRecordAgeInSeconds: 60, BatchSize: 10 }),
    )
    expect(fates(report)).toEqual(['expired', 'succeeded'])
    const aged = report.outcomes[0]!
    expect(aged.expiredBy).toBe('MaximumRecordAgeInSeconds')
    expect(aged.failureRecord?.requestContext.condition).toBe('RecordAgeExceeded')
    expect(aged.failureRecord).not.toHaveProperty('responseContext')
    expect(aged.failureRecord?.requestContext.approximateInvokeCount).toBe(aged.deliveries)
    // 1 s doubling backoff: invocations at 0, 1, 3, 7, 15, 31 s; at 63 s the record is too old.
    expect(aged.deliveries).toBe(6)
    // The head went alone to the destination; the fresh record was delivered in the same read.
    expect(aged.failureRecord?.KinesisBatchInfo?.batchSize).toBe(1)
    expect(batches(report).at(-1)).toEqual([1])
  })

  it('§11.5: approximateInvokeCount is 1 even when the function never ran', async () => {
    // A 61 s invocation of record 0 blocks the shard while record 1 ages past 60 s.
    const report = await simulate(
      () => {},
      kinesis(puts(2), { BatchSize: 1, durationMs: 61_000, timeoutSeconds: 900, MaximumRecordAgeInSeconds: 60 }),
    )
    expect(fates(report)).toEqual(['succeeded', 'expired'])
    expect(report.outcomes[1]!.deliveries).toBe(0)
    expect(report.outcomes[1]!.failureRecord?.requestContext.approximateInvokeCount).toBe(1)
  })

  it('retention: with infinite retries and age, a poison record blocks its shard until the stream drops it (fact 34)', async () => {
    const report = await simulate(throwsOn(0), kinesis([{ data: { i: 0 } }, { data: { i: 1 }, at: 12 * 3_600_000 }], { BatchSize: 1 }))
    expect(fates(report)).toEqual(['expired', 'succeeded'])
    expect(report.outcomes[0]!.expiredBy).toBe('retention')
    expect(report.outcomes[0]!.failureRecord).toBeUndefined()
    expect(report.invocations.at(-1)!.at.slice(0, 10)).toBe('2026-01-02') // record 1 waited a day
  })

  it('the function timeout: an invocation longer than timeoutSeconds fails, whatever it returned', async () => {
    const report = await simulate(
      () => {},
      kinesis(puts(2), {
        BatchSize: 10,
        timeoutSeconds: 5,
        durationMs: (e) => (e.Records.length > 1 ? 6000 : 10),
        MaximumRetryAttempts: 0,
        BisectBatchOnFunctionError: true,
      }),
    )
    expect(report.invocations.map((i) => i.result)).toEqual(['timeout', 'success', 'success'])
    expect(report.invocations[0]!.error).toEqual({ name: 'TimeoutError', message: 'Task timed out after 5.00 seconds' })
    expect(report.invocations[0]).not.toHaveProperty('response')
    expect(fates(report)).toEqual(['succeeded', 'succeeded'])
  })
})

describe('bisect', () => {
  it('fact 37: BisectBatchOnFunctionError splits a failed batch until the poison record is alone; splitting uses no retries', async () => {
    const report = await simulate(
      throwsOn(5),
      kinesis(puts(8), { BatchSize: 8, BisectBatchOnFunctionError: true, MaximumRetryAttempts: 0 }),
    )
    expect(batches(report)).toEqual([[0, 1, 2, 3, 4, 5, 6, 7], [0, 1, 2, 3], [4, 5, 6, 7], [4, 5], [4], [5], [6, 7]])
    expect(report.invocations.map((i) => i.trigger)).toEqual(['batch', 'bisect', 'bisect', 'bisect', 'bisect', 'bisect', 'bisect'])
    expect(fates(report)).toEqual(['succeeded', 'succeeded', 'succeeded', 'succeeded', 'succeeded', 'discarded', 'succeeded', 'succeeded'])
    expect(report.failureDestination).toHaveLength(1)
    expect(report.failureDestination[0]!.KinesisBatchInfo?.batchSize).toBe(1)
    // Bisect re-sends records that succeeded: duplicates (fact 84).
    expect(report.costly.duplicates.map((d) => d.id)).toEqual(report.outcomes.map((o) => o.id))
    expect(report.assumptions.some((a) => a.startsWith('BisectBatchOnFunctionError'))).toBe(true)
  })

  it('fact 37 (our choice, UNCONFIRMED): each half starts with a fresh retry count', async () => {
    const report = await simulate(
      throwsOn(1),
      kinesis(puts(2), { BatchSize: 2, BisectBatchOnFunctionError: true, MaximumRetryAttempts: 1 }),
    )
    // [0,1] fails and splits; [0] succeeds; [1] runs twice (R=1) and is discarded.
    expect(batches(report)).toEqual([[0, 1], [0], [1], [1]])
    expect(report.invocations.map((i) => i.attempt)).toEqual([1, 1, 1, 2])
  })

  it('fact 38: a malformed response is not a function error, so it is not bisected', async () => {
    const report = await simulate(
      () => ({ batchItemFailures: [{ itemIdentifier: '' }] }),
      kinesis(puts(2), { BisectBatchOnFunctionError: true, MaximumRetryAttempts: 1, FunctionResponseTypes: RBIF }),
    )
    expect(batches(report)).toEqual([
      [0, 1],
      [0, 1],
    ])
    expect(report.failureDestination[0]!.responseContext?.functionError).toBeNull()
  })
})

describe('partial batch responses', () => {
  it('fact 43: without ReportBatchItemFailures, a partial response is ignored and the records count as succeeded (visible in the report)', async () => {
    const report = await simulate(reports(1), kinesis(puts(3)))
    expect(fates(report)).toEqual(['succeeded', 'succeeded', 'succeeded'])
    expect(report.invocations).toHaveLength(1)
    const id = report.outcomes[1]!.id
    expect(report.invocations[0]!.ignoredBatchItemFailures).toEqual([id])
    expect(report.costly.ignoredPartialResponses).toEqual([{ invocation: 0, ids: [id] }])
    expect(report.outcomes[1]!.reportedButIgnored).toBe(true)
  })

  it('fact 45: Lambda checkpoints at the lowest reported sequence number and re-delivers everything from it', async () => {
    let first = true
    const report = await simulate(
      (event: KinesisStreamEvent) => {
        if (!first) return {}
        first = false
        return reports(3, 1)(event) // reported out of order: the lowest still wins
      },
      kinesis(puts(5), { FunctionResponseTypes: RBIF }),
    )
    expect(batches(report)).toEqual([
      [0, 1, 2, 3, 4],
      [1, 2, 3, 4],
    ])
    expect(report.invocations.map((i) => i.trigger)).toEqual(['batch', 'remainder'])
    expect(report.outcomes.map((o) => o.deliveries)).toEqual([1, 2, 2, 2, 2])
  })

  it('fact 46 and §11.4: the success forms of a streams response', async () => {
    for (const response of [null, undefined, [], {}, { batchItemFailures: [] }, { batchItemFailures: null }]) {
      const report = await simulate(() => response, kinesis(puts(2), { FunctionResponseTypes: RBIF, MaximumRetryAttempts: 0 }))
      expect(
        report.invocations.map((i) => i.result),
        JSON.stringify(response),
      ).toEqual(['success'])
      expect(fates(report)).toEqual(['succeeded', 'succeeded'])
    }
  })

  it('fact 47 and §11.3: malformed responses fail the whole batch with functionError null', async () => {
    const malformed = [
      { batchItemFailures: [{ itemIdentifier: '123' }] },
      { batchItemFailures: [{ itemIdentifier: 123 }] },
      { batchItemFailures: [{ itemIdentifier: '' }] },
      { batchItemFailures: [{ itemIdentifier: null }] },
      { batchItemFailures: [{ foo: 'x' }] },
      { batchItemFailures: [{ foo: null }] },
    ]
    for (const response of malformed) {
      const report = await simulate(() => response, kinesis(puts(2), { FunctionResponseTypes: RBIF, MaximumRetryAttempts: 0 }))
      expect(
        report.invocations.map((i) => i.result),
        JSON.stringify(response),
      ).toEqual(['malformed-response'])
      expect(fates(report)).toEqual(['discarded', 'discarded'])
      expect(report.failureDestination[0]!.responseContext).toEqual({ statusCode: 200, executedVersion: '$LATEST', functionError: null })
    }
  })

  it('§11.2: a partial failure that moves the checkpoint restarts the retry count; only the failing remainder is discarded', async () => {
    const R = 2
    const report = await simulate(reports(2), kinesis(puts(3), { FunctionResponseTypes: RBIF, MaximumRetryAttempts: R }))
    const [before1, before2, failing] = report.outcomes
    expect([before1!.deliveries, before2!.deliveries]).toEqual([1, 1])
    expect(failing!.deliveries).toBe(1 + (R + 1))
    expect(report.failureDestination).toHaveLength(1)
    const of = report.failureDestination[0]!
    expect(of.requestContext.approximateInvokeCount).toBe(R + 1)
    expect(of.responseContext?.functionError).toBeNull() // fact 42
    expect(of.KinesisBatchInfo).toMatchObject({ batchSize: 1, startSequenceNumber: failing!.id, endSequenceNumber: failing!.id })
    expect(fates(report)).toEqual(['succeeded', 'succeeded', 'discarded'])
  })
})

describe('the costly cases, with this library’s handler', () => {
  const Order = z.object({ orderId: z.string() })
  const handler = kinesisHandler({ schema: Order, logger: silentLogger }, () => {})
  const records = [{ data: { orderId: 'a' } }, { data: 'poison' }, { data: { orderId: 'c' } }, { data: { orderId: 'd' } }]

  it('a poison record takes the records behind it when the retries run out (DESIGN: the most common silent loss)', async () => {
    const report = await simulate(handler, { source: 'kinesis', records, FunctionResponseTypes: RBIF, MaximumRetryAttempts: 1 })
    expect(fates(report)).toEqual(['succeeded', 'discarded', 'discarded', 'discarded'])
    expect(report.costly.discardedBehindFailure).toEqual([report.outcomes[2]!.id, report.outcomes[3]!.id])
    expect(report.outcomes[1]!.discardedBehindFailure).toBeUndefined()
  })

  it('…and bisection saves them', async () => {
    const report = await simulate(handler, {
      source: 'kinesis',
      records,
      FunctionResponseTypes: RBIF,
      MaximumRetryAttempts: 1,
      BisectBatchOnFunctionError: true,
    })
    expect(fates(report)).toEqual(['succeeded', 'discarded', 'succeeded', 'succeeded'])
    expect(report.costly.discardedBehindFailure).toEqual([])
  })

  it('records built by the test kit keep their shard and sequence numbers', async () => {
    const event = kinesisEvent([{ orderId: 'a' }, { orderId: 'b' }], {
      schema: Order,
      shardId: 'shardId-000000000007',
      arrivedAt: new Date('2026-03-01T00:00:00Z'),
    })
    const report = await simulate(handler, { source: 'kinesis', records: event, FunctionResponseTypes: RBIF })
    expect(report.outcomes.map((o) => [o.shardId, o.id])).toEqual(
      event.Records.map((r) => ['shardId-000000000007', r.kinesis.sequenceNumber]),
    )
    // Window 0: the first record goes alone, as soon as it is there (fact 22).
    expect(report.invocations.map((i) => i.at)).toEqual(['2026-03-01T00:00:00.000Z', '2026-03-01T00:00:00.001Z'])
  })
})

describe('DynamoDB Streams: the same rules, its own record', () => {
  // "Example input.txt", Lambda DG tutorial "Using AWS Lambda with Amazon DynamoDB streams" (spec §9.2), trimmed, with creation times.
  const records = (): DynamoDBStreamEvent['Records'] =>
    [
      { eventID: '1', eventName: 'INSERT', SequenceNumber: '111', t: 1767225600 },
      { eventID: '2', eventName: 'MODIFY', SequenceNumber: '222', t: 1767225601 },
      { eventID: '3', eventName: 'REMOVE', SequenceNumber: '333', t: 1767225602 },
    ].map((r) => ({
      eventID: r.eventID,
      eventName: r.eventName as 'INSERT',
      eventVersion: '1.0',
      eventSource: 'aws:dynamodb',
      awsRegion: 'us-east-1',
      dynamodb: {
        Keys: { Id: { N: '101' } },
        SequenceNumber: r.SequenceNumber,
        SizeBytes: 26,
        StreamViewType: 'NEW_AND_OLD_IMAGES',
        ApproximateCreationDateTime: r.t,
      },
      eventSourceARN: 'arn:aws:dynamodb:us-east-1:123456789012:table/t/stream/2026-01-01T00:00:00.000',
    }))

  it('§11.2 and §11.6: checkpoint by dynamodb.SequenceNumber; the failure record is DDBStreamBatchInfo with second precision', async () => {
    const report = await simulate(
      (event: DynamoDBStreamEvent) => ({
        batchItemFailures: event.Records.filter((r) => r.eventName === 'REMOVE').map((r) => ({
          itemIdentifier: r.dynamodb!.SequenceNumber!,
        })),
      }),
      { source: 'dynamodb', records: records(), MaximumBatchingWindowInSeconds: 5, FunctionResponseTypes: RBIF, MaximumRetryAttempts: 3 },
    )
    expect(report.outcomes.map((o) => [o.id, o.fate, o.deliveries])).toEqual([
      ['111', 'succeeded', 1],
      ['222', 'succeeded', 1],
      ['333', 'discarded', 5],
    ])
    const of = report.failureDestination[0]!
    expect(of.requestContext.approximateInvokeCount).toBe(4) // §11.1: R=3 gives 4 on DynamoDB
    expect(of.DDBStreamBatchInfo).toEqual({
      shardId: 'shardId-00000000000000000000-00000000',
      startSequenceNumber: '333',
      endSequenceNumber: '333',
      approximateArrivalOfFirstRecord: '2026-01-01T00:00:02Z', // fact 115: whole seconds
      approximateArrivalOfLastRecord: '2026-01-01T00:00:02Z',
      batchSize: 1,
      streamArn: 'arn:aws:dynamodb:us-east-1:123456789012:table/t/stream/2026-01-01T00:00:00.000',
    })
    expect(of).not.toHaveProperty('KinesisBatchInfo')
  })

  it('§11.12: AT_TIMESTAMP is refused for DynamoDB', async () => {
    await expect(
      simulate(() => {}, {
        source: 'dynamodb',
        records: records(),
        StartingPosition: 'AT_TIMESTAMP',
        StartingPositionTimestamp: 1767225600,
      }),
    ).rejects.toThrow(/not available for DynamoDB Streams/)
  })

  it('fact 34: a DynamoDB stream keeps its records 24 hours; another retention is refused, 24 accepted', async () => {
    await expect(simulate(() => {}, { source: 'dynamodb', records: records(), retentionHours: 1 })).rejects.toThrow(
      /`retentionHours` is fixed at 24 for DynamoDB Streams/,
    )
    const report = await simulate(() => {}, { source: 'dynamodb', records: records(), retentionHours: 24 })
    expect(report.outcomes.every((o) => o.fate === 'succeeded')).toBe(true)
  })

  it('§11.1: a throw with R=1 gives 2 invocations on DynamoDB too', async () => {
    const report = await simulate(
      () => {
        throw new Error('down')
      },
      { source: 'dynamodb', records: records().slice(0, 1), MaximumRetryAttempts: 1 },
    )
    expect(report.invocations).toHaveLength(2)
    expect(report.failureDestination[0]!.requestContext.approximateInvokeCount).toBe(2)
  })
})

describe('settings and determinism', () => {
  it('refuses settings outside the API ranges with a sentence that says what to change', async () => {
    const bad: [Partial<KinesisSimulation>, RegExp][] = [
      [{ BatchSize: 0 }, /`BatchSize` must be a whole number from 1 to 10000; received 0/],
      [{ ParallelizationFactor: 11 }, /ParallelizationFactor/],
      [{ MaximumRecordAgeInSeconds: 30 }, /-1 or from 60 to 604800; received 30/],
      [{ MaximumRetryAttempts: 1.5 }, /MaximumRetryAttempts/],
      [{ FunctionResponseTypes: ['Report' as 'ReportBatchItemFailures'] }, /FunctionResponseTypes/],
      [{ batchSize: 10 } as Partial<KinesisSimulation>, /unknown option `batchSize`/],
      [{ StartingPosition: 'AT_TIMESTAMP' }, /StartingPositionTimestamp/],
    ]
    for (const [settings, message] of bad) {
      await expect(simulate(() => {}, { source: 'kinesis', records: [], ...settings })).rejects.toThrow(message)
    }
    await expect(simulate(() => {}, { source: 'kinesis', records: [], BatchSize: 0 })).rejects.toBeInstanceOf(ConfigurationError)
  })

  it('onInvocation reports progress: each invocation and the records settled so far', async () => {
    const seen: [number, number][] = []
    const report = await simulate(
      throwsOn(3),
      kinesis(puts(6), { BatchSize: 2, MaximumRetryAttempts: 1, onInvocation: (inv, settled) => seen.push([inv.index, settled]) }),
    )
    expect(seen).toEqual([
      [0, 2],
      [1, 2],
      [2, 4],
      [3, 6],
    ])
    expect(report.invocations).toHaveLength(4)
  })

  it('the same handler and settings give the same report', async () => {
    const settings = kinesis(
      puts(20, (i) => ({ partitionKey: `k${i % 3}`, at: i * 10 })),
      { shards: 2, ParallelizationFactor: 2, BatchSize: 3, BisectBatchOnFunctionError: true, MaximumRetryAttempts: 1, seed: 7 },
    )
    const a = await simulate(throwsOn(4, 11), settings)
    const b = await simulate(throwsOn(4, 11), settings)
    expect(JSON.stringify(a)).toBe(JSON.stringify(b))
    const c = await simulate(throwsOn(4, 11), { ...settings, seed: 8 })
    expect(c.failureDestination[0]!.requestContext.requestId).not.toBe(a.failureDestination[0]!.requestContext.requestId)
  })
})

describe('bad input', () => {
  it('refuses records it cannot place, naming the record', async () => {
    const event = kinesisEvent([{ a: 1 }])
    await expect(simulate(() => {}, { source: 'kinesis', records: [...event.Records, ...event.Records] })).rejects.toThrow(
      /share shard shardId-000000000000 and sequence number/,
    )
    await expect(simulate(() => {}, { source: 'kinesis', records: [{ data: 1 }, { data: 2, at: Number.NaN }] })).rejects.toThrow(
      /records\[1\]\.at must be a number/,
    )
    await expect(simulate(() => {}, { source: 'kinesis', records: [{ data: 1, partitionKey: '' }] })).rejects.toThrow(
      /partitionKey must be a string of 1 to 256/,
    )
    await expect(simulate(() => {}, { source: 'kinesis', records: [{ nodata: 1 } as unknown as { data: unknown }] })).rejects.toThrow(
      /records\[0\] must be a put/,
    )
  })
})
