// Real stream records: items written to DynamoDB Local (AWS's own emulator, with Streams), the
// stream read back with GetRecords, the Lambda event built from it as Lambda does (the wire JSON:
// binary as base64, ApproximateCreationDateTime in epoch seconds), and a dynamodbHandler run over it.
//
// Needs Java 17 (present in the project's image); set LSH_SKIP_DYNAMODB_LOCAL=1 to skip it elsewhere.
import type { DynamoDBStreamEvent } from 'aws-lambda'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import * as z from 'zod'
import {
  CreateTableCommand,
  DeleteItemCommand,
  DynamoDBClient,
  PutItemCommand,
  UpdateItemCommand,
  type AttributeValue,
} from '@aws-sdk/client-dynamodb'
import {
  DescribeStreamCommand,
  DynamoDBStreamsClient,
  GetRecordsCommand,
  GetShardIteratorCommand,
  type _Record,
} from '@aws-sdk/client-dynamodb-streams'
import { unmarshall } from '@aws-sdk/util-dynamodb'
import { dynamodbHandler, silentLogger, unmarshallImage, type StreamViewType } from 'lambda-stream-handlers'
import { lambdaDynamoDBRecord } from 'lambda-stream-handlers/local'
import { lambdaContext } from 'lambda-stream-handlers/testing'
import { hasJava, startDynamoDBLocal, type DynamoDBLocal } from '../servers/dynamodb-local.js'

const skip = process.env.LSH_SKIP_DYNAMODB_LOCAL === '1'
if (!skip && !hasJava())
  throw new Error(
    'This test runs DynamoDB Local, which needs Java 17 (apt-get install openjdk-17-jre-headless); set LSH_SKIP_DYNAMODB_LOCAL=1 to skip it.',
  )

const VIEWS: StreamViewType[] = ['NEW_AND_OLD_IMAGES', 'NEW_IMAGE', 'OLD_IMAGE', 'KEYS_ONLY']
const bytes = (...b: number[]) => new Uint8Array(b)

// The writes, in order: INSERT A, MODIFY A (status), MODIFY A (adds updatedAt), INSERT B, REMOVE A.
const itemA: Record<string, AttributeValue> = {
  pk: { S: 'order#1' },
  sk: { N: '1' },
  status: { S: 'NEW' },
  total: { N: '12.5' },
  big: { N: '9007199254740993' }, // 2^53 + 1: a double would round it
  bin: { B: bytes(0, 1, 2, 255) },
  tags: { SS: ['red', 'blue'] },
  nums: { NS: ['1', '2.5', '123456789012345678901234567890'] },
  bins: { BS: [bytes(1), bytes(2, 3)] },
  nested: {
    M: { list: { L: [{ N: '1' }, { M: { deep: { S: 'x' } } }, { NULL: true }, { BOOL: false }] }, map: { M: { n: { N: '-0.5' } } } },
  },
}
const itemB: Record<string, AttributeValue> = {
  ...itemA,
  pk: { S: 'order#2' },
  sk: { N: '2' },
  status: { S: 'PAID' },
  big: { N: '-18014398509481985' },
}

const Order = z.object({
  pk: z.string(),
  sk: z.number(),
  status: z.enum(['NEW', 'PAID']),
  total: z.number(),
  big: z.bigint(),
  bin: z.instanceof(Uint8Array),
  tags: z.set(z.string()),
  nums: z.set(z.union([z.number(), z.bigint()])),
  bins: z.set(z.instanceof(Uint8Array)),
  nested: z.object({ list: z.array(z.unknown()), map: z.object({ n: z.number() }) }),
  updatedAt: z.string().optional(),
})
const Key = z.object({ pk: z.string(), sk: z.number() })

let server: DynamoDBLocal
let ddb: DynamoDBClient
let streams: DynamoDBStreamsClient
const events = new Map<StreamViewType, { event: DynamoDBStreamEvent; sdk: _Record[] }>()

