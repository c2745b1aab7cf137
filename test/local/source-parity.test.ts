// The handler and the simulator read one definition per source: for the same record they build the
// same lane key and the same arrival time. Before, the simulator keyed a DynamoDB record by
// JSON.stringify(Keys) (so the attribute order mattered) and did not round its arrival time.
import type { DynamoDBRecord, KinesisStreamRecord } from 'aws-lambda'
import { expect, it } from 'vitest'
import * as z from 'zod'
import { dynamodbHandler, kinesisHandler, silentLogger, type DynamoDBMeta, type KinesisMeta } from 'lambda-stream-handlers'
import { simulate } from 'lambda-stream-handlers/local'
import { kinesisEvent } from 'lambda-stream-handlers/testing'
import { streamItem } from '../../src/local/stream-rows.js'
import { dynamodbSource } from '../../src/sources/dynamodb/index.js'
import { kinesisSource } from '../../src/sources/kinesis/index.js'

// Seconds with a millisecond fraction: 1545084650.987 * 1000 is 1545084650987.0002 in a double.
const SECONDS = 1545084650.987

it('Kinesis: the handler and the simulator give a record the same key and arrival time', async () => {
  const event = kinesisEvent([{ id: 1 }], { partitionKey: 'pk-7' })
  const record: KinesisStreamRecord = {
    ...event.Records[0]!,
    kinesis: { ...event.Records[0]!.kinesis, approximateArrivalTimestamp: SECONDS },
  }
  const metas: KinesisMeta[] = []
  await kinesisHandler(
    { schema: z.object({ id: z.number() }), logger: silentLogger },
    (_p, meta) => void metas.push(meta),
  )({ Records: [record] })
  const item = streamItem(kinesisSource, record)
  expect(item.key).toBe(metas[0]!.partitionKey)
  expect(item.key).toBe(kinesisSource.key(record))
  expect(item.arrivalMs).toBe(metas[0]!.arrivedAt.getTime())
  expect(item.arrivalMs).toBe(1545084650987)
  expect(item.shardId).toBe(metas[0]!.shardId)
})

function change(seq: string, keys: Record<string, { S: string }>): DynamoDBRecord {
  return {
    eventID: `e-${seq}`,
    eventName: 'MODIFY',
    eventSource: 'aws:dynamodb',
    eventSourceARN: 'arn:aws:dynamodb:us-east-1:123456789012:table/orders/stream/2026-01-01T00:00:00.000',
    dynamodb: {
      Keys: keys,
      NewImage: { ...keys, n: { S: seq } },
      SequenceNumber: seq,
      ApproximateCreationDateTime: SECONDS,
      StreamViewType: 'NEW_IMAGE',
    },
  }
}

it('DynamoDB: the handler and the simulator give a change the same key (whatever the order of its key attributes) and arrival time', async () => {
  const first = change('100', { pk: { S: 'order#1' }, sk: { S: 'line#2' } })
  const second = change('200', { sk: { S: 'line#2' }, pk: { S: 'order#1' } })
  const metas: DynamoDBMeta[] = []
  const handler = dynamodbHandler(
    { schema: z.object({ pk: z.string() }).loose(), streamViewType: 'NEW_IMAGE', logger: silentLogger },
    (_c, meta) => void metas.push(meta),
  )
  await handler({ Records: [first, second] })

  const items = [first, second].map((r) => streamItem(dynamodbSource, r))
  expect(items[0]!.key).toBe(items[1]!.key)
  expect(items[0]!.key).toBe(dynamodbSource.key(first as never))
  expect(JSON.parse(items[0]!.key)).toEqual({ pk: { S: 'order#1' }, sk: { S: 'line#2' } })
  expect(items.map((i) => i.arrivalMs)).toEqual(metas.map((m) => m.createdAt?.getTime()))
  expect(items[0]!.arrivalMs).toBe(1545084650987)

  // Through the public simulator: one item, one key, whichever order its attributes came in.
  const report = await simulate(handler, {
    source: 'dynamodb',
    records: [first, second],
    FunctionResponseTypes: ['ReportBatchItemFailures'],
  })
  expect(report.outcomes.map((o) => o.fate)).toEqual(['succeeded', 'succeeded'])
  expect(new Set(report.outcomes.map((o) => o.key)).size).toBe(1)
})
