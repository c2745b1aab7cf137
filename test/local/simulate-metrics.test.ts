// report.metrics: the event source mapping's own CloudWatch metrics (facts 133-143), per source.
import type { DynamoDBStreamEvent, KinesisStreamEvent, SQSEvent } from 'aws-lambda'
import { describe, expect, it } from 'vitest'
import type { KafkaEvent } from 'lambda-stream-handlers'
import { simulate, type EventSourceMapping, type Lambda, type MappingReport, type MetricValues } from 'lambda-stream-handlers/local'
import { dynamodbEvent } from 'lambda-stream-handlers/testing'

const RBIF = ['ReportBatchItemFailures'] as const
const DESTINATION = { DestinationConfig: { OnFailure: { Destination: 'arn:aws:sqs:us-east-1:123456789012:failed' } } } as const
const text = (data: string): string => Buffer.from(data, 'base64').toString()
const payloads = (event: KinesisStreamEvent): string[] => event.Records.map((r) => text(r.kinesis.data))

/** The metrics of a report, which simulate() always gives. */
function metricsOf(report: MappingReport): NonNullable<MappingReport['metrics']> {
  expect(report.metrics).toBeDefined()
  const m = report.metrics as NonNullable<MappingReport['metrics']>
  // Every count's minutes add up to its total.
  for (const [name, total] of Object.entries(m.total)) {
    if (name === 'IteratorAge' || name === 'MaxOffsetLag' || name === 'SumOffsetLag') continue // levels, not counts
    expect(
      m.perMinute.reduce((sum, row) => sum + (row[name as keyof MetricValues] ?? 0), 0),
      name,
    ).toBe(total)
  }
  return m
}
/** One metric, minute by minute. */
const column = (report: MappingReport, name: keyof MetricValues): (number | undefined)[] =>
  metricsOf(report).perMinute.map((row) => row[name])

/** A Kinesis handler that throws when its batch holds one of `poison`. */
const throwsOn =
  (...poison: string[]) =>
  (event: KinesisStreamEvent): void => {
    if (payloads(event).some((p) => poison.some((x) => p.includes(x)))) throw new Error('poison in batch')
  }