describe.skipIf(skip)('dynamodbHandler over real DynamoDB Streams records (DynamoDB Local)', () => {
  beforeAll(async () => {
    server = await startDynamoDBLocal()
    const config = { endpoint: server.endpoint, region: 'us-east-1', credentials: { accessKeyId: 'x', secretAccessKey: 'x' } }
    ddb = new DynamoDBClient(config)
    streams = new DynamoDBStreamsClient(config)
    for (const view of VIEWS) {
      const TableName = `orders-${view.toLowerCase()}`
      const table = await ddb.send(
        new CreateTableCommand({
          TableName,
          AttributeDefinitions: [
            { AttributeName: 'pk', AttributeType: 'S' },
            { AttributeName: 'sk', AttributeType: 'N' },
          ],
          KeySchema: [
            { AttributeName: 'pk', KeyType: 'HASH' },
            { AttributeName: 'sk', KeyType: 'RANGE' },
          ],
          BillingMode: 'PAY_PER_REQUEST',
          StreamSpecification: { StreamEnabled: true, StreamViewType: view },
        }),
      )
      const Key = { pk: itemA.pk!, sk: itemA.sk! }
      await ddb.send(new PutItemCommand({ TableName, Item: itemA }))
      await ddb.send(
        new UpdateItemCommand({
          TableName,
          Key,
          UpdateExpression: 'SET #s = :s',
          ExpressionAttributeNames: { '#s': 'status' },
          ExpressionAttributeValues: { ':s': { S: 'PAID' } },
        }),
      )
      await ddb.send(
        new UpdateItemCommand({
          TableName,
          Key,
          UpdateExpression: 'SET updatedAt = :u',
          ExpressionAttributeValues: { ':u': { S: '2026-11-22T03:00:00Z' } },
        }),
      )
      await ddb.send(new PutItemCommand({ TableName, Item: itemB }))
      await ddb.send(new DeleteItemCommand({ TableName, Key }))

      const streamArn = table.TableDescription!.LatestStreamArn!
      const { StreamDescription } = await streams.send(new DescribeStreamCommand({ StreamArn: streamArn }))
      const sdk: _Record[] = []
      for (const shard of StreamDescription!.Shards!) {
        let iterator = (
          await streams.send(
            new GetShardIteratorCommand({ StreamArn: streamArn, ShardId: shard.ShardId!, ShardIteratorType: 'TRIM_HORIZON' }),
          )
        ).ShardIterator
        while (iterator !== undefined) {
          const page = await streams.send(new GetRecordsCommand({ ShardIterator: iterator }))
          sdk.push(...(page.Records ?? []))
          if ((page.Records ?? []).length === 0) break
          iterator = page.NextShardIterator
        }
      }
      events.set(view, { event: { Records: sdk.map((r) => lambdaDynamoDBRecord(r, streamArn)) }, sdk })
    }
  }, 120_000)

  afterAll(async () => {
    streams?.destroy()
    ddb?.destroy()
    await server?.stop()
  })

  const eventFor = (view: StreamViewType) => events.get(view)!.event

  it('reads the five changes back, with real sequence numbers', () => {
    const { Records } = eventFor('NEW_AND_OLD_IMAGES')
    expect(Records.map((r) => r.eventName)).toEqual(['INSERT', 'MODIFY', 'MODIFY', 'INSERT', 'REMOVE'])
    expect(Records.every((r) => /^\d{21,40}$/.test(r.dynamodb!.SequenceNumber!))).toBe(true)
  })

  it('NEW_AND_OLD_IMAGES: typed images, exact numbers, bytes, sets, nested values, and the diff', async () => {
    const seen: unknown[] = []
    const handler = dynamodbHandler({ schema: Order, logger: silentLogger }, (change, meta) => {
      if (change.eventName === 'MODIFY')
        seen.push({ e: 'MODIFY', keys: change.keys, diff: { ...change.diff(), touches: undefined }, ttl: meta.ttlDelete })
      else
        seen.push({
          e: change.eventName,
          keys: change.keys,
          image: change.eventName === 'INSERT' ? change.newImage : change.oldImage,
          ttl: meta.ttlDelete,
        })
    })
    expect(await handler(eventFor('NEW_AND_OLD_IMAGES'), lambdaContext())).toEqual({ batchItemFailures: [] })
    const a = {
      pk: 'order#1',
      sk: 1,
      status: 'NEW',
      total: 12.5,
      big: 9007199254740993n,
      bin: bytes(0, 1, 2, 255),
      tags: new Set(['red', 'blue']),
      nums: new Set([1, 2.5, 123456789012345678901234567890n]),
      bins: new Set([bytes(1), bytes(2, 3)]),
      nested: { list: [1, { deep: 'x' }, null, false], map: { n: -0.5 } },
    }
    const keys = { pk: 'order#1', sk: 1 }
    expect(seen).toEqual([
      { e: 'INSERT', keys, image: a, ttl: false },
      { e: 'MODIFY', keys, diff: { added: [], removed: [], changed: ['status'], touches: undefined }, ttl: false },
      { e: 'MODIFY', keys, diff: { added: ['updatedAt'], removed: [], changed: [], touches: undefined }, ttl: false },
      {
        e: 'INSERT',
        keys: { pk: 'order#2', sk: 2 },
        image: { ...a, pk: 'order#2', sk: 2, status: 'PAID', big: -18014398509481985n },
        ttl: false,
      },
      { e: 'REMOVE', keys, image: { ...a, status: 'PAID', updatedAt: '2026-11-22T03:00:00Z' }, ttl: false },
    ])
  })

  it.each([
    ['NEW_IMAGE', ['INSERT:new', 'MODIFY:new', 'MODIFY:new', 'INSERT:new', 'REMOVE:keys']],
    ['OLD_IMAGE', ['INSERT:keys', 'MODIFY:old', 'MODIFY:old', 'INSERT:keys', 'REMOVE:old']],
  ] as const)('%s: the images the view carries, as the real stream writes them', async (streamViewType, expected) => {
    const seen: string[] = []
    const handler = dynamodbHandler({ schema: Order, streamViewType, logger: silentLogger }, (c) => {
      seen.push(`${c.eventName}:${'newImage' in c ? 'new' : 'oldImage' in c ? 'old' : 'keys'}`)
    })
    expect(await handler(eventFor(streamViewType))).toEqual({ batchItemFailures: [] })
    expect(seen).toEqual(expected)
  })

  it('KEYS_ONLY: a schema for the keys alone', async () => {
    const seen: unknown[] = []
    const handler = dynamodbHandler({ schema: Key, streamViewType: 'KEYS_ONLY' }, (c) => void seen.push([c.eventName, c.keys]))
    expect(await handler(eventFor('KEYS_ONLY'))).toEqual({ batchItemFailures: [] })
    expect(seen).toEqual([
      ['INSERT', { pk: 'order#1', sk: 1 }],
      ['MODIFY', { pk: 'order#1', sk: 1 }],
      ['MODIFY', { pk: 'order#1', sk: 1 }],
      ['INSERT', { pk: 'order#2', sk: 2 }],
      ['REMOVE', { pk: 'order#1', sk: 1 }],
    ])
  })

  it('fails records of a stream whose view lacks the images the handler was built for, saying so', async () => {
    const handler = dynamodbHandler({ schema: Order, logger: silentLogger, allFailed: 'report', ordering: 'unordered' }, () => {})
    const report = await handler.process(eventFor('NEW_IMAGE'))
    expect(report.outcomes.map((o) => (o.status === 'ok' ? 'ok' : o.reason.path))).toEqual([
      'StreamViewType',
      'StreamViewType',
      'StreamViewType',
      'StreamViewType',
      'StreamViewType',
    ])
  })

  it('reports failures by the real SequenceNumber; per-key keeps one item in order while another runs', async () => {
    const event = eventFor('NEW_AND_OLD_IMAGES')
    const handler = dynamodbHandler({ schema: Order, logger: silentLogger, ordering: 'per-key', concurrency: 2 }, async (c) => {
      await new Promise((resolve) => setImmediate(resolve)) // both items' lanes start before the failure
      if (c.eventName === 'MODIFY' && c.diff().touches('status')) throw new Error('downstream refused')
    })
    const report = await handler.process(event)
    expect(report.outcomes.map((o) => o.status)).toEqual(['ok', 'failed', 'skipped', 'ok', 'skipped'])
    expect(report.batchItemFailures).toEqual([1, 2, 4].map((i) => ({ itemIdentifier: event.Records[i]!.dynamodb!.SequenceNumber })))
  })

  it('unmarshalls every real image as @aws-sdk/util-dynamodb does (binary as bytes in both)', () => {
    for (const { event, sdk } of events.values()) {
      event.Records.forEach((r, i) => {
        for (const field of ['Keys', 'NewImage', 'OldImage'] as const) {
          const image = r.dynamodb![field]
          if (image === undefined) continue
          const theirs = unmarshall(sdk[i]!.dynamodb![field] as Record<string, AttributeValue>)
          expect(unmarshallImage(image)).toEqual(theirs)
        }
      })
    }
  })
})
