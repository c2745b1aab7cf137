// report.metrics for Kafka: MaxOffsetLag and SumOffsetLag (fact 146), from the commits of fact 142.
import { describe, expect, it } from 'vitest'
import type { KafkaEvent } from 'lambda-stream-handlers'
import { simulate, type MappingReport } from 'lambda-stream-handlers/local'

/** Each minute's [MaxOffsetLag, SumOffsetLag]. */
const lags = (report: MappingReport): [number | undefined, number | undefined][] =>
  (report.metrics?.perMinute ?? []).map((m) => [m.MaxOffsetLag, m.SumOffsetLag])
const values = (event: KafkaEvent): string[] =>
  Object.values(event.records)
    .flat()
    .map((r) => Buffer.from(r.value as string, 'base64').toString())

describe('Kafka offset lag', () => {
  it('fact 146: MaxOffsetLag is the most behind partition, SumOffsetLag all partitions added up, the largest of each minute', async () => {
    const report = await simulate(() => {}, {
      source: 'kafka',
      records: [
        { value: 'a' },
        { value: 'b' },
        { value: 'c' },
        { value: 'd', partition: 1 },
        { value: 'e', partition: 1, at: 90_000 },
        { value: 'f', partition: 1, at: 90_000 },
      ],
    })
    // At 0 s: 3 records written to partition 0, 1 to partition 1, none committed until the first invocations.
    expect(lags(report)).toEqual([
      [3, 4],
      [2, 2],
    ])
    expect(report.metrics?.total).toMatchObject({ MaxOffsetLag: 3, SumOffsetLag: 4, CommittedEventCount: 6 })
    expect(report.assumptions.some((a) => a.includes('MaxOffsetLag'))).toBe(true)
  })

  it('fact 146: a poison record holds its partition’s lag, and the records behind it, minute after minute until the topic drops it', async () => {
    const poison = (event: KafkaEvent): void => {
      if (values(event).some((v) => v.includes('bad'))) throw new Error('poison')
    }
    const report = await simulate(poison, {
      source: 'kafka',
      records: [{ value: 'bad' }, { value: 'ok', at: 30_000 }, { value: 'other', partition: 1 }],
      retentionHours: 0.05,
      maxInvocations: 1000,
    })
    expect(report.outcomes.map((o) => o.fate)).toEqual(['expired', 'succeeded', 'succeeded'])
    expect(lags(report)).toEqual([
      [2, 2],
      [2, 2],
      [2, 2],
      [2, 2],
    ])
  })

  it('fact 146: a record the filter drops is committed as it is written, so a filtered partition never lags', async () => {
    const report = await simulate(() => {}, {
      source: 'kafka',
      records: [{ value: { k: 'noise' } }, { value: { k: 'noise' }, at: 70_000 }],
      FilterCriteria: { Filters: [{ Pattern: JSON.stringify({ value: { k: ['wanted'] } }) }] },
    })
    expect(report.metrics?.total).toMatchObject({ FilteredOutEventCount: 2, CommittedEventCount: 2, MaxOffsetLag: 0, SumOffsetLag: 0 })
    expect(lags(report)).toEqual([
      [0, 0],
      [0, 0],
    ])
  })

  it('fact 146: streams and queues have no offset lag', async () => {
    const kinesis = await simulate(() => {}, { source: 'kinesis', records: [{ data: 'a' }] })
    const sqs = await simulate(() => {}, { source: 'sqs', records: [{ body: 'a' }] })
    for (const report of [kinesis, sqs]) {
      expect(report.metrics?.total.MaxOffsetLag).toBeUndefined()
      expect(report.metrics?.total.SumOffsetLag).toBeUndefined()
    }
  })
})