describe('Kinesis and DynamoDB Streams', () => {
  it('facts 133-135: PolledEventCount counts a record once however often it is retried, and 0 in a minute with nothing to read', async () => {
    const report = await simulate(throwsOn('bad'), {
      source: 'kinesis',
      records: [{ data: 'a' }, { data: 'bad' }, { data: 'c', at: 3 * 60_000 }],
      MaximumRetryAttempts: 2,
    })
    expect(report.invocations.map((i) => i.records.length)).toEqual([2, 2, 2, 1])
    const m = metricsOf(report)
    expect(m.total.PolledEventCount).toBe(3)
    expect(m.total.InvokedEventCount).toBe(7)
    expect(m.perMinute.map((r) => r.minute)).toEqual([
      '2026-01-01T00:00:00.000Z',
      '2026-01-01T00:01:00.000Z',
      '2026-01-01T00:02:00.000Z',
      '2026-01-01T00:03:00.000Z',
    ])
    expect(column(report, 'PolledEventCount')).toEqual([2, 0, 0, 1])
    // Kinesis publishes no DeletedEventCount or CommittedEventCount, and without a filter no FilteredOutEventCount.
    expect(Object.keys(m.total)).toEqual([
      'PolledEventCount',
      'InvokedEventCount',
      'FailedInvokeEventCount',
      'DroppedEventCount',
      'IteratorAge',
    ])
    expect(report.assumptions.some((a) => a.startsWith('Metrics: PolledEventCount counts a record once'))).toBe(true)
  })

  it('fact 134: a mapping with nothing to read publishes 0, not nothing', async () => {
    const report = await simulate(() => {}, { source: 'kinesis', records: [], start: new Date('2026-01-01T00:00:00Z') })
    expect(metricsOf(report)).toEqual({
      total: { PolledEventCount: 0, InvokedEventCount: 0, FailedInvokeEventCount: 0, DroppedEventCount: 0 },
      perMinute: [
        { minute: '2026-01-01T00:00:00.000Z', PolledEventCount: 0, InvokedEventCount: 0, FailedInvokeEventCount: 0, DroppedEventCount: 0 },
      ],
    })
  })

  it('fact 137: InvokedEventCount counts every retry, a bisected half and a remainder at the invocation’s start', async () => {
    const report = await simulate(throwsOn('bad'), {
      source: 'kinesis',
      records: [{ data: 'a' }, { data: 'b' }, { data: 'bad' }, { data: 'd' }],
      MaximumRetryAttempts: 0,
      BisectBatchOnFunctionError: true,
      retryDelayMs: () => 40_000,
    })
    const sizes = report.invocations.map((i) => i.records.length)
    expect(metricsOf(report).total.InvokedEventCount).toBe(sizes.reduce((a, b) => a + b, 0))
    expect(metricsOf(report).total.InvokedEventCount).toBeGreaterThan(4)
    const perMinute = new Map<string, number>()
    for (const i of report.invocations) perMinute.set(i.at.slice(0, 16), (perMinute.get(i.at.slice(0, 16)) ?? 0) + i.records.length)
    expect(column(report, 'InvokedEventCount').filter((n) => n !== 0)).toEqual([...perMinute.values()])
  })

  it('fact 138: FailedInvokeEventCount counts every record of a partially failed, throwing or timed-out invocation, when it ends', async () => {
    // A partial failure: one record of three reported, the three count.
    let calls = 0
    const partial = await simulate(
      (event: KinesisStreamEvent) =>
        ++calls === 1 ? { batchItemFailures: [{ itemIdentifier: event.Records[1]!.kinesis.sequenceNumber }] } : {},
      { source: 'kinesis', records: [{ data: 'a' }, { data: 'b' }, { data: 'c' }], FunctionResponseTypes: RBIF },
    )
    expect(partial.invocations.map((i) => i.result)).toEqual(['partial', 'success'])
    expect(metricsOf(partial).total.FailedInvokeEventCount).toBe(3)

    // The same answer without ReportBatchItemFailures is a success to Lambda: nothing failed.
    const ignored = await simulate(
      (event: KinesisStreamEvent) => ({ batchItemFailures: [{ itemIdentifier: event.Records[1]!.kinesis.sequenceNumber }] }),
      { source: 'kinesis', records: [{ data: 'a' }, { data: 'b' }, { data: 'c' }] },
    )
    expect(metricsOf(ignored).total.FailedInvokeEventCount).toBe(0)

    // A timeout that starts at 00:00:59 and ends in the next minute: invoked in the first, failed in the second.
    const timedOut = await simulate(() => {}, {
      source: 'kinesis',
      records: [
        { data: 'a', at: 59_000 },
        { data: 'b', at: 59_000 },
      ],
      start: new Date('2026-01-01T00:00:00Z'),
      timeoutSeconds: 3,
      durationMs: 5000,
      MaximumRetryAttempts: 0,
    })
    expect(timedOut.invocations.map((i) => [i.at, i.result])).toEqual([['2026-01-01T00:00:59.000Z', 'timeout']])
    expect(column(timedOut, 'InvokedEventCount')).toEqual([2, 0])
    expect(column(timedOut, 'FailedInvokeEventCount')).toEqual([0, 2])
  })

  it('fact 139: DroppedEventCount counts records discarded or aged out without a destination, not those the stream’s retention removed', async () => {
    const report = await simulate(throwsOn('bad', 'old'), {
      source: 'kinesis',
      shards: 2,
      records: [
        { data: 'bad', partitionKey: 'k-1' },
        { data: 'ok', partitionKey: 'k-1', at: 1000 },
        { data: 'old', partitionKey: 'k-2' },
      ],
      MaximumRetryAttempts: 1,
      FunctionResponseTypes: RBIF,
    })
    const lost = report.outcomes.filter((o) => o.fate === 'discarded')
    expect(lost.length).toBeGreaterThan(0)
    const m = metricsOf(report)
    expect(m.total.DroppedEventCount).toBe(lost.length)
    expect(m.total.OnFailureDestinationDeliveredEventCount).toBeUndefined()

    // Records past MaximumRecordAgeInSeconds are dropped too; records past the stream's retention are not.
    const aged = await simulate(throwsOn('x'), {
      source: 'kinesis',
      records: [{ data: 'x' }, { data: 'y', at: 1000 }],
      MaximumRecordAgeInSeconds: 60,
      retryDelayMs: () => 30_000,
    })
    const expired = aged.outcomes.filter((o) => o.expiredBy === 'MaximumRecordAgeInSeconds')
    expect(expired.length).toBe(2)
    expect(metricsOf(aged).total.DroppedEventCount).toBe(2)
    const retention = await simulate(throwsOn('x'), {
      source: 'kinesis',
      records: [{ data: 'x' }],
      retentionHours: 1,
      maxInvocations: 1000,
    })
    expect(retention.outcomes.map((o) => [o.fate, o.expiredBy])).toEqual([['expired', 'retention']])
    expect(metricsOf(retention).total).toMatchObject({ PolledEventCount: 1, DroppedEventCount: 0 })
  })

  it('fact 140: with an on-failure destination the discarded records count in OnFailureDestinationDeliveredEventCount, record by record, not as dropped', async () => {
    const report = await simulate(throwsOn('bad'), {
      source: 'kinesis',
      records: [{ data: 'a' }, { data: 'bad' }, { data: 'c' }],
      MaximumRetryAttempts: 1,
      ...DESTINATION,
    })
    expect(report.failureDestination).toHaveLength(1)
    const m = metricsOf(report)
    expect(m.total.OnFailureDestinationDeliveredEventCount).toBe(3)
    expect(m.total.DroppedEventCount).toBe(0)
    const sentAt = report.failureDestination[0]!.timestamp.slice(0, 16)
    const row = m.perMinute.find((r) => r.minute.startsWith(sentAt))
    expect(row?.OnFailureDestinationDeliveredEventCount).toBe(3)
  })

  it('fact 140: a mapping read from a template brings its destination to the metrics', async () => {
    const mapping: EventSourceMapping = {
      logicalId: 'Orders',
      source: 'kinesis',
      settings: { StartingPosition: 'TRIM_HORIZON', MaximumRetryAttempts: 0, ...DESTINATION },
      sourceSettings: {},
      function: {},
      unresolved: [],
    }
    const report = await simulate(throwsOn('bad') as Lambda<never>, { mapping, records: [{ data: 'bad' }] })
    expect(metricsOf(report).total).toMatchObject({ DroppedEventCount: 0, OnFailureDestinationDeliveredEventCount: 1 })
  })

  it('fact 136: FilteredOutEventCount, with FilterCriteria only, counts the records the filter dropped, which were read all the same', async () => {
    const report = await simulate(() => {}, {
      source: 'kinesis',
      records: [{ data: { kind: 'order' } }, { data: { kind: 'noise' } }, { data: { kind: 'noise' }, at: 120_000 }],
      FilterCriteria: { Filters: [{ Pattern: JSON.stringify({ data: { kind: ['order'] } }) }] },
    })
    expect(report.outcomes.map((o) => o.fate)).toEqual(['succeeded', 'filtered', 'filtered'])
    const m = metricsOf(report)
    expect(m.total).toMatchObject({ PolledEventCount: 3, FilteredOutEventCount: 2, InvokedEventCount: 1 })
    expect(column(report, 'FilteredOutEventCount')).toEqual([1, 0, 1])
  })

  it('fact 143: IteratorAge is the age of the event’s last record when the function is invoked, the largest in each minute', async () => {
    // A batching window of 10 s: the first record waits 10 s, the last one 4 s.
    const report = await simulate(() => {}, {
      source: 'kinesis',
      records: [{ data: 'a' }, { data: 'b', at: 6000 }, { data: 'c', at: 125_000 }],
      MaximumBatchingWindowInSeconds: 10,
    })
    expect(report.invocations.map((i) => [i.at.slice(11, 19), i.records.length])).toEqual([
      ['00:00:10', 2],
      ['00:02:15', 1],
    ])
    expect(column(report, 'IteratorAge')).toEqual([4000, undefined, 10_000])
    expect(metricsOf(report).total.IteratorAge).toBe(10_000)
  })

  it('DynamoDB Streams: the same metrics, IteratorAge from the change’s creation time', async () => {
    const event = dynamodbEvent([{ eventName: 'INSERT', newImage: { id: 'a' } }], { createdAt: new Date('2026-01-01T00:00:00Z') })
    const report = await simulate(
      (e: DynamoDBStreamEvent) => {
        if (e.Records.length > 0) throw new Error('down')
      },
      { source: 'dynamodb', records: event, MaximumRetryAttempts: 1, durationMs: 500 },
    )
    const m = metricsOf(report)
    expect(m.total).toEqual({
      PolledEventCount: 1,
      InvokedEventCount: 2,
      FailedInvokeEventCount: 2,
      DroppedEventCount: 1,
      IteratorAge: m.total.IteratorAge,
    })
    // The retry starts a little over 1 s after the first invocation: the record is older by then.
    expect(m.total.IteratorAge).toBeGreaterThanOrEqual(1000)
  })
})

