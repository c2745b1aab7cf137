// Issue 30: an S3 bucket as a stream mapping's on-failure destination. Each test is named after its fact.
import type { DynamoDBStreamEvent, KinesisStreamEvent } from 'aws-lambda'
import { describe, expect, it } from 'vitest'
import * as z from 'zod'
import { dynamodbHandler, kinesisHandler, silentLogger } from 'lambda-stream-handlers'
import { dynamodbEvent, insert } from 'lambda-stream-handlers/testing'
import { runLocal, simulate, type S3FailureRecord } from 'lambda-stream-handlers/local'
import { PutRecordsCommand } from '@aws-sdk/client-kinesis'
import { startKinesalite } from '../servers/kinesalite.js'

const BUCKET = 'arn:aws:s3:::orders-failed'
const QUEUE = 'arn:aws:sqs:us-east-1:123456789012:orders-failed'
const failing = kinesisHandler({ schema: z.object({ ok: z.literal(true) }), logger: silentLogger }, () => {})
// A function that throws on any record with `ok: false`, failing its whole batch.
const throwing = (event: KinesisStreamEvent): void => {
  if (event.Records.some((r) => JSON.parse(Buffer.from(r.kinesis.data, 'base64').toString()).ok === false)) throw new Error('not ok')
}
const puts = [{ data: { ok: true } }, { data: { ok: false } }, { data: { ok: true }, at: 1500 }]
const KEY =
  /^aws\/lambda\/([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})\/(.+)\/(\d{4})\/(\d\d)\/(\d\d)\/(\d{4}-\d\d-\d\dT\d\d\.\d\d\.\d\d)-[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/

describe('fact 127: an S3 destination receives the SQS and SNS record plus payload, the event, under aws/lambda/<mapping>/<shard>/<date>', () => {
  it('Kinesis: the same fields as a queue receives, payload the event of the discarded records, the key of the convention', async () => {
    const settings = { source: 'kinesis', records: puts, MaximumRetryAttempts: 1, start: new Date('2026-03-04T05:06:07.890Z') } as const
    const toBucket = await simulate(throwing, { ...settings, DestinationConfig: { OnFailure: { Destination: BUCKET } } })
    const toQueue = await simulate(throwing, { ...settings, DestinationConfig: { OnFailure: { Destination: QUEUE } } })
    expect(toQueue.failureDestination[0]).not.toHaveProperty('payload')
    expect(toQueue.failureObjects).toBeUndefined()

    const [sent] = toBucket.failureDestination as S3FailureRecord[]
    const { payload, ...metadata } = sent!
    expect(metadata).toEqual(toQueue.failureDestination[0])
    // The whole event of the invocation that failed last, as an escaped JSON string.
    const event = JSON.parse(payload) as KinesisStreamEvent
    expect(toBucket.invocations.map((i) => i.result)).toEqual(['error', 'error', 'success'])
    expect(event).toEqual(toBucket.invocations[1]!.event)
    expect(event.Records.map((r) => r.kinesis.sequenceNumber)).toEqual(toBucket.outcomes.slice(0, 2).map((o) => o.id))

    const [object] = toBucket.failureObjects!
    expect(object!.bucket).toBe('orders-failed')
    expect(object!.record).toBe(sent)
    const [, mapping, shard, y, m, d, time] = KEY.exec(object!.key) ?? []
    expect(shard).toBe('shardId-000000000000')
    // The date and time are the record's timestamp, to the second.
    const at = new Date(sent!.timestamp)
    expect([y, m, d].join('-')).toBe(at.toISOString().slice(0, 10))
    expect(time).toBe(at.toISOString().slice(0, 19).replaceAll(':', '.'))
    // The same mapping, the same UUID; every object its own key; a second run, the same keys.
    const again = await simulate(throwing, { ...settings, DestinationConfig: { OnFailure: { Destination: BUCKET } } })
    expect(again.failureObjects).toEqual(toBucket.failureObjects)
    expect(toBucket.assumptions.some((a) => a.startsWith('An S3 bucket destination receives'))).toBe(true)
    expect(toQueue.assumptions.some((a) => a.startsWith('An S3 bucket destination receives'))).toBe(false)
    expect(mapping).toMatch(/^[0-9a-f-]{36}$/)
  })

  it('after a partial response, the payload holds the discarded records only, those the batch info names', async () => {
    const report = await simulate(failing, {
      source: 'kinesis',
      records: [{ data: { ok: true } }, { data: { ok: false } }, { data: { ok: true } }],
      FunctionResponseTypes: ['ReportBatchItemFailures'],
      MaximumRetryAttempts: 0,
      DestinationConfig: { OnFailure: { Destination: BUCKET } },
    })
    const [sent] = report.failureDestination as S3FailureRecord[]
    const ids = (JSON.parse(sent!.payload) as KinesisStreamEvent).Records.map((r) => r.kinesis.sequenceNumber)
    expect(ids).toEqual([report.outcomes[1]!.id, report.outcomes[2]!.id])
    expect(sent!.KinesisBatchInfo).toMatchObject({ startSequenceNumber: ids[0], endSequenceNumber: ids[1], batchSize: 2 })
    expect(report.outcomes.map((o) => o.fate)).toEqual(['succeeded', 'discarded', 'discarded'])
  })

  it('each discarded piece of a bisected batch is an object of its own, in its shard', async () => {
    const report = await simulate(failing, {
      source: 'kinesis',
      shards: 2,
      records: [
        { data: { ok: false }, partitionKey: 'a' },
        { data: { ok: false }, partitionKey: 'b' },
        { data: { ok: false }, partitionKey: 'a' },
      ],
      BisectBatchOnFunctionError: true,
      MaximumRetryAttempts: 0,
      DestinationConfig: { OnFailure: { Destination: BUCKET } },
    })
    const objects = report.failureObjects!
    expect(objects).toHaveLength(3)
    expect(new Set(objects.map((o) => o.key)).size).toBe(3)
    for (const o of objects) {
      const shard = KEY.exec(o.key)?.[2]
      const records = (JSON.parse(o.record.payload) as KinesisStreamEvent).Records
      expect(records).toHaveLength(1)
      expect(o.record.KinesisBatchInfo?.shardId).toBe(shard)
      expect(records[0]!.eventID.startsWith(`${shard}:`)).toBe(true)
    }
    expect(report.failureObjects!.map((o) => o.record)).toEqual(report.failureDestination)
  })

  it('records past MaximumRecordAgeInSeconds: the payload is an event of theirs, the record has no responseContext', async () => {
    const report = await simulate(failing, {
      source: 'kinesis',
      records: [{ data: { ok: false } }],
      MaximumRecordAgeInSeconds: 60,
      retryDelayMs: () => 30_000,
      DestinationConfig: { OnFailure: { Destination: BUCKET } },
    })
    const [sent] = report.failureDestination as S3FailureRecord[]
    expect(sent!.requestContext.condition).toBe('RecordAgeExceeded')
    expect(sent).not.toHaveProperty('responseContext')
    expect((JSON.parse(sent!.payload) as KinesisStreamEvent).Records.map((r) => r.kinesis.sequenceNumber)).toEqual([report.outcomes[0]!.id])
  })

  it('DynamoDB Streams: DDBStreamBatchInfo, the event of the discarded changes, the key in their shard', async () => {
    const handler = dynamodbHandler({ schema: z.object({ id: z.literal('good') }), logger: silentLogger }, () => {})
    const records = dynamodbEvent([insert({ id: 'good' }), insert({ id: 'bad' })], {
      keys: ['id'],
      createdAt: new Date('2026-01-01T00:00:10Z'),
    })
    const report = await simulate(handler, {
      source: 'dynamodb',
      records,
      MaximumRetryAttempts: 0,
      FunctionResponseTypes: ['ReportBatchItemFailures'],
      DestinationConfig: { OnFailure: { Destination: BUCKET } },
    })
    const [object] = report.failureObjects!
    const event = JSON.parse(object!.record.payload) as DynamoDBStreamEvent
    expect(event.Records).toEqual([records.Records[1]])
    expect(object!.record.DDBStreamBatchInfo).toMatchObject({ batchSize: 1, approximateArrivalOfFirstRecord: '2026-01-01T00:00:10Z' })
    expect(KEY.exec(object!.key)?.[2]).toBe(object!.record.DDBStreamBatchInfo!.shardId)
  })

  it('no destination, or a queue or topic: no payload and no objects, as before', async () => {
    for (const DestinationConfig of [undefined, { OnFailure: { Destination: 'arn:aws:sns:us-east-1:123456789012:t' } }]) {
      const report = await simulate(throwing, {
        source: 'kinesis',
        records: puts,
        MaximumRetryAttempts: 0,
        ...(DestinationConfig && { DestinationConfig }),
      })
      expect(report.failureDestination.length).toBeGreaterThan(0)
      expect(report.failureDestination.every((f) => !('payload' in f))).toBe(true)
      expect(report).not.toHaveProperty('failureObjects')
    }
  })
})

describe('fact 127 in runLocal: the runner shares the rules, so its report has the S3 form too', () => {
  it('on kinesalite: payload and the object key of a discarded batch', async () => {
    const kinesalite = await startKinesalite()
    try {
      await kinesalite.createStream('s3-failures', 1)
      await kinesalite.client.send(
        new PutRecordsCommand({
          StreamName: 's3-failures',
          Records: [{ Data: Buffer.from(JSON.stringify({ ok: false })), PartitionKey: 'a' }],
        }),
      )
      const run = await runLocal(throwing, {
        source: 'kinesis',
        client: kinesalite.client,
        streamName: 's3-failures',
        MaximumRetryAttempts: 0,
        pollIntervalMs: 50,
        DestinationConfig: { OnFailure: { Destination: BUCKET } },
      })
      await run.idle({ timeoutMs: 10_000 })
      const report = await run.stop()
      const [object] = report.failureObjects ?? []
      expect(KEY.exec(object?.key ?? '')?.[2]).toBe('shardId-000000000000')
      expect((JSON.parse(object!.record.payload) as KinesisStreamEvent).Records).toEqual(
        (report.invocations[0]!.event as KinesisStreamEvent).Records,
      )
      expect(report.failureDestination).toEqual([object!.record])
    } finally {
      await kinesalite.close()
    }
  })
})
