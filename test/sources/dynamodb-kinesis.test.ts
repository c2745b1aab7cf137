import type { KinesisStreamRecord } from 'aws-lambda'
import { describe, expect, it } from 'vitest'
import * as z from 'zod'
import { dynamodbHandler, MalformedEventError, silentLogger, type DynamoDBMeta, type RecordOutcome } from 'lambda-stream-handlers'
import {
  dynamodbEvent,
  insert,
  kinesisEvent,
  kinesisEventFromDynamoDB,
  modify,
  raw,
  remove,
  ttlDelete,
} from 'lambda-stream-handlers/testing'

const Item = z.object({ id: z.string(), status: z.enum(['NEW', 'PAID']), total: z.number() })
const a0: z.input<typeof Item> = { id: 'a', status: 'NEW', total: 1 }
const a1: z.input<typeof Item> = { id: 'a', status: 'PAID', total: 1 }
const reasons = (outcomes: readonly RecordOutcome[]) =>
  outcomes.map((o) => (o.status === 'ok' ? 'ok' : `${o.status}:${o.reason.kind}: ${o.reason.message}`))
const seqs = (records: readonly KinesisStreamRecord[]) => records.map((r) => r.kinesis.sequenceNumber)

describe('dynamodbHandler: DynamoDB changes delivered through a Kinesis data stream', () => {
  it('gives the same typed changes as DynamoDB Streams, identified by the Kinesis sequence number', async () => {
    const createdAt = new Date('2026-03-04T05:06:07.000Z')
    const streams = dynamodbEvent([insert(a0), modify(a0, a1), ttlDelete(a1)], { schema: Item, createdAt })
    const kinesis = kinesisEventFromDynamoDB(streams)
    const seen = (into: unknown[]) => (change: object, meta: DynamoDBMeta) => {
      const { diff, ...rest } = change as { diff?: () => { changed: readonly string[] } }
      into.push({
        ...rest,
        changed: diff?.().changed,
        ttl: meta.ttlDelete,
        at: meta.createdAt?.toISOString(),
        seq: meta.sequenceNumber,
        via: meta.kinesisRecord?.kinesis.sequenceNumber,
      })
    }
    const fromStreams: unknown[] = []
    const fromKinesis: unknown[] = []
    await dynamodbHandler(Item, seen(fromStreams))(streams)
    expect(await dynamodbHandler(Item, seen(fromKinesis))(kinesis)).toEqual({ batchItemFailures: [] })
    const kseq = seqs(kinesis.Records)
    expect(fromKinesis).toEqual(fromStreams.map((c, i) => ({ ...(c as object), seq: kseq[i], via: kseq[i] })))
    expect(fromKinesis[0]).toMatchObject({ eventName: 'INSERT', newImage: a0, at: '2026-03-04T05:06:07.000Z' })
    expect(fromKinesis[2]).toMatchObject({ eventName: 'REMOVE', ttl: true })
  })

  it('reads ApproximateCreationDateTime in milliseconds, and in microseconds', async () => {
    const createdAt = new Date('2026-03-04T05:06:07.000Z')
    const at: (string | undefined)[] = []
    const handler = dynamodbHandler(Item, (_c, meta) => void at.push(meta.createdAt?.toISOString()))
    const millis = kinesisEventFromDynamoDB(dynamodbEvent([insert(a0)], { schema: Item, createdAt }))
    const micros = kinesisEventFromDynamoDB(dynamodbEvent([insert(a0)], { schema: Item, createdAt }), { precision: 'MICROSECOND' })
    // A millisecond timestamp with a fraction of a second, as Kinesis Data Streams for DynamoDB writes it.
    const change = JSON.parse(Buffer.from(millis.Records[0]!.kinesis.data, 'base64').toString())
    change.dynamodb.ApproximateCreationDateTime = 1_616_094_480_613
    const precise = kinesisEvent([change])
    // Without the precision field, the size of the number tells microseconds apart.
    const unlabelled = JSON.parse(Buffer.from(micros.Records[0]!.kinesis.data, 'base64').toString())
    delete unlabelled.dynamodb.ApproximateCreationDateTimePrecision
    for (const e of [millis, micros, precise, kinesisEvent([unlabelled])]) await handler(e)
    expect(at).toEqual(['2026-03-04T05:06:07.000Z', '2026-03-04T05:06:07.000Z', '2021-03-18T19:08:00.613Z', '2026-03-04T05:06:07.000Z'])
  })

  it('reads a change written as Kinesis Data Streams for DynamoDB writes it, untyped fields included', async () => {
    const change = {
      awsRegion: 'us-east-1',
      eventID: '6e1f3a3c-1f29-4f8a-9c4a-2a0f4b8c6d10',
      eventName: 'MODIFY',
      userIdentity: null,
      recordFormat: 'application/json',
      tableName: 'Orders',
      dynamodb: {
        ApproximateCreationDateTime: 1_700_000_000_123,
        Keys: { id: { S: 'a' } },
        NewImage: { id: { S: 'a' }, status: { S: 'PAID' }, total: { N: '1' } },
        OldImage: { id: { S: 'a' }, status: { S: 'NEW' }, total: { N: '1' } },
        SizeBytes: 42,
      },
      eventSource: 'aws:dynamodb',
    }
    const seen: unknown[] = []
    const handler = dynamodbHandler(
      Item,
      (c, meta) =>
        void seen.push([c.eventName, c.eventName === 'MODIFY' && c.diff().changed, meta.record.eventID, meta.createdAt?.toISOString()]),
    )
    expect(await handler(kinesisEvent([change]))).toEqual({ batchItemFailures: [] })
    expect(seen).toEqual([['MODIFY', ['status'], '6e1f3a3c-1f29-4f8a-9c4a-2a0f4b8c6d10', '2023-11-14T22:13:20.123Z']])
  })

  it('fails a record whose data is not a DynamoDB change, by its Kinesis sequence number, with the reason', async () => {
    const good = kinesisEventFromDynamoDB(dynamodbEvent([insert(a0)], { schema: Item })).Records[0]!
    const event = kinesisEvent([raw('not json'), { hello: 'world' }, [1, 2]])
    event.Records.push(good)
    const handler = dynamodbHandler({ schema: Item, logger: silentLogger, ordering: 'unordered' }, () => {})
    const report = await handler.process(event)
    expect(reasons(report.outcomes)).toEqual([
      expect.stringMatching(/^invalid:decode: The data is not valid JSON/),
      "invalid:decode: The Kinesis record's data is not a DynamoDB change record: it has no `dynamodb` object.",
      "invalid:decode: The Kinesis record's data is not a DynamoDB change record: it is an array.",
      'ok',
    ])
    expect(report.batchItemFailures).toEqual(seqs(event.Records.slice(0, 3)).map((itemIdentifier) => ({ itemIdentifier })))
  })

  it('reports a failed change by its Kinesis sequence number and stops the batch in order', async () => {
    const event = kinesisEventFromDynamoDB(dynamodbEvent([insert(a0), modify(a0, a1), remove(a1)], { schema: Item }))
    const handler = dynamodbHandler({ schema: Item, logger: silentLogger }, (c) => {
      if (c.eventName === 'MODIFY') throw new Error('index down')
    })
    expect(await handler(event)).toEqual({ batchItemFailures: seqs(event.Records.slice(1)).map((itemIdentifier) => ({ itemIdentifier })) })
  })

  it('refuses an event that mixes Kinesis records with others', async () => {
    const event = kinesisEventFromDynamoDB(dynamodbEvent([insert(a0)], { schema: Item }))
    const mixed = { Records: [...event.Records, ...dynamodbEvent([insert(a1)], { schema: Item }).Records] }
    await expect(dynamodbHandler(Item, () => {})(mixed as never)).rejects.toThrow(MalformedEventError)
    await expect(dynamodbHandler(Item, () => {})(mixed as never)).rejects.toThrow(
      /record that is not from Kinesis at Records\[1\] \(eventSource "aws:dynamodb"\)/,
    )
  })
})