describe('SQS', () => {
  it('facts 135 and 141: each receive is read and invoked again; a message is deleted once, when the function succeeds with it', async () => {
    let calls = 0
    const report = await simulate(
      (event: SQSEvent) => {
        if (++calls <= 2) throw new Error(`down ${event.Records.length}`)
      },
      { source: 'sqs', records: [{ body: 'a' }, { body: 'b' }], visibilityTimeoutSeconds: 30 },
    )
    expect(report.invocations.map((i) => i.result)).toEqual(['error', 'error', 'success'])
    const m = metricsOf(report)
    expect(m.total).toEqual({ PolledEventCount: 6, InvokedEventCount: 6, FailedInvokeEventCount: 4, DeletedEventCount: 2 })
    expect(column(report, 'DeletedEventCount')).toEqual([0, 2])
    expect(report.assumptions.some((a) => a.startsWith('Metrics: PolledEventCount counts a message at each receive'))).toBe(true)
  })

  it('fact 141: a message moved to the dead-letter queue is not deleted by Lambda; a filtered one is read and filtered, not counted as deleted', async () => {
    const report = await simulate(
      (event: SQSEvent) => ({
        batchItemFailures: event.Records.filter((r) => r.body.includes('bad')).map((r) => ({ itemIdentifier: r.messageId })),
      }),
      {
        source: 'sqs',
        records: [{ body: { kind: 'bad' } }, { body: { kind: 'good' } }, { body: { kind: 'noise' } }],
        FunctionResponseTypes: RBIF,
        maxReceiveCount: 2,
        visibilityTimeoutSeconds: 10,
        FilterCriteria: { Filters: [{ Pattern: JSON.stringify({ body: { kind: ['bad', 'good'] } }) }] },
      },
    )
    expect(report.outcomes.map((o) => o.fate)).toEqual(['dead-lettered', 'succeeded', 'filtered'])
    expect(metricsOf(report).total).toEqual({
      PolledEventCount: 4, // bad twice, good once, noise once
      FilteredOutEventCount: 1,
      InvokedEventCount: 3,
      FailedInvokeEventCount: 3, // the first invocation reported a failure: both its messages count
      DeletedEventCount: 1,
    })
  })
})

describe('Kafka', () => {
  const value = (event: KafkaEvent): string[] =>
    Object.values(event.records)
      .flat()
      .map((r) => Buffer.from(r.value as string, 'base64').toString())

  it('fact 142: CommittedEventCount counts each record once the partition’s offset passes it, filtered ones included; no IteratorAge', async () => {
    const report = await simulate(() => {}, {
      source: 'kafka',
      records: [{ value: { k: 'a' } }, { value: { k: 'noise' } }, { value: { k: 'b' }, partition: 1, at: 90_000 }],
      FilterCriteria: { Filters: [{ Pattern: JSON.stringify({ value: { k: ['a', 'b'] } }) }] },
    })
    const m = metricsOf(report)
    expect(m.total).toEqual({
      PolledEventCount: 3,
      FilteredOutEventCount: 1,
      InvokedEventCount: 2,
      FailedInvokeEventCount: 0,
      DroppedEventCount: 0,
      CommittedEventCount: 3,
      MaxOffsetLag: 2, // a and noise, written at 0 s and committed together after a's invocation
      SumOffsetLag: 2,
    })
    expect(column(report, 'CommittedEventCount')).toEqual([2, 1])
  })

  it('facts 139-140: a Kafka topic destination counts each discarded record; retried until the topic drops them, nothing is dropped', async () => {
    const poison = (event: KafkaEvent): void => {
      if (value(event).some((v) => v.includes('bad'))) throw new Error('poison')
    }
    const sent = await simulate(poison, {
      source: 'kafka',
      records: [{ value: 'bad' }, { value: 'ok' }],
      ProvisionedPollerConfig: { MinimumPollers: 1 },
      MaximumRetryAttempts: 1,
      DestinationConfig: { OnFailure: { Destination: 'kafka://failed' } },
    })
    expect(sent.failureDestination).toHaveLength(2) // one message per record
    expect(metricsOf(sent).total).toMatchObject({
      OnFailureDestinationDeliveredEventCount: 2,
      DroppedEventCount: 0,
      CommittedEventCount: 2,
    })

    const kept = await simulate(poison, { source: 'kafka', records: [{ value: 'bad' }], retentionHours: 0.05, maxInvocations: 1000 })
    expect(kept.outcomes.map((o) => [o.fate, o.expiredBy])).toEqual([['expired', 'retention']])
    const m = metricsOf(kept)
    expect(m.total).toMatchObject({ PolledEventCount: 1, DroppedEventCount: 0, CommittedEventCount: 1 })
    expect(m.total.InvokedEventCount).toBe(kept.invocations.length)
    expect(m.total.IteratorAge).toBeUndefined()
  })
})
